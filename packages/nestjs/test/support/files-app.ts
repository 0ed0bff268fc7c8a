import { existsSync } from 'node:fs';

import type { FilesAppAdapter, FilesAppSettings, RunningFilesApp } from '../../test-app/files-app-types.ts';

// Only types and node:fs here: the app's child process loads this file and measures its memory.

interface FilesAppEntry {
  startFilesApp(adapter: FilesAppAdapter, settings: FilesAppSettings): Promise<RunningFilesApp>;
}

// The app is written with decorator syntax: `npm run build:test-apps` compiles it first.
const compiledApp = new URL('../../.build/test-app/files-app.js', import.meta.url);

export function assertFilesAppBuilt(): void {
  if (!existsSync(compiledApp)) {
    throw new Error(
      'The NestJS test app is not built: run `npm run build:test-apps` from the repository root',
    );
  }
}

/** Starts the compiled products app in this process, on a free loopback port. */
export async function startFilesApp(
  adapter: FilesAppAdapter,
  settings: FilesAppSettings,
): Promise<RunningFilesApp> {
  assertFilesAppBuilt();
  const entry = (await import(compiledApp.href)) as FilesAppEntry;
  return entry.startFilesApp(adapter, settings);
}
