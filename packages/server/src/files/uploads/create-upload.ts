import type { ServerContext } from '../../runtime/server-context.ts';
import { FileTooLargeError, InvalidFileInputError } from '../file-errors.ts';
import { fileObjectKey, newFileId } from '../file-keys.ts';
import { requirePurpose } from '../purposes/purpose-store.ts';
import type { FilesCaller } from './files-caller.ts';
import { insertUpload } from './stored-file-store.ts';
import { type UploadTarget, uploadTarget } from './upload-target.ts';

export interface CreateUploadInput {
  purpose: string;
  filename: string;
  size?: number;
  contentType?: string;
}

export interface CreatedUpload extends UploadTarget {
  id: string;
  expiresAt: string;
  maxBytes: number;
}

/** A signed upload URL stays valid at most this long, and never past the upload's staging TTL. */
const maxUrlSeconds = 15 * 60;

// Control characters and path separators have no business in a name shown back to people.
function isUnsafeFilename(name: string): boolean {
  return [...name].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x20 || code === 0x7f || char === '/' || char === '\\';
  });
}

/**
 * Records a staged upload for the caller's business, then signs where its bytes go. The record comes
 * first: an object never exists without one, except when its record expired (the janitor's case).
 */
export async function createUpload(
  context: ServerContext,
  guichet: { baseUrl: string; signingKey: Buffer },
  caller: FilesCaller,
  input: CreateUploadInput,
): Promise<CreatedUpload> {
  const { sql, objects } = context.ports;
  const purpose = await requirePurpose(sql, input.purpose);
  if (isUnsafeFilename(input.filename))
    throw new InvalidFileInputError('filename must not contain control characters, / or \\');
  if (input.size !== undefined && input.size > purpose.maxBytes)
    throw new FileTooLargeError(purpose.maxBytes);
  const now = Date.now();
  const ttlSeconds = context.config.files.uploadTtlSeconds;
  const stagedUntil = new Date(now + ttlSeconds * 1000);
  const urlExpiresAt = new Date(now + Math.min(ttlSeconds, maxUrlSeconds) * 1000);
  const id = newFileId();
  const key = fileObjectKey(id);
  await insertUpload(sql, {
    id,
    businessId: caller.businessId,
    purpose: purpose.name,
    objectKey: key,
    filename: input.filename,
    declaredType: input.contentType ?? null,
    declaredSize: input.size ?? null,
    maxBytes: purpose.maxBytes,
    createdBy: caller.sub,
    stagedUntil,
  });
  const target = await uploadTarget(objects, guichet, {
    key,
    expiresAt: urlExpiresAt,
    maxBytes: purpose.maxBytes,
    size: input.size,
    contentType: input.contentType,
  });
  return { id, ...target, expiresAt: urlExpiresAt.toISOString(), maxBytes: purpose.maxBytes };
}
