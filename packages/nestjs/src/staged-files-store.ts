import type { StagedFileBatch } from './staged-files-batch.ts';

// Keyed by the request object Nest hands to interceptors and decorators (Express or Fastify).
const batches = new WeakMap<object, StagedFileBatch>();

export function rememberStagedFileBatch(request: object, batch: StagedFileBatch): void {
  batches.set(request, batch);
}

/** The staged files of a request the `StagedFiles` interceptor handles; `undefined` elsewhere. */
export function getStagedFileBatch(request: object): StagedFileBatch | undefined {
  return batches.get(request);
}
