import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { PreparedStatement } from './prepared-statement.ts';
import type { Database } from './schema.ts';
import type { SqlPort } from './sql-port.ts';

/** Connects to a PostgreSQL server through a pool of at most `max` connections (10 by default). */
export async function openPostgresSql(url: string, options: { max?: number } = {}): Promise<SqlPort> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // Fail fast when the server is unreachable, so ping and readiness checks answer promptly.
    connectionTimeoutMillis: 3000,
  });
  // An idle connection dropped by the server (restart, failover, admin kill) is emitted here; unhandled,
  // it would crash the process. The pool has already discarded it and the next query reconnects, so the
  // failure surfaces through that query or through ping instead.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    driver: 'postgres',
    db,
    run: async <Row>(statement: PreparedStatement, values: readonly unknown[]) => {
      const { name, text, planEachCall } = statement;
      const result = await pool.query(
        planEachCall ? { text, values: [...values] } : { name, text, values: [...values] },
      );
      return result.rows as Row[];
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
