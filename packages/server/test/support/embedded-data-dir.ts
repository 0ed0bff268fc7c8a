import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freshPgliteDir } from './pglite-template.ts';

/**
 * A data dir whose embedded database is a copy of the migrated template, so a server starts in
 * about a second instead of running initdb.
 */
export async function freshDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-data-'));
  await rename(await freshPgliteDir(), path.join(dir, 'pglite'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
