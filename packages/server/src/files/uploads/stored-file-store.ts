import { sql as rawSql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../ports/sql/schema.ts';
import type { SqlPort } from '../../ports/sql/sql-port.ts';
import { variantObjectKey } from '../file-keys.ts';
import type { FileVariantTable, StoredFileTable, VariantSpec } from '../files-tables.ts';

export type StoredFileRow = Selectable<StoredFileTable>;
export type FileVariantRow = Selectable<FileVariantTable>;

export interface NewUpload {
  id: string;
  businessId: string;
  purpose: string;
  objectKey: string;
  filename: string;
  declaredType: string | null;
  declaredSize: number | null;
  maxBytes: number;
  createdBy: string;
  stagedUntil: Date;
}

export async function insertUpload(sql: SqlPort, upload: NewUpload): Promise<StoredFileRow> {
  return sql.db
    .insertInto('stored_file')
    .values({
      id: upload.id,
      business_id: upload.businessId,
      purpose: upload.purpose,
      state: 'staged',
      object_key: upload.objectKey,
      filename: upload.filename,
      declared_type: upload.declaredType,
      declared_size: upload.declaredSize,
      max_bytes: upload.maxBytes,
      created_by: upload.createdBy,
      staged_until: upload.stagedUntil,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The rows among `ids` that belong to `businessId`; others are as good as missing. */
export async function findInBusiness(
  sql: SqlPort,
  businessId: string,
  ids: readonly string[],
): Promise<StoredFileRow[]> {
  if (ids.length === 0) return [];
  return sql.db
    .selectFrom('stored_file')
    .selectAll()
    .where('business_id', '=', businessId)
    .where('id', 'in', ids)
    .execute();
}

/** Removes a staged upload of the business; undefined when there is none (or it is committed). */
export async function deleteStagedUpload(
  sql: SqlPort,
  businessId: string,
  id: string,
): Promise<StoredFileRow | undefined> {
  return sql.db
    .deleteFrom('stored_file')
    .where('id', '=', id)
    .where('business_id', '=', businessId)
    .where('state', '=', 'staged')
    .returningAll()
    .executeTakeFirst();
}

/** Removes a committed file and its variant rows; returns every object key that must go too. */
export async function deleteCommittedFile(
  sql: SqlPort,
  businessId: string,
  id: string,
): Promise<string[] | undefined> {
  return sql.db.transaction().execute(async (trx) => {
    const variants = await trx
      .selectFrom('file_variant')
      .innerJoin('stored_file', 'stored_file.id', 'file_variant.file_id')
      .select('file_variant.object_key')
      .where('stored_file.id', '=', id)
      .where('stored_file.business_id', '=', businessId)
      .execute();
    const removed = await trx
      .deleteFrom('stored_file')
      .where('id', '=', id)
      .where('business_id', '=', businessId)
      .where('state', '=', 'committed')
      .returning('object_key')
      .executeTakeFirst();
    if (removed === undefined) return undefined;
    return [removed.object_key, ...variants.map((variant) => variant.object_key)];
  });
}

/** Names are ASCII, so comparing code units is byte order. */
function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export async function variantsOf(sql: SqlPort, fileIds: readonly string[]): Promise<FileVariantRow[]> {
  if (fileIds.length === 0) return [];
  return (
    sql.db
      .selectFrom('file_variant')
      .selectAll()
      .where('file_id', 'in', fileIds)
      .orderBy('file_id')
      // Byte order, whatever the database's collation: the same order as a commit's answer.
      .orderBy(rawSql`name collate "C"`)
      .execute()
  );
}

/** What inspection learnt of an upload's bytes, recorded when it becomes a file. */
export interface InspectedFile {
  id: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  variants: readonly VariantSpec[];
}

/** The files a commit made, and the variants it queued for them. */
export interface CommittedFiles {
  files: StoredFileRow[];
  variants: FileVariantRow[];
}

/**
 * Turns staged uploads into files and queues their variants, in one transaction. Resolves to the
 * committed rows, in the order of `files`, with the queued variant rows; to undefined, changing
 * nothing, when one of them is no longer staged (a concurrent commit or discard won).
 */
export async function markCommitted(
  sql: SqlPort,
  businessId: string,
  files: readonly InspectedFile[],
): Promise<CommittedFiles | undefined> {
  return sql.db
    .transaction()
    .execute(async (trx: Transaction<Database>) => {
      const now = new Date();
      const committed: StoredFileRow[] = [];
      for (const file of files) {
        const updated = await trx
          .updateTable('stored_file')
          .set({
            state: 'committed',
            content_type: file.contentType,
            size: file.size,
            width: file.width,
            height: file.height,
            committed_at: now,
            staged_until: null,
          })
          .where('id', '=', file.id)
          .where('business_id', '=', businessId)
          .where('state', '=', 'staged')
          .returningAll()
          .executeTakeFirst();
        if (updated === undefined) throw new LostRace();
        committed.push(updated);
      }
      // One insert for every file's variants.
      const pending = files.flatMap((file) =>
        file.variants.map((variant) => ({
          file_id: file.id,
          name: variant.name,
          object_key: variantObjectKey(file.id, variant.name),
          state: 'pending' as const,
        })),
      );
      const variants =
        pending.length === 0
          ? []
          : await trx.insertInto('file_variant').values(pending).returningAll().execute();
      // RETURNING promises no order: sorted by name in byte order, as variantsOf lists them.
      variants.sort(byName);
      return { files: committed, variants };
    })
    .catch((error: unknown) => {
      if (error instanceof LostRace) return undefined;
      throw error;
    });
}

/** Rolls the commit transaction back when another request changed an upload first. */
class LostRace extends Error {}
