import { sql, type Transaction } from 'kysely';
import type { Database } from '../ports/sql/schema.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';

/** Advisory lock id of the signing keys: an arbitrary constant, the same in every instance, used by nothing else. */
const signingKeysLockId = '7351892406113451';

/**
 * Runs `work` in a transaction that first takes the signing keys' advisory lock, so instances starting
 * or rotating at once take turns. The lock is released at commit or rollback. PGlite has a single
 * session, where the lock is trivially granted: its transactions are already one at a time.
 */
export async function withSigningKeysLock<T>(
  port: SqlPort,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return port.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(signingKeysLockId)}::bigint)`.execute(trx);
    return work(trx);
  });
}
