import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface ChildServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server process and waits until `readyPath` answers 2xx. */
export async function startChildServer(options: {
  args: string[];
  env: Record<string, string>;
  url: string;
  readyPath: string;
  timeoutMs?: number;
}): Promise<ChildServer> {
  const child = spawn(process.execPath, options.args, {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.args.join(' ')} exited: ${stderr}`);
    try {
      if ((await fetch(`${options.url}${options.readyPath}`)).ok) {
        return {
          url: options.url,
          child,
          async stop() {
            if (child.exitCode !== null) return;
            child.kill('SIGTERM');
            await once(child, 'exit');
          },
        };
      }
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${options.args.join(' ')} did not become ready: ${stderr}`);
}
