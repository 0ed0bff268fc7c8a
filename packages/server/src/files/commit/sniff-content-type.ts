import { fileTypeFromBuffer } from 'file-type';
import type { Purpose } from '../purposes/purpose.ts';
import type { StoredFileRow } from '../uploads/stored-file-store.ts';
import type { CommitFailure } from './commit-failure.ts';

/** The type the bytes say, never the file name or the declared type; it must be one the purpose accepts. */
export async function sniffContentType(
  upload: StoredFileRow,
  head: Buffer,
  purpose: Purpose,
): Promise<{ contentType: string } | CommitFailure> {
  const detected = await fileTypeFromBuffer(head);
  const contentType = detected?.mime;
  if (contentType === undefined || !purpose.types.includes(contentType))
    return {
      id: upload.id,
      reason: 'type_not_allowed',
      detail: `the bytes are ${contentType ?? 'of an unrecognised type'}; ${purpose.name} accepts ${purpose.types.join(', ')}`,
    };
  return { contentType };
}
