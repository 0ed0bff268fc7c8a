import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { argon2idHasher, type PasswordHasher } from '../../src/accounts/password-hasher.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createFsObjects } from '../../src/ports/objects/fs-driver.ts';
import { migrateToLatest } from '../../src/ports/sql/migrate.ts';
import { openPgliteSql } from '../../src/ports/sql/pglite-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { deriveKey } from '../../src/secrets/master-key.ts';
import { freshPgliteDir, removePgliteDir } from '../support/pglite-template.ts';
import { serviceGate } from '../support/services.ts';
import { createTestDatabase } from '../support/test-database.ts';

/** A migrated database of the test's own. */
export interface OpenedSql {
  sql: SqlPort;
  dispose(): Promise<void>;
}

export interface SqlDriver {
  name: string;
  skip: false | string;
  open(): Promise<OpenedSql>;
}

/** Every SQL suite of this domain runs once per driver: the embedded default and production. */
export const sqlDrivers: SqlDriver[] = [
  {
    name: 'PGlite',
    skip: false,
    async open() {
      const dir = await freshPgliteDir();
      const sql = await openPgliteSql(dir);
      return {
        sql,
        async dispose() {
          await sql.close();
          await removePgliteDir(dir);
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    skip: await serviceGate('postgres'),
    async open() {
      const database = await createTestDatabase();
      const sql = await openPostgresSql(database.url);
      await migrateToLatest(sql);
      return {
        sql,
        async dispose() {
          await sql.close();
          await database.drop();
        },
      };
    },
  },
];

/** A ServerContext on the given database, a memory cache and a throw-away object directory. */
export async function testServerContext(
  sql: SqlPort,
): Promise<{ context: ServerContext; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-accounts-'));
  const masterKey = randomBytes(32).toString('base64url');
  const cache = createMemoryCache();
  const objects = await createFsObjects({
    root: path.join(dataDir, 'objects'),
    publicBaseUrl: 'http://127.0.0.1:4000',
    signingKey: deriveKey(masterKey, 'objects/signed-url'),
  });
  return {
    context: { config: loadConfig({ GUICHET_DATA_DIR: dataDir }), ports: { sql, cache, objects }, masterKey },
    async dispose() {
      await Promise.allSettled([cache.close(), objects.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The real argon2id hasher, counting how often it is asked to hash and to verify. */
export function countingHasher(): PasswordHasher & { hashes: number; verifications: number } {
  const counts = {
    hashes: 0,
    verifications: 0,
    hash(plain: string) {
      counts.hashes += 1;
      return argon2idHasher.hash(plain);
    },
    verify(hashed: string, plain: string) {
      counts.verifications += 1;
      return argon2idHasher.verify(hashed, plain);
    },
  };
  return counts;
}

/** Collects what the domain logs, to assert that trouble was reported (and what was not). */
export function collectingLogger(): { warn(details: object, message: string): void; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn(details, message) {
      lines.push(
        `${message} ${JSON.stringify(details, (_key, value) => (value instanceof Error ? value.message : value))}`,
      );
    },
  };
}

let sequence = 0;
/** An address no other test uses, so suites sharing a database never collide. */
export function uniqueEmail(label = 'person'): string {
  sequence += 1;
  return `${label}.${sequence}.${randomBytes(3).toString('hex')}@example.com`;
}
