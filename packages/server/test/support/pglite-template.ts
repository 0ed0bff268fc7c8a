import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateToLatest } from '../../src/ports/sql/migrate.ts';
import { allMigrations } from '../../src/ports/sql/migrations/index.ts';
import { openPgliteSql } from '../../src/ports/sql/pglite-driver.ts';

const migrationsDir = fileURLToPath(new URL('../../src/ports/sql/migrations/', import.meta.url));

/*
 * Creating a PGlite data directory costs seconds and about a gigabyte at peak, while copying one and
 * reopening the copy is quick. So each template is built once, in os.tmpdir(), under a name keyed by
 * what it contains, and shared by every test process; each test gets its own copy.
 */

const made = new Set<string>();
const templates = new Map<string, Promise<string>>();

async function pgliteVersion(): Promise<string> {
  const entry = new URL(import.meta.resolve('@electric-sql/pglite'));
  const manifest = JSON.parse(await readFile(new URL('../package.json', entry), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

async function exists(dir: string): Promise<boolean> {
  try {
    await stat(dir);
    return true;
  } catch {
    return false;
  }
}

/** Builds a template in a private directory, then renames it into place, so no process sees a half-built one. */
async function buildTemplate(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const target = path.join(os.tmpdir(), name);
  if (await exists(target)) return target;
  const partial = await mkdtemp(path.join(os.tmpdir(), `${name}.partial-`));
  try {
    await build(partial);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    // Another test process finished the same template first: theirs is as good as ours.
    if (!(await exists(target))) throw error;
  }
  return target;
}

function template(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  let pending = templates.get(name);
  if (!pending) {
    pending = buildTemplate(name, build);
    // A failed build is retried by the next caller rather than cached.
    pending.catch(() => templates.delete(name));
    templates.set(name, pending);
  }
  return pending;
}

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

async function bareTemplate(): Promise<string> {
  const version = await pgliteVersion();
  return template(`guichet-pglite-bare-${hash(version)}`, async (dir) => {
    const sql = await openPgliteSql(dir);
    await sql.close();
  });
}

async function migratedTemplate(): Promise<string> {
  const version = await pgliteVersion();
  // Keyed by the migrations' source too, so editing a migration never reuses a stale template.
  const sources = await Promise.all(
    (await readdir(migrationsDir)).sort().map((name) => readFile(path.join(migrationsDir, name), 'utf8')),
  );
  const names = Object.keys(allMigrations).sort();
  return template(`guichet-pglite-migrated-${hash(version, ...names, ...sources)}`, async (dir) => {
    await cp(await bareTemplate(), dir, { recursive: true });
    const sql = await openPgliteSql(dir);
    try {
      await migrateToLatest(sql);
    } finally {
      await sql.close();
    }
  });
}

/**
 * Returns a new directory holding a PGlite database of its own: with every migration applied, or
 * empty when `migrated` is false. Remove it with `removePgliteDir`, or let `removeFreshPgliteDirs`
 * (or the process exit) sweep up every one this process made.
 */
export async function freshPgliteDir(options: { migrated?: boolean } = {}): Promise<string> {
  const source = options.migrated === false ? await bareTemplate() : await migratedTemplate();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-pglite-'));
  made.add(dir);
  await cp(source, dir, { recursive: true });
  return dir;
}

/** Removes one directory made by `freshPgliteDir`; close any database open on it first. */
export async function removePgliteDir(dir: string): Promise<void> {
  made.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Removes every directory this process made with `freshPgliteDir`, e.g. in an `after` hook. */
export async function removeFreshPgliteDirs(): Promise<void> {
  await Promise.all([...made].map(removePgliteDir));
}

// A test that failed before its cleanup still leaves no copy behind.
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
