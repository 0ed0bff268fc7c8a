import { isOpaqueId, newOpaqueId } from '../identifiers/opaque-id.ts';

const filePrefix = 'fil';

export function newFileId(): string {
  return newOpaqueId(filePrefix);
}

export function isFileId(value: string): boolean {
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

/** The S3 tag staged objects carry, so a bucket lifecycle rule can expire those the janitor missed. */
export const stagedObjectTags: Readonly<Record<string, string>> = { 'guichet-state': 'staged' };
