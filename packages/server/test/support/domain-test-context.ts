import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createFsObjects } from '../../src/ports/objects/fs-driver.ts';
import { migrateToLatest } from '../../src/ports/sql/migrate.ts';
import { openPgliteSql } from '../../src/ports/sql/pglite-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { freshPgliteDir, removePgliteDir } from './pglite-template.ts';
import { serviceGate } from './services.ts';
import { createTestDatabase } from './test-database.ts';

/** A migrated database of the test's own. */
export interface TestSql {
  sql: SqlPort;
  /** Set for PostgreSQL, so a second connection (another "instance") can be opened. */
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

/** Both SQL drivers: the domain must behave the same on the embedded database and on PostgreSQL. */
export const sqlDrivers: SqlDriverUnderTest[] = [
  { name: 'pglite', skip: false, fresh: freshPglite },
  { name: 'postgres', skip: await serviceGate('postgres'), fresh: freshPostgres },
];

export function newMasterKey(): string {
  return randomBytes(32).toString('base64url');
}

/** A ServerContext as the server builds one, over the given SQL and cache ports. */
export async function createTestContext(options: {
  sql: SqlPort;
  cache?: CachePort;
  masterKey?: string;
}): Promise<{ context: ServerContext; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-context-'));
  const config = loadConfig({ GUICHET_DATA_DIR: dataDir });
  const cache = options.cache ?? createMemoryCache();
  const objects = await createFsObjects({
    root: path.join(dataDir, 'objects'),
    publicBaseUrl: config.issuer,
    signingKey: randomBytes(32),
  });
  const context: ServerContext = {
    config,
    ports: { sql: options.sql, cache, objects },
    masterKey: options.masterKey ?? newMasterKey(),
  };
  return {
    context,
    dispose: async () => {
      await objects.close();
      if (options.cache === undefined) await cache.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
