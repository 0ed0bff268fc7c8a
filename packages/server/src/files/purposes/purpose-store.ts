import type { Selectable } from 'kysely';
import type { SqlPort } from '../../ports/sql/sql-port.ts';
import { UnknownPurposeError } from '../file-errors.ts';
import type { FilePurposeTable } from '../files-tables.ts';
import type { Purpose } from './purpose.ts';

function fromRow(row: Selectable<FilePurposeTable>): Purpose {
  return {
    name: row.name,
    types: row.types,
    maxBytes: Number(row.max_bytes),
    maxCount: row.max_count,
    maxPixels: row.max_pixels === null ? null : Number(row.max_pixels),
    maxWidth: row.max_width,
    maxHeight: row.max_height,
    variants: row.variants,
  };
}

/** Creates or replaces a purpose; uploads already staged keep the byte limit they were signed with. */
export async function savePurpose(sql: SqlPort, purpose: Purpose): Promise<Purpose> {
  const values = {
    types: purpose.types,
    max_bytes: purpose.maxBytes,
    max_count: purpose.maxCount,
    max_pixels: purpose.maxPixels,
    max_width: purpose.maxWidth,
    max_height: purpose.maxHeight,
    variants: JSON.stringify(purpose.variants),
  };
  const row = await sql.db
    .insertInto('file_purpose')
    .values({ name: purpose.name, ...values })
    .onConflict((conflict) => conflict.column('name').doUpdateSet({ ...values, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

export async function findPurpose(sql: SqlPort, name: string): Promise<Purpose | undefined> {
  const row = await sql.db.selectFrom('file_purpose').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** The purposes among `names` that exist, in one query. */
export async function findPurposes(sql: SqlPort, names: readonly string[]): Promise<Purpose[]> {
  if (names.length === 0) return [];
  const rows = await sql.db.selectFrom('file_purpose').selectAll().where('name', 'in', names).execute();
  return rows.map(fromRow);
}

export async function requirePurpose(sql: SqlPort, name: string): Promise<Purpose> {
  const purpose = await findPurpose(sql, name);
  if (purpose === undefined) throw new UnknownPurposeError(name);
  return purpose;
}

export async function listPurposes(sql: SqlPort): Promise<Purpose[]> {
  const rows = await sql.db.selectFrom('file_purpose').selectAll().orderBy('name').execute();
  return rows.map(fromRow);
}

/** Files already committed under the purpose stay; new uploads naming it are refused. */
export async function deletePurpose(sql: SqlPort, name: string): Promise<void> {
  const result = await sql.db.deleteFrom('file_purpose').where('name', '=', name).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new UnknownPurposeError(name);
}
