import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import type { KeysContext } from '../../src/keys/keys-context.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createFsObjects } from '../../src/ports/objects/fs-driver.ts';
import { migrateToLatest } from '../../src/ports/sql/migrate.ts';
import { openPgliteSql } from '../../src/ports/sql/pglite-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { freshPgliteDir, removePgliteDir } from '../support/pglite-template.ts';
import { serviceGate } from '../support/services.ts';
import { createTestDatabase } from '../support/test-database.ts';

/** A migrated database of the test's own. */
export interface TestSql {
  sql: SqlPort;
  /** Set for PostgreSQL, so a second connection pool (another "instance") can be opened. */
  url: string | undefined;
  dispose(): Promise<void>;
}

export interface SqlDriverUnderTest {
  name: SqlPort['driver'];
  skip: false | string;
  fresh(): Promise<TestSql>;
}

async function freshPglite(): Promise<TestSql> {
  const dir = await freshPgliteDir();
  const sql = await openPgliteSql(dir);
  return {
    sql,
    url: undefined,
    dispose: async () => {
      await sql.close();
      await removePgliteDir(dir);
    },
  };
}

async function freshPostgres(): Promise<TestSql> {
  const database = await createTestDatabase();
  const sql = await openPostgresSql(database.url);
  await migrateToLatest(sql);
  return {
    sql,
    url: database.url,
    dispose: async () => {
      await sql.close();
      await database.drop();
    },
  };
}

/** Both SQL drivers: keys must behave the same on the embedded database and on PostgreSQL. */
export const sqlDrivers: SqlDriverUnderTest[] = [
  { name: 'pglite', skip: false, fresh: freshPglite },
  { name: 'postgres', skip: await serviceGate('postgres'), fresh: freshPostgres },
];

export function newMasterKey(): string {
  return randomBytes(32).toString('base64url');
}

/** What the keys domain needs of a ServerContext; a memory cache unless one is given. */
export function keysContext(sql: SqlPort, options: { cache?: CachePort; masterKey?: string } = {}) {
  const context: KeysContext = {
    ports: { sql, cache: options.cache ?? createMemoryCache() },
    masterKey: options.masterKey ?? newMasterKey(),
  };
  return context;
}

/** A whole ServerContext around a KeysContext, as CLI commands receive one; objects in a temporary dir. */
export async function serverContextAround(
  keys: KeysContext,
): Promise<{ context: ServerContext; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-keys-'));
  const config = loadConfig({ GUICHET_DATA_DIR: dataDir });
  const objects = await createFsObjects({
    root: path.join(dataDir, 'objects'),
    publicBaseUrl: config.issuer,
    signingKey: randomBytes(32),
  });
  return {
    context: { config, ports: { ...keys.ports, objects }, masterKey: keys.masterKey },
    dispose: async () => {
      await objects.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Records the first value passed to `callback`; `within(ms)` then resolves with it, or rejects when it
 * has not come `ms` after `within` was called (so the clock starts where the test says, not before).
 */
export function firstCall<T>(): { callback: (value: T) => void; within(ms: number): Promise<T> } {
  let resolveFirst: (value: T) => void = () => {};
  const first = new Promise<T>((resolve) => {
    resolveFirst = resolve;
  });
  return {
    callback: (value) => resolveFirst(value),
    within(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not called within ${ms} ms`)), ms);
      });
      return Promise.race([first, late]).finally(() => clearTimeout(timer));
    },
  };
}
