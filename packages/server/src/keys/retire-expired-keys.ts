import { sql } from 'kysely';
import type { SqlPort } from '../ports/sql/sql-port.ts';

/**
 * Retires the previous keys whose deadline has passed: they leave every JWKS for good, and their sealed
 * private half is wiped, since nothing may sign with them again. The row stays, public half included,
 * as a record of which keys existed. Returns the kids retired. Idempotent; any instance may run it.
 */
export async function retireExpiredKeys(port: SqlPort): Promise<string[]> {
  const rows = await port.db
    .updateTable('signing_key')
    .set({ state: 'retired', private_jwk_sealed: '' })
    .where('state', '=', 'previous')
    .where('retire_after', '<=', sql<Date>`now()`)
    .returning('kid')
    .execute();
  return rows.map((row) => row.kid);
}
