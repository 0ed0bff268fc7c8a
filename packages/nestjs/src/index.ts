export type {
  FileCommitFailure,
  FilesClient,
  FileView,
  Guichet,
  GuichetAuthentication,
  GuichetOptions,
} from '@guichet/sdk';
export {
  CurrentBusiness,
  type CurrentBusinessOptions,
  type GuichetBusiness,
} from './current-business.decorator.ts';
export { CurrentUser } from './current-user.decorator.ts';
export type { GuichetClient } from './guichet-client.ts';
export { GuichetGuard } from './guichet-guard.ts';
export { type GuichetErrorBody, GuichetHttpException } from './guichet-http-exception.ts';
export { GuichetModule } from './guichet-module.ts';
export { GUICHET, GUICHET_MODULE_OPTIONS } from './injection-tokens.ts';
export type {
  GuichetModuleAsyncOptions,
  GuichetModuleOptions,
  GuichetOptionsFactory,
  GuichetRegistration,
} from './module-options.ts';
export { getGuichetAuthentication } from './principal-store.ts';
export { Public } from './public.decorator.ts';
export { Roles } from './roles.decorator.ts';
export { Scopes } from './scopes.decorator.ts';
export { StagedFiles } from './staged-files.interceptor.ts';
export type { StagedFile, StagedFileBatch } from './staged-files-batch.ts';
export type { StagedFilesFieldOptions, StagedFilesOptions } from './staged-files-options.ts';
export { getStagedFileBatch } from './staged-files-store.ts';
export { UploadedStagedFileBatch, UploadedStagedFiles } from './uploaded-staged-files.decorator.ts';
