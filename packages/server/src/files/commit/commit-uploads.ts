import type { CachePort } from '../../ports/cache/cache-port.ts';
import { ObjectNotFoundError } from '../../ports/objects/object-errors.ts';
import type { ObjectsPort } from '../../ports/objects/objects-port.ts';
import type { SqlPort } from '../../ports/sql/sql-port.ts';
import { createConcurrencyLimit } from '../../runtime/concurrency-limit.ts';
import type { Purpose } from '../purposes/purpose.ts';
import { findPurposes } from '../purposes/purpose-store.ts';
import { type FileView, toFileView } from '../uploads/file-view.ts';
import type { FilesCaller } from '../uploads/files-caller.ts';
import {
  findInBusiness,
  type InspectedFile,
  markCommitted,
  type StoredFileRow,
} from '../uploads/stored-file-store.ts';
import { announceQueuedVariants } from '../variants/variants-queued.ts';
import { type CommitFailure, CommitRefusedError, isCommitFailure } from './commit-failure.ts';
import { inspectUpload } from './inspect-upload.ts';

/** Uploads inspected at once: each costs a head request and a ranged read. */
const inspectionConcurrency = 8;

/** Runs `work` on every item, at most `limit` at once; the results keep the items' order. */
function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const lanes = createConcurrencyLimit(limit);
  return Promise.all(items.map((item) => lanes.run(() => work(item))));
}

/** Every requested id is a staged upload of the caller's business. */
function requireStaged(ids: readonly string[], rows: readonly StoredFileRow[]): CommitFailure[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id): CommitFailure[] => {
    const row = byId.get(id);
    if (row === undefined) return [{ id, reason: 'not_found', detail: 'no such upload' }];
    if (row.state !== 'staged') return [{ id, reason: 'not_staged', detail: 'already committed' }];
    return [];
  });
}

async function loadPurposes(sql: SqlPort, rows: readonly StoredFileRow[]): Promise<Map<string, Purpose>> {
  const found = await findPurposes(sql, [...new Set(rows.map((row) => row.purpose))]);
  return new Map(found.map((purpose) => [purpose.name, purpose]));
}

/** No purpose gets more files in one commit than it allows; the uploads past the count are named. */
function checkCounts(
  rows: readonly StoredFileRow[],
  purposes: ReadonlyMap<string, Purpose>,
): CommitFailure[] {
  const seen = new Map<string, number>();
  return rows.flatMap((row): CommitFailure[] => {
    const purpose = purposes.get(row.purpose);
    if (purpose === undefined)
      return [{ id: row.id, reason: 'not_found', detail: `the purpose ${row.purpose} no longer exists` }];
    const count = (seen.get(row.purpose) ?? 0) + 1;
    seen.set(row.purpose, count);
    return count > purpose.maxCount
      ? [
          {
            id: row.id,
            reason: 'too_many',
            detail: `${purpose.name} accepts ${purpose.maxCount} file(s) per commit`,
          },
        ]
      : [];
  });
}

function refuseIfAny(failures: readonly CommitFailure[]): void {
  if (failures.length > 0) throw new CommitRefusedError(failures);
}

/** S3 staged objects lose their staged tag, so the bucket's safety-net lifecycle rule spares them. */
async function unmarkStaged(objects: ObjectsPort, rows: readonly StoredFileRow[]): Promise<CommitFailure[]> {
  const results = await mapLimited(rows, inspectionConcurrency, async (row): Promise<CommitFailure[]> => {
    try {
      await objects.clearTags(row.object_key);
      return [];
    } catch (error) {
      if (error instanceof ObjectNotFoundError)
        return [{ id: row.id, reason: 'missing_bytes', detail: 'the bytes vanished during the commit' }];
      throw error;
    }
  });
  return results.flat();
}

/**
 * Commits uploads all or nothing: each must be a staged upload of the caller's business whose bytes
 * pass its purpose's rules. Resolves to the files; rejects with CommitRefusedError listing every
 * failure, having changed nothing.
 */
export async function commitUploads(
  ports: { sql: SqlPort; objects: ObjectsPort; cache: CachePort },
  caller: FilesCaller,
  requested: readonly string[],
): Promise<FileView[]> {
  const { sql, objects } = ports;
  const ids = [...new Set(requested)];
  const rows = await findInBusiness(sql, caller.businessId, ids);
  refuseIfAny(requireStaged(ids, rows));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ordered = ids.map((id) => byId.get(id) as StoredFileRow);
  const purposes = await loadPurposes(sql, ordered);
  refuseIfAny(checkCounts(ordered, purposes));

  const inspected = await mapLimited(ordered, inspectionConcurrency, (row) =>
    inspectUpload(objects, row, purposes.get(row.purpose) as Purpose),
  );
  refuseIfAny(inspected.filter(isCommitFailure));
  refuseIfAny(await unmarkStaged(objects, ordered));

  const files = inspected.filter((item): item is InspectedFile => !isCommitFailure(item));
  const committed = await markCommitted(sql, caller.businessId, files);
  if (committed === undefined) {
    const now = await findInBusiness(sql, caller.businessId, ids);
    const lost = requireStaged(ids, now);
    throw new CommitRefusedError(
      lost.length > 0
        ? lost
        : ids.map((id) => ({ id, reason: 'not_staged', detail: 'changed during the commit' })),
    );
  }
  if (committed.variants.length > 0) announceQueuedVariants(ports.cache);
  return committed.files.map((row) => toFileView(row, committed.variants));
}
