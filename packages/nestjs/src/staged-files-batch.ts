import type { FilesClient, FileView, StagedUpload } from '@guichet/sdk';

/** A file of the form, staged on Guichet: its id can go in the app's records once committed. */
export interface StagedFile {
  id: string;
  /** The form field it came in. */
  field: string;
  filename: string;
  /** Bytes received. */
  size: number;
  purpose: string;
  /** The type the client declared (Guichet sniffs the real one at commit); null when none. */
  contentType: string | null;
}

/** The staged files of one request, and control over their commit. */
export interface StagedFileBatch {
  readonly files: readonly StagedFile[];
  /** Whether the files are committed (by `commit()`, `markCommitted()` or the interceptor). */
  readonly committed: boolean;
  /**
   * Commits every file now, e.g. inside the handler's own transaction so that its records and the
   * files stand or fall together. Calling it again returns the same views; the interceptor then
   * does not commit them a second time. Rejects with the SDK's FilesCommitError when Guichet refuses.
   */
  commit(): Promise<FileView[]>;
  /** Tells the interceptor the files were committed some other way (e.g. the SDK's files client). */
  markCommitted(): void;
}

/** The interceptor's side of a batch: tracking uploads in flight, then discarding what is left. */
export interface TrackedBatch extends StagedFileBatch {
  /** Records an upload in flight; its result joins `files` when it succeeds. */
  track(field: string, contentType: string | null, upload: Promise<StagedUpload>): void;
  /** Resolves once every upload in flight has settled; rejects with the first failure. */
  settled(): Promise<void>;
  /** Discards every staged file unless committed; never rejects (the janitor is the safety net). */
  discardUnlessCommitted(): Promise<void>;
}

export function createStagedFileBatch(client: FilesClient): TrackedBatch {
  // Slots in arrival order: uploads may finish out of order, the files keep the form's order.
  const slots: Array<StagedFile | undefined> = [];
  const staged = () => slots.filter((file) => file !== undefined);
  const pending: Array<Promise<unknown>> = [];
  let committing: Promise<FileView[]> | undefined;
  let committed = false;

  return {
    get files() {
      return staged();
    },
    get committed() {
      return committed;
    },
    commit() {
      committing ??= client.commit(staged().map((file) => file.id)).then(
        (views) => {
          committed = true;
          return views;
        },
        (error: unknown) => {
          // A refused commit leaves the uploads staged: a later commit may be tried again.
          committing = undefined;
          throw error;
        },
      );
      return committing;
    },
    markCommitted() {
      committed = true;
    },
    track(field, contentType, upload) {
      const slot = slots.length;
      slots.push(undefined);
      const done = upload.then((result) => {
        slots[slot] = { ...result, field, contentType };
      });
      // Failures are reported by settled(); this one only keeps them from being unhandled.
      done.catch(() => undefined);
      pending.push(done);
    },
    async settled() {
      const results = await Promise.allSettled(pending);
      const failed = results.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
    async discardUnlessCommitted() {
      await Promise.allSettled(pending);
      const files = staged();
      if (committed || files.length === 0) return;
      await client.discard(files.map((file) => file.id)).catch(() => undefined);
    },
  };
}
