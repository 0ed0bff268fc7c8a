import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { productsSchema } from './products-schema.ts';

/** What the shop asks of SQL: parameterised queries, and transactions. */
export interface Queryable {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface ShopDatabase extends Queryable {
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function openPostgres(url: string): Promise<ShopDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <R>(sql: string, params: unknown[] = []) =>
            (await client.query(sql, params)).rows as R[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<ShopDatabase> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(path.join(dataDir, 'pglite'));
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
      db.transaction((tx) =>
        work({
          query: async <R>(sql: string, params: unknown[] = []) => (await tx.query<R>(sql, params)).rows,
        }),
      ),
    close: () => db.close(),
  };
}

/**
 * The shop's own database: PostgreSQL when DATABASE_URL is set, else embedded PGlite in its data
 * dir (the same SQL). Products live here, with the ids of their files; the files live in Guichet.
 */
export async function openShopDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<ShopDatabase> {
  const db =
    options.databaseUrl === undefined
      ? await openPglite(options.dataDir)
      : await openPostgres(options.databaseUrl);
  for (const statement of productsSchema) await db.query(statement);
  return db;
}
