import type { Readable } from 'node:stream';

/** The bytes of an upload: a Node stream, any async iterable of bytes, or a web stream. */
export type StageBody = Readable | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Options of {@link FilesClient.stage}. */
export interface StageOptions {
  /** The purpose (declared on Guichet) whose rules the file must pass at commit. */
  purpose: string;
  filename: string;
  /** The type the sender claims; Guichet sniffs the real one from the bytes at commit. */
  contentType?: string;
  /** The exact length, when known: it is signed into the URL and the store refuses any other. */
  size?: number;
  /** Aborts the upload; the staged upload is then discarded. */
  signal?: AbortSignal;
  /** Called with the upload's id as soon as Guichet created it, before any byte is sent. */
  onCreated?: (id: string) => void;
}

/** A staged upload: stored, not yet a file. Commit it or discard it. */
export interface StagedUpload {
  id: string;
  filename: string;
  /** Bytes sent. */
  size: number;
  purpose: string;
}

export type FileVariantState = 'pending' | 'ready' | 'failed';

export interface FileVariantView {
  name: string;
  state: FileVariantState;
  width: number | null;
  height: number | null;
}

/** A committed file. */
export interface FileView {
  id: string;
  purpose: string;
  filename: string;
  /** Sniffed from the bytes at commit. */
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  createdAt: string;
  committedAt: string;
  variants: FileVariantView[];
}

/** A committed file with a short-lived download URL. */
export interface FileDownload extends FileView {
  url: string;
  urlExpiresAt: string;
}

/** Guichet's files API, acting for the person whose access token it holds, in their active business. */
export interface FilesClient {
  /**
   * Stages the bytes: creates an upload, then streams the body to its signed URL with backpressure
   * (never buffered whole). The stream is consumed, or destroyed on failure. Rejects with
   * FileTooLargeError past the purpose's limit; any failure discards the upload.
   */
  stage(body: StageBody, options: StageOptions): Promise<StagedUpload>;
  /** Commits uploads all or nothing; rejects with FilesCommitError (its `errors`) when any fails. */
  commit(ids: readonly string[]): Promise<FileView[]>;
  /** Discards staged uploads (object and record); ids Guichet does not know are ignored. */
  discard(ids: readonly string[]): Promise<void>;
  /** A committed file and a download URL (of the variant, when named). */
  get(id: string, options?: { variant?: string }): Promise<FileDownload>;
  /** Deletes a committed file and its variants. */
  delete(id: string): Promise<void>;
}
