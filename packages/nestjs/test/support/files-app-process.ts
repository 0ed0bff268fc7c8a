import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FilesAppAdapter, FilesAppSettings } from '../../test-app/files-app-types.ts';
import { assertFilesAppBuilt } from './files-app.ts';

const childScript = fileURLToPath(new URL('./files-app-child.ts', import.meta.url));

export interface FilesAppProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Runs the products app (StagedFiles) in a child process, so its memory is its own. */
export async function startFilesAppProcess(
  adapter: FilesAppAdapter,
  settings: FilesAppSettings,
): Promise<FilesAppProcess> {
  // Checked here: the child would only die with it, leaving "exited before listening".
  assertFilesAppBuilt();
  const child = fork(childScript, [adapter], {
    env: { ...process.env, FILES_APP_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const [message] = (await Promise.race([
    once(child, 'message'),
    exited.then(() => {
      throw new Error('the app process exited before listening');
    }),
  ])) as [{ url: string }];
  if (child.pid === undefined) throw new Error('the app process has no pid');
  return {
    child,
    pid: child.pid,
    url: message.url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send('close');
      await exited;
    },
  };
}
