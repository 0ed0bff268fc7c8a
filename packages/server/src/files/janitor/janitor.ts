import { sql } from 'kysely';
import { defaultOrphanGraceSeconds, defaultUploadTtlSeconds } from '../../config/config.ts';
import type { ObjectsPort } from '../../ports/objects/objects-port.ts';
import type { SqlPort } from '../../ports/sql/sql-port.ts';
import type { JanitorPhase, JanitorProgress, JanitorReport } from './janitor-report.ts';
import { mergeByKey } from './key-order.ts';

/** The subset of a pino logger the janitor uses. */
export interface JanitorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface JanitorOptions {
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Only for staged rows without staged_until: they expire this long after creation. */
  uploadTtlSeconds?: number;
  /** An object without a record is left alone until it is this old: its upload may still be starting. */
  orphanGraceSeconds?: number;
  /** The moment the run reckons from; tests move it forward instead of waiting. */
  now?: Date;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: JanitorProgress) => void;
  logger?: JanitorLogger;
}

interface Run {
  sql: SqlPort;
  objects: ObjectsPort;
  now: Date;
  dryRun: boolean;
  graceCutoff: Date;
  batchSize: number;
  signal: AbortSignal | undefined;
  /** Undefined when nobody watches: then the totals are not even counted. */
  progress: ((phase: JanitorPhase, done: number, total: number) => void) | undefined;
  report: JanitorReport;
}

const missingKeysKept = 100;

function secondsOption(name: string, value: number | undefined, fallback: number): number {
  const seconds = value ?? fallback;
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`${name} must be a non-negative number`);
  return seconds;
}

/** A phase's total, for the progress display only: a full count is not run when nobody watches. */
async function countForProgress(run: Run, count: () => Promise<{ count: string }>): Promise<number> {
  return run.progress === undefined ? 0 : Number((await count()).count);
}

/** Staged rows past their TTL, as a condition shared by the count, the listing and the delete. */
function expiredStaged(now: Date, ttlSeconds: number) {
  return sql<boolean>`state = 'staged' and (staged_until < ${now}
    or (staged_until is null and created_at < ${new Date(now.getTime() - ttlSeconds * 1000)}))`;
}

/**
 * Removes staged uploads past their TTL. The row goes first, in a statement that re-checks it is still
 * staged and expired, so a commit that got there first keeps its object; the object goes after. A
 * crash between the two leaves an object without a record, which the orphan scan removes later.
 */
async function removeExpiredUploads(run: Run, ttlSeconds: number): Promise<void> {
  const condition = expiredStaged(run.now, ttlSeconds);
  const total = await countForProgress(run, () =>
    run.sql.db
      .selectFrom('stored_file')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where(condition)
      .executeTakeFirstOrThrow(),
  );
  let done = 0;
  let after = '';
  run.progress?.('expired uploads', 0, total);
  for (;;) {
    run.signal?.throwIfAborted();
    const batch = await run.sql.db
      .selectFrom('stored_file')
      .select(['id', 'object_key'])
      .where(condition)
      .where('id', '>', after)
      .orderBy('id')
      .limit(run.batchSize)
      .execute();
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.id ?? after;
    let removed = batch;
    if (!run.dryRun) {
      removed = await run.sql.db
        .deleteFrom('stored_file')
        .where(
          'id',
          'in',
          batch.map((row) => row.id),
        )
        .where(condition)
        .returning(['id', 'object_key'])
        .execute();
      for (const row of removed) await run.objects.delete(row.object_key);
    }
    run.report.expiredUploads += removed.length;
    done += batch.length;
    run.progress?.('expired uploads', done, Math.max(total, done));
  }
}

interface KeyedRecord {
  key: string;
  /** committed (files) or ready (variants): the object must exist. */
  needsObject: boolean;
}

/** Records under `prefix`, in key byte order (collate "C", like the listings), a page at a time. */
async function* recordsByKey(run: Run, table: 'stored_file' | 'file_variant'): AsyncGenerator<KeyedRecord> {
  const needsObject = table === 'stored_file' ? sql`state = 'committed'` : sql`state = 'ready'`;
  let after = '';
  for (;;) {
    const page = await sql<{ key: string; needs_object: boolean }>`
      select object_key as key, ${needsObject} as needs_object from ${sql.table(table)}
      where object_key collate "C" > ${after}
      order by object_key collate "C"
      limit ${run.batchSize}`.execute(run.sql.db);
    for (const row of page.rows) yield { key: row.key, needsObject: row.needs_object };
    const last = page.rows[page.rows.length - 1];
    if (last === undefined || page.rows.length < run.batchSize) return;
    after = last.key;
  }
}

async function existingRecordKeys(run: Run, table: 'stored_file' | 'file_variant', keys: string[]) {
  if (keys.length === 0) return new Set<string>();
  const rows = await run.sql.db
    .selectFrom(table)
    .select('object_key')
    .where('object_key', 'in', keys)
    .execute();
  return new Set(rows.map((row) => row.object_key));
}

