/** Why Guichet refused to commit one upload (`POST /files/commit` answers 422 with a list of these). */
export type FileCommitFailureReason =
  | 'not_found'
  | 'not_staged'
  | 'missing_bytes'
  | 'too_large'
  | 'size_mismatch'
  | 'type_not_allowed'
  | 'image_too_large'
  | 'unreadable_image'
  | 'too_many';

export interface FileCommitFailure {
  id: string;
  reason: FileCommitFailureReason;
  detail: string;
}

/** An RFC 9457 problem details document, as Guichet's REST API answers errors. */
export interface FilesProblem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  [member: string]: unknown;
}

/**
 * A files request failed. `status` is Guichet's (or the object store's) HTTP status, `undefined`
 * when no answer came; `detail` is the problem's detail, safe to log (it never repeats the token).
 */
export class GuichetFilesError extends Error {
  readonly status: number | undefined;
  readonly detail: string;
  /** The problem details document, when Guichet sent one. */
  readonly problem: FilesProblem | undefined;

  constructor(status: number | undefined, detail: string, problem?: FilesProblem, options?: ErrorOptions) {
    super(status === undefined ? detail : `${status}: ${detail}`, options);
    this.name = 'GuichetFilesError';
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }
}

/** The bytes exceed what the purpose (or the signed length) allows: 413. Nothing was kept. */
export class FileTooLargeError extends GuichetFilesError {
  /** The largest size accepted, in bytes, when known. */
  readonly maxBytes: number | undefined;
  constructor(detail: string, maxBytes?: number, problem?: FilesProblem, options?: ErrorOptions) {
    super(413, detail, problem, options);
    this.name = 'FileTooLargeError';
    this.maxBytes = maxBytes;
  }
}

/** A commit was refused as a whole (422): `errors` says which uploads failed and why; all stay staged. */
export class FilesCommitError extends GuichetFilesError {
  readonly errors: readonly FileCommitFailure[];
  constructor(detail: string, errors: readonly FileCommitFailure[], problem?: FilesProblem) {
    super(422, detail, problem);
    this.name = 'FilesCommitError';
    this.errors = errors;
  }
}
