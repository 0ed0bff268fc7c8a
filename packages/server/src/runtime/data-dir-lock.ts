import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Embedded PGlite admits one process per data dir. Whoever opens it (a server or a CLI command)
 * holds this lock file; a server also records its URL so CLI commands can go through its admin API.
 */
export interface LockHolder {
  pid: number;
  role: 'server' | 'cli';
  url?: string;
  startedAt: string;
}

export const lockFileName = 'guichet.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLockHolder(dataDir: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await readFile(path.join(dataDir, lockFileName), 'utf8')) as LockHolder;
    return isAlive(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

export class DataDirBusyError extends Error {
  readonly holder: LockHolder;
  constructor(dataDir: string, holder: LockHolder) {
    super(
      `data dir ${dataDir} is in use by ${holder.role} process ${holder.pid}${holder.url ? ` (${holder.url})` : ''}`,
    );
    this.name = 'DataDirBusyError';
    this.holder = holder;
  }
}

export interface DataDirLock {
  /** Records facts (the server's URL) for other processes to read. */
  update(fields: Partial<Pick<LockHolder, 'url'>>): Promise<void>;
  release(): Promise<void>;
}

export async function acquireDataDirLock(dataDir: string, role: LockHolder['role']): Promise<DataDirLock> {
  const file = path.join(dataDir, lockFileName);
  let holder: LockHolder = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
      return {
        async update(fields) {
          holder = { ...holder, ...fields };
          await writeFile(file, JSON.stringify(holder), { mode: 0o600 });
        },
        async release() {
          await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await readLockHolder(dataDir);
      if (current) throw new DataDirBusyError(dataDir, current);
      // The holder died without cleaning up (SIGKILL, power loss): the lock is stale.
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock data dir ${dataDir}`);
}