/**
 * One pass over the objects under `prefix` and the records of `table`, side by side: an object with
 * no record past the grace is removed (after a last look at the table, since rows may have appeared
 * during the scan); a record that needs its object and has none is collected in `missing`, once a
 * HEAD has confirmed it (the object may have arrived after the listing passed its key).
 */
async function scan(
  run: Run,
  phase: JanitorPhase,
  prefix: string,
  table: 'stored_file' | 'file_variant',
): Promise<string[]> {
  const estimate = await countForProgress(run, () =>
    run.sql.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow(),
  );
  let done = 0;
  let orphans: string[] = [];
  let suspects: string[] = [];
  const missing: string[] = [];

  const flushOrphans = async () => {
    const recorded = await existingRecordKeys(run, table, orphans);
    const confirmed = orphans.filter((key) => !recorded.has(key));
    if (!run.dryRun) for (const key of confirmed) await run.objects.delete(key);
    run.report.orphanObjects += confirmed.length;
    orphans = [];
  };
  const flushSuspects = async () => {
    const recorded = await existingRecordKeys(run, table, suspects);
    for (const key of suspects) {
      if (recorded.has(key) && (await run.objects.head(key)) === undefined) missing.push(key);
    }
    suspects = [];
  };

  run.progress?.(phase, 0, estimate);
  const records = recordsByKey(run, table);
  for await (const match of mergeByKey(run.objects.list(prefix), records)) {
    run.signal?.throwIfAborted();
    if (match.object !== undefined) run.report.scannedObjects += 1;
    if (match.object !== undefined && match.record === undefined) {
      if (match.object.lastModified < run.graceCutoff) orphans.push(match.key);
      else run.report.recentUnrecordedObjects += 1;
    } else if (match.object === undefined && match.record?.needsObject) {
      suspects.push(match.key);
    }
    if (orphans.length >= run.batchSize) await flushOrphans();
    if (suspects.length >= run.batchSize) await flushSuspects();
    done += 1;
    if (done % 100 === 0) run.progress?.(phase, done, Math.max(estimate, done));
  }
  await flushOrphans();
  await flushSuspects();
  run.progress?.(phase, done, done);
  return missing;
}

/** Ready variants whose object is gone go back to the queue: the worker can render them again. */
async function requeueVariants(run: Run, keys: string[]): Promise<void> {
  run.report.requeuedVariants += keys.length;
  if (run.dryRun || keys.length === 0) return;
  await run.sql.db
    .updateTable('file_variant')
    .set({
      state: 'pending',
      attempts: 0,
      next_attempt_at: sql`now()`,
      locked_until: null,
      last_error: 'object missing; queued again by the janitor',
      updated_at: sql`now()`,
    })
    .where('object_key', 'in', keys)
    .where('state', '=', 'ready')
    .execute();
}

/**
 * One janitor run: removes staged uploads past their TTL, removes objects that have no record once
 * past the grace, queues lost variants again and reports committed files whose object is missing.
 * Safe to run while the server serves, and idempotent; it holds no transaction open.
 */
export async function runJanitor(
  ports: { sql: SqlPort; objects: ObjectsPort },
  options: JanitorOptions = {},
): Promise<JanitorReport> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const ttlSeconds = secondsOption('uploadTtlSeconds', options.uploadTtlSeconds, defaultUploadTtlSeconds);
  const graceSeconds = secondsOption(
    'orphanGraceSeconds',
    options.orphanGraceSeconds,
    defaultOrphanGraceSeconds,
  );
  const report: JanitorReport = {
    dryRun: options.dryRun ?? false,
    expiredUploads: 0,
    orphanObjects: 0,
    recentUnrecordedObjects: 0,
    missingObjects: 0,
    missingKeys: [],
    requeuedVariants: 0,
    scannedObjects: 0,
    durationMs: 0,
  };
  const run: Run = {
    sql: ports.sql,
    objects: ports.objects,
    now,
    dryRun: report.dryRun,
    graceCutoff: new Date(now.getTime() - graceSeconds * 1000),
    batchSize: options.batchSize ?? 500,
    signal: options.signal,
    progress:
      options.onProgress === undefined
        ? undefined
        : (phase, done, total) => options.onProgress?.({ phase, done, total }),
    report,
  };
  await removeExpiredUploads(run, ttlSeconds);
  const missingFiles = await scan(run, 'files', 'files/', 'stored_file');
  const missingVariants = await scan(run, 'variants', 'variants/', 'file_variant');
  await requeueVariants(run, missingVariants);
  report.missingObjects = missingFiles.length;
  report.missingKeys = missingFiles.slice(0, missingKeysKept);
  report.durationMs = Math.round(performance.now() - started);
  if (missingFiles.length > 0) {
    options.logger?.warn(
      { missingObjects: missingFiles.length, keys: report.missingKeys },
      'files janitor: committed files whose object is missing',
    );
  }
  options.logger?.info({ ...report, missingKeys: undefined }, 'files janitor run finished');
  return report;
}
