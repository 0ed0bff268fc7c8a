export type CommitFailureReason =
  | 'not_found'
  | 'not_staged'
  | 'missing_bytes'
  | 'too_large'
  | 'size_mismatch'
  | 'type_not_allowed'
  | 'image_too_large'
  | 'unreadable_image'
  | 'too_many';

/** Why one upload of a commit cannot become a file. */
export interface CommitFailure {
  id: string;
  reason: CommitFailureReason;
  detail: string;
}

/** The whole commit is refused: nothing was committed, every upload stays as it was. */
export class CommitRefusedError extends Error {
  readonly failures: readonly CommitFailure[];
  constructor(failures: readonly CommitFailure[]) {
    super(`${failures.length} upload(s) cannot be committed`);
    this.name = 'CommitRefusedError';
    this.failures = failures;
  }
}

export function isCommitFailure(value: object): value is CommitFailure {
  return 'reason' in value;
}
