import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The system of record. Both drivers speak PostgreSQL, so one set of queries serves both. */
export interface SqlPort {
  readonly driver: 'pglite' | 'postgres';
  readonly db: Kysely<Database>;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
