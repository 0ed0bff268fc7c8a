import { isOpaqueId, newOpaqueId } from '../identifiers/opaque-id.ts';

const filePrefix = 'fil';

export function newFileId(): string {
  return newOpaqueId(filePrefix);
}

function isFileId(value: string): boolean {
  return isOpaqueId(filePrefix, value);
}

/** Where a file's bytes live, from staging to deletion: the key never changes, only the record's state. */
export function fileObjectKey(id: string): string {
  return `files/${id}`;
}

export function variantObjectKey(id: string, variant: string): string {
  return `variants/${id}/${variant}`;
}

/** The file id an object key belongs to, for the janitor; undefined for keys Guichet did not make. */
export function fileIdOfObjectKey(key: string): string | undefined {
  const match = /^(?:files\/([^/]+)|variants\/([^/]+)\/[^/]+)$/.exec(key);
  const id = match?.[1] ?? match?.[2];
  return id !== undefined && isFileId(id) ? id : undefined;
}

/** Whether the key is an upload's own object (not a variant, not a key Guichet did not make). */
export function isUploadObjectKey(key: string): boolean {
  return key.startsWith('files/') && fileIdOfObjectKey(key) !== undefined;
}

/** The S3 tag staged objects carry, so a bucket lifecycle rule can expire those the janitor missed. */
export const stagedObjectTags: Readonly<Record<string, string>> = { 'guichet-state': 'staged' };

/**
 * Tags for bytes arriving through Guichet's own signed PUT: an upload's object is staged until its
 * commit clears the tag, whichever way its bytes came (S3 presigned URLs sign the same tag).
 */
export function tagsForUploadedObject(key: string): Readonly<Record<string, string>> | undefined {
  return isUploadObjectKey(key) ? stagedObjectTags : undefined;
}
