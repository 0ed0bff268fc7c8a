import type { Readable } from 'node:stream';

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  contentType?: string;
  etag?: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; omitted means up to the end. */
  end?: number;
}

export interface PutOptions {
  contentType?: string;
  /** Known size, lets drivers avoid multipart for small bodies. */
  size?: number;
  /** Object tags (S3 tagging; the filesystem driver keeps none). */
  tags?: Readonly<Record<string, string>>;
}

export interface SignedUrlOptions {
  expiresInSeconds: number;
  contentType?: string;
  /** For PUT: the exact number of bytes the URL accepts, when the driver can enforce it. */
  contentLength?: number;
  /** For PUT: the most bytes the URL accepts, when the driver can enforce it (filesystem only). */
  maxContentLength?: number;
  /**
   * For PUT: tags the stored object gets. S3 signs them as the `x-amz-tagging` header, which the
   * uploader must then send with the value taggingHeader() gives.
   */
  tags?: Readonly<Record<string, string>>;
}

/** The `x-amz-tagging` value (URL query encoding) for a set of tags. */
export function taggingHeader(tags: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(tags)).toString();
}

/** Object storage. Keys are relative, slash-separated, and never escape the store. */
export interface ObjectsPort {
  readonly driver: 'fs' | 's3';
  /** Streams the body to the store; the object appears whole or not at all. */
  put(key: string, body: Readable, options?: PutOptions): Promise<{ size: number }>;
  /** Rejects with ObjectNotFoundError when the key does not exist. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every tag of an object; rejects with ObjectNotFoundError when it does not exist. */
  clearTags(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
  signedUrl(method: 'GET' | 'PUT', key: string, options: SignedUrlOptions): Promise<string>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
