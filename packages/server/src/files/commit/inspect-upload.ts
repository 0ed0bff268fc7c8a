import type { ObjectsPort } from '../../ports/objects/objects-port.ts';
import type { Purpose } from '../purposes/purpose.ts';
import { imageTypes } from '../purposes/purpose.ts';
import type { InspectedFile, StoredFileRow } from '../uploads/stored-file-store.ts';
import { checkImageHeader } from './check-image-header.ts';
import { checkStoredSize } from './check-stored-size.ts';
import { type CommitFailure, isCommitFailure as isFailure } from './commit-failure.ts';
import { readObjectHead, sniffBytes } from './read-object-head.ts';
import { sniffContentType } from './sniff-content-type.ts';

/**
 * Validates one staged upload by reading only what it must: its size from a head request, its type
 * and image header from one ranged read of the first bytes.
 */
export async function inspectUpload(
  objects: ObjectsPort,
  upload: StoredFileRow,
  purpose: Purpose,
): Promise<InspectedFile | CommitFailure> {
  const stored = await checkStoredSize(objects, upload);
  if (isFailure(stored)) return stored;
  const head = await readObjectHead(objects, upload.object_key, stored.size, sniffBytes);
  const sniffed = await sniffContentType(upload, head, purpose);
  if (isFailure(sniffed)) return sniffed;
  const isImage = imageTypes.has(sniffed.contentType);
  const image = isImage
    ? await checkImageHeader(objects, upload, { head, size: stored.size }, purpose)
    : undefined;
  if (image !== undefined && isFailure(image)) return image;
  return {
    id: upload.id,
    contentType: sniffed.contentType,
    size: stored.size,
    width: image?.width ?? null,
    height: image?.height ?? null,
    variants: isImage ? purpose.variants : [],
  };
}
