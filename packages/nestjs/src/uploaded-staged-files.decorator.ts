import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { StagedFile, StagedFileBatch } from './staged-files-batch.ts';
import { getStagedFileBatch } from './staged-files-store.ts';

function batchOf(context: ExecutionContext, decorator: string): StagedFileBatch {
  const batch = getStagedFileBatch(context.switchToHttp().getRequest<object>());
  if (batch === undefined) {
    throw new TypeError(`${decorator} needs the StagedFiles interceptor on the route`);
  }
  return batch;
}

/**
 * Injects the form's staged files `{ id, field, filename, size, purpose, contentType }`, in the
 * order they arrived; `@UploadedStagedFiles('images')` only those of one field. Needs
 * `@UseInterceptors(StagedFiles({...}))` on the route.
 */
export const UploadedStagedFiles = createParamDecorator(
  (field: string | undefined, context: ExecutionContext): StagedFile[] => {
    const { files } = batchOf(context, '@UploadedStagedFiles()');
    return field === undefined ? [...files] : files.filter((file) => file.field === field);
  },
);

/**
 * Injects the request's {@link StagedFileBatch}: the files plus `commit()`, for a handler that
 * commits inside its own transaction (the interceptor then does not commit them again).
 */
export const UploadedStagedFileBatch = createParamDecorator(
  (_data: unknown, context: ExecutionContext): StagedFileBatch =>
    batchOf(context, '@UploadedStagedFileBatch()'),
);
