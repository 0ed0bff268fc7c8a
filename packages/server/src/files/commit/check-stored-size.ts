import type { ObjectsPort } from '../../ports/objects/objects-port.ts';
import type { StoredFileRow } from '../uploads/stored-file-store.ts';
import type { CommitFailure } from './commit-failure.ts';

/** The object exists, within the byte limit the upload was signed with, and as long as declared. */
export async function checkStoredSize(
  objects: ObjectsPort,
  upload: StoredFileRow,
): Promise<{ size: number } | CommitFailure> {
  const info = await objects.head(upload.object_key);
  if (info === undefined) return { id: upload.id, reason: 'missing_bytes', detail: 'no bytes were uploaded' };
  const maxBytes = Number(upload.max_bytes);
  // S3 presigned PUTs cannot cap an unknown length, so the limit is enforced here as well.
  if (info.size > maxBytes)
    return {
      id: upload.id,
      reason: 'too_large',
      detail: `${info.size} bytes; the purpose accepts ${maxBytes}`,
    };
  if (upload.declared_size !== null && Number(upload.declared_size) !== info.size)
    return {
      id: upload.id,
      reason: 'size_mismatch',
      detail: `${info.size} bytes uploaded; ${upload.declared_size} declared`,
    };
  if (info.size === 0) return { id: upload.id, reason: 'missing_bytes', detail: 'the upload is empty' };
  return { size: info.size };
}
