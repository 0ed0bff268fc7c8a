import { sql } from 'kysely';
import type { SqlPort } from '../../ports/sql/sql-port.ts';
import type { VariantSpec } from '../files-tables.ts';
import { maxVariantAttempts, retryDelaySeconds } from './variant-retry.ts';

/** A pending variant this worker has locked for a while, with what it needs to render it. */
export interface ClaimedVariant {
  fileId: string;
  name: string;
  objectKey: string;
  /** Attempts so far, this one included. */
  attempts: number;
  /** locked_until as PostgreSQL prints it: exact to the microsecond, unlike a Date, so it can identify the claim. */
  lock: string;
  sourceKey: string;
  /** Undefined when the purpose no longer declares this variant. */
  spec: VariantSpec | undefined;
  maxPixels: number | undefined;
}

/**
 * Locks up to `limit` due pending variants for `lockSeconds` and counts the attempt now, so a worker
 * that dies mid-render still uses one up and a poison image cannot loop forever. SKIP LOCKED lets
 * instances claim side by side; the locked_until condition makes a crashed worker's rows claimable
 * again once their lock has lapsed.
 */
export async function claimVariants(
  port: SqlPort,
  limit: number,
  lockSeconds: number,
): Promise<ClaimedVariant[]> {
  const claimed = await sql<{
    file_id: string;
    name: string;
    object_key: string;
    attempts: number;
    lock: string;
  }>`
    update file_variant set
      locked_until = now() + make_interval(secs => ${lockSeconds}),
      attempts = attempts + 1,
      updated_at = now()
    where (file_id, name) in (
      select file_id, name from file_variant
      where state = 'pending' and next_attempt_at <= now()
        and (locked_until is null or locked_until < now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning file_id, name, object_key, attempts, locked_until::text as lock`.execute(port.db);
  if (claimed.rows.length === 0) return [];
  const files = await port.db
    .selectFrom('stored_file')
    .leftJoin('file_purpose', 'file_purpose.name', 'stored_file.purpose')
    .select(['stored_file.id', 'stored_file.object_key', 'file_purpose.variants', 'file_purpose.max_pixels'])
    .where(
      'stored_file.id',
      'in',
      claimed.rows.map((row) => row.file_id),
    )
    .execute();
  const byId = new Map(files.map((file) => [file.id, file]));
  return claimed.rows.flatMap((row) => {
    const file = byId.get(row.file_id);
    // Deleted between the two statements: the cascade took the variant row too.
    if (file === undefined) return [];
    return [
      {
        fileId: row.file_id,
        name: row.name,
        objectKey: row.object_key,
        attempts: row.attempts,
        lock: row.lock,
        sourceKey: file.object_key,
        spec: (file.variants ?? []).find((spec) => spec.name === row.name),
        maxPixels: file.max_pixels === null ? undefined : Number(file.max_pixels),
      },
    ];
  });
}

/** Only the claim that still holds the lock may finish the job: a lapsed lock means someone else took it. */
function ownClaim(job: ClaimedVariant) {
  return sql<boolean>`file_id = ${job.fileId} and name = ${job.name} and state = 'pending' and locked_until = ${job.lock}::timestamptz`;
}

/** Marks the variant ready; false when the claim was lost (row deleted, or re-claimed after a lapse). */
export async function completeVariant(
  port: SqlPort,
  job: ClaimedVariant,
  output: { contentType: string; size: number; width: number; height: number },
): Promise<boolean> {
  const result = await port.db
    .updateTable('file_variant')
    .set({
      state: 'ready',
      locked_until: null,
      last_error: null,
      content_type: output.contentType,
      size: output.size,
      width: output.width,
      height: output.height,
      updated_at: sql`now()`,
    })
    .where(ownClaim(job))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Records a failed attempt: back to pending after a backoff, or failed for good once the attempts
 * are spent or when retrying cannot help (`permanent`). Returns the state the row was left in.
 */
export async function failVariant(
  port: SqlPort,
  job: ClaimedVariant,
  error: string,
  permanent: boolean,
): Promise<'pending' | 'failed' | 'lost'> {
  const final = permanent || job.attempts >= maxVariantAttempts;
  const result = await port.db
    .updateTable('file_variant')
    .set({
      state: final ? 'failed' : 'pending',
      locked_until: null,
      last_error: error.slice(0, 1000),
      next_attempt_at: sql`now() + make_interval(secs => ${retryDelaySeconds(job.attempts)})`,
      updated_at: sql`now()`,
    })
    .where(ownClaim(job))
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return 'lost';
  return final ? 'failed' : 'pending';
}
