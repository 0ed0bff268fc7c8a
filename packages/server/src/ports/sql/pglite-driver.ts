import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { PgliteDialect } from './pglite-dialect.ts';
import type { PreparedStatement } from './prepared-statement.ts';
import type { Database } from './schema.ts';
import type { SqlPort } from './sql-port.ts';

/**
 * Opens the embedded PostgreSQL persisted in `dataDir`, creating the directory if missing.
 * Creating a new database takes seconds; reopening an existing one is quick.
 */
export async function openPgliteSql(dataDir: string): Promise<SqlPort> {
  await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, {
    // node-postgres returns bigint columns (count(*) among them) as strings; PGlite would return lossy
    // numbers. Strings here keep one set of queries giving the same values on both drivers.
    parsers: { [types.INT8]: (value: string) => value },
  });
  const db = new Kysely<Database>({ dialect: new PgliteDialect(pglite) });
  return {
    driver: 'pglite',
    db,
    // Through Kysely's driver, which hands PGlite's single session out one holder at a time.
    run: async <Row>(statement: PreparedStatement, values: readonly unknown[]) =>
      (await db.executeQuery<Row>(CompiledQuery.raw(statement.text, [...values]))).rows as Row[],
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
