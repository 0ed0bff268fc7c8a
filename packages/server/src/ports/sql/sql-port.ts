import type { Kysely } from 'kysely';
import type { PreparedStatement } from './prepared-statement.ts';
import type { Database } from './schema.ts';

/** The system of record. Both drivers speak PostgreSQL, so one set of queries serves both. */
export interface SqlPort {
  readonly driver: 'pglite' | 'postgres';
  readonly db: Kysely<Database>;
  /**
   * Runs a prepared statement outside any transaction and returns its rows. For hot paths, where
   * the query builder's per-call cost shows; everything else goes through `db`.
   */
  run<Row>(statement: PreparedStatement, values: readonly unknown[]): Promise<Row[]>;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
