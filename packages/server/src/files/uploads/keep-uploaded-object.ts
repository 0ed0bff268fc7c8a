import type { SqlPort } from '../../ports/sql/sql-port.ts';
import { isUploadObjectKey } from '../file-keys.ts';

/**
 * Whether bytes just stored under `key` still have a record: an upload discarded (or expired) while
 * its bytes were arriving has none, and its object must go rather than wait for the janitor.
 */
export async function keepUploadedObject(sql: SqlPort, key: string): Promise<boolean> {
  if (!isUploadObjectKey(key)) return true;
  const row = await sql.db
    .selectFrom('stored_file')
    .select('id')
    .where('object_key', '=', key)
    .executeTakeFirst();
  return row !== undefined;
}
