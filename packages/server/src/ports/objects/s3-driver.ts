import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Config } from '../../config/config.ts';
import { ObjectNotFoundError } from './object-errors.ts';
import { assertSafeKey } from './object-key.ts';
import {
  type ByteRange,
  type ObjectInfo,
  type ObjectsPort,
  type PutOptions,
  type SignedUrlOptions,
  taggingHeader,
} from './objects-port.ts';

export interface S3ObjectsOptions {
  /** MaxKeys per ListObjectsV2 page; S3 caps it at 1000. Tests lower it to exercise paging. */
  listPageSize?: number;
  /** How long ping waits for HeadBucket before giving up. */
  pingTimeoutMs?: number;
}

/** Multipart part size, and the largest body sent as one buffered PutObject. */
const partSize = 8 * 1024 * 1024;
const queueSize = 4;
/** S3 refuses presigned URLs valid for longer than seven days. */
const maxPresignSeconds = 7 * 24 * 3600;

function httpStatus(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || httpStatus(error) === 404;
}

function checkRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0)
    throw new RangeError('range start must be a non-negative integer');
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new RangeError('range end must be an integer not below start');
  }
}

/** Reads a body expected to hold exactly `size` bytes, failing early when it holds more. */
async function readExactly(body: Readable, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    received += bytes.length;
    if (received > size) throw new Error(`body exceeds the ${size} bytes declared`);
    chunks.push(bytes);
  }
  if (received !== size) throw new Error(`body is ${received} bytes, ${size} were declared`);
  return Buffer.concat(chunks, size);
}

/** Counts the bytes on their way to Upload; fails the stream (so the upload aborts) on a size mismatch. */
function byteCounter(expected: number | undefined): Transform & { count: () => number } {
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      if (expected !== undefined && received > expected) {
        callback(new Error(`body exceeds the ${expected} bytes declared`));
      } else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (expected !== undefined && received !== expected) {
        callback(new Error(`body is ${received} bytes, ${expected} were declared`));
      } else callback();
    },
  });
  return Object.assign(counter, { count: () => received });
}

/**
 * Objects in an S3 bucket through AWS SDK v3. Any S3-compatible store works; path-style addressing
 * and the endpoint come from the configuration.
 */
export async function createS3Objects(
  config: S3Config,
  options: S3ObjectsOptions = {},
): Promise<ObjectsPort> {
  const { bucket } = config;
  const listPageSize = options.listPageSize ?? 1000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 3000;
  const client = new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
    // Default checksums use aws-chunked framing that several S3-compatible stores save inside the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Fail fast when the store is down: ping and health checks must answer within seconds.
    maxAttempts: 2,
    // requestTimeout is socket inactivity, not total duration, so large transfers are unaffected.
    requestHandler: { connectionTimeout: 2000, requestTimeout: 30_000 },
  });

  function tagging(tags: PutOptions['tags']): { Tagging?: string } {
    return tags && Object.keys(tags).length > 0 ? { Tagging: taggingHeader(tags) } : {};
  }

  async function putSmall(key: string, body: Readable, size: number, putOptions: PutOptions) {
    // Buffered, so the request starts only once the whole body is in hand: all or nothing.
    const bytes = await readExactly(body, size);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentLength: size,
        ...(putOptions.contentType ? { ContentType: putOptions.contentType } : {}),
        ...tagging(putOptions.tags),
      }),
    );
    return { size };
  }

  async function putStream(key: string, body: Readable, putOptions: PutOptions) {
    const counter = byteCounter(putOptions.size);
    let bodyError: Error | undefined;
    body.on('error', (error) => counter.destroy(error));
    counter.on('error', (error) => {
      bodyError ??= error;
    });
    body.pipe(counter);
    // Upload sends a single PutObject when the body fits one part, else a multipart upload that it
    // aborts on any failure (leavePartsOnError: false), so no partial object becomes visible.
    const upload = new Upload({
      client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: counter,
        ...(putOptions.contentType ? { ContentType: putOptions.contentType } : {}),
        ...tagging(putOptions.tags),
      },
      partSize,
      queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // When the body failed, that is the cause; a failed abort afterwards (some S3-compatible stores
      // lack AbortMultipartUpload) would otherwise replace it.
      throw bodyError ?? error;
    } finally {
      body.unpipe(counter);
    }
    return { size: counter.count() };
  }

  return {
    driver: 's3',

    async put(key: string, body: Readable, putOptions: PutOptions = {}): Promise<{ size: number }> {
      assertSafeKey(key);
      if (putOptions.size !== undefined && putOptions.size < partSize) {
        return putSmall(key, body, putOptions.size, putOptions);
      }
      return putStream(key, body, putOptions);
    },

    async get(key: string, range?: ByteRange): Promise<Readable> {
      assertSafeKey(key);
      if (range) checkRange(range);
      try {
        const response = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
          }),
        );
        if (!(response.Body instanceof Readable)) throw new Error('S3 response body is not a Node.js stream');
        return response.Body;
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(key);
        if (httpStatus(error) === 416) throw new RangeError('range starts beyond the end of the object');
        throw error;
      }
    },

    async head(key: string): Promise<ObjectInfo | undefined> {
      assertSafeKey(key);
      try {
        const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          key,
          size: response.ContentLength ?? 0,
          lastModified: response.LastModified ?? new Date(0),
          ...(response.ContentType ? { contentType: response.ContentType } : {}),
          ...(response.ETag ? { etag: response.ETag } : {}),
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async delete(key: string): Promise<void> {
      assertSafeKey(key);
      // S3 answers 204 for a missing key too.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      const pages = paginateListObjectsV2(
        { client, pageSize: listPageSize },
        { Bucket: bucket, Prefix: prefix, MaxKeys: listPageSize },
      );
      for await (const page of pages) {
        for (const entry of page.Contents ?? []) {
          if (entry.Key === undefined) continue;
          yield {
            key: entry.Key,
            size: entry.Size ?? 0,
            lastModified: entry.LastModified ?? new Date(0),
            ...(entry.ETag ? { etag: entry.ETag } : {}),
          };
        }
      }
    },

    async signedUrl(method: 'GET' | 'PUT', key: string, urlOptions: SignedUrlOptions): Promise<string> {
      assertSafeKey(key);
      const { expiresInSeconds } = urlOptions;
      if (
        !Number.isSafeInteger(expiresInSeconds) ||
        expiresInSeconds <= 0 ||
        expiresInSeconds > maxPresignSeconds
      ) {
        throw new RangeError(`expiresInSeconds must be an integer between 1 and ${maxPresignSeconds}`);
      }
      const command =
        method === 'GET'
          ? new GetObjectCommand({ Bucket: bucket, Key: key })
          : new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              // Signed headers: S3 refuses a request whose length or type differs.
              ...(urlOptions.contentLength !== undefined ? { ContentLength: urlOptions.contentLength } : {}),
              ...(urlOptions.contentType ? { ContentType: urlOptions.contentType } : {}),
              ...tagging(urlOptions.tags),
            });
      // Tagging stays a header the uploader sends: S3 ignores it when hoisted into the query.
      return getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        unhoistableHeaders: new Set(['x-amz-tagging']),
      });
    },

    async clearTags(key: string): Promise<void> {
      assertSafeKey(key);
      try {
        await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: [] } }));
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(key);
        throw error;
      }
    },

    async ping(): Promise<void> {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), {
        abortSignal: AbortSignal.timeout(pingTimeoutMs),
      });
    },

    async close(): Promise<void> {
      client.destroy();
    },
  };
}
