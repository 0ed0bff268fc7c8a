import { type ObjectsPort, taggingHeader } from '../../ports/objects/objects-port.ts';
import { signObjectUrl } from '../../ports/objects/url-signature.ts';
import { stagedObjectTags } from '../file-keys.ts';

/** Where and how to send an upload's bytes. */
export interface UploadTarget {
  url: string;
  method: 'PUT';
  /** Headers the uploader must send as they are, or the store refuses the request. */
  headers: Record<string, string>;
}

export interface UploadTargetRequest {
  key: string;
  expiresAt: Date;
  maxBytes: number;
  /** Exact size, when the uploader knows it. */
  size: number | undefined;
  contentType: string | undefined;
}

/**
 * With the size known and S3 behind, the bytes go straight to S3 on a presigned PUT that fixes the
 * length. Otherwise they go to Guichet's own signed endpoint, which enforces the exact length or
 * stops reading past the purpose's maximum, and streams into whichever object store is configured.
 */
export async function uploadTarget(
  objects: ObjectsPort,
  guichet: { baseUrl: string; signingKey: Buffer },
  request: UploadTargetRequest,
): Promise<UploadTarget> {
  const expiresInSeconds = Math.max(1, Math.floor((request.expiresAt.getTime() - Date.now()) / 1000));
  if (objects.driver === 's3' && request.size !== undefined) {
    const url = await objects.signedUrl('PUT', request.key, {
      expiresInSeconds,
      contentLength: request.size,
      tags: stagedObjectTags,
      ...(request.contentType ? { contentType: request.contentType } : {}),
    });
    return {
      url,
      method: 'PUT',
      headers: {
        'x-amz-tagging': taggingHeader(stagedObjectTags),
        ...(request.contentType ? { 'content-type': request.contentType } : {}),
      },
    };
  }
  const url = signObjectUrl(
    {
      baseUrl: guichet.baseUrl,
      key: request.key,
      method: 'PUT',
      expiresAt: request.expiresAt,
      ...(request.size === undefined ? { maxLength: request.maxBytes } : { contentLength: request.size }),
    },
    guichet.signingKey,
  );
  return { url, method: 'PUT', headers: {} };
}
