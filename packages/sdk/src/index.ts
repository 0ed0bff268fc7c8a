// The public API of @guichet/sdk. Framework glue: `@guichet/sdk/express` and `@guichet/sdk/fastify`
// (the latter alone, so apps without Fastify never need its types).

export { createGuichet } from './create-guichet.ts';
export type { GuichetEmitterEvents } from './emitter.ts';
export { type AuthErrorResponse, authErrorResponse } from './error-response.ts';
export {
  ExpiredTokenError,
  GuichetAuthError,
  type GuichetAuthErrorCode,
  type GuichetAuthStatus,
  GuichetUnavailableError,
  InsufficientScopeError,
  InvalidTokenError,
  MissingTokenError,
  SessionEndedError,
} from './errors.ts';
export {
  type ExpressLikeNext,
  type ExpressLikeRequest,
  type ExpressLikeResponse,
  type GuichetExpressOptions,
  guichetExpress,
} from './express.ts';
export { createFilesClient, type FilesClientOptions } from './files-client.ts';
export {
  type FileCommitFailure,
  type FileCommitFailureReason,
  FilesCommitError,
  type FilesProblem,
  FileTooLargeError,
  GuichetFilesError,
} from './files-errors.ts';
export type {
  FileDownload,
  FilesClient,
  FileVariantState,
  FileVariantView,
  FileView,
  StageBody,
  StagedUpload,
  StageOptions,
} from './files-types.ts';
export type { AuthenticateOptions, Guichet, GuichetAuthentication } from './guichet.ts';
export { type GuichetEvent, type GuichetEventType, guichetEventTypes } from './guichet-event.ts';
export type { GuichetEventSource, GuichetOptions } from './options.ts';
export type { AccessTokenFormat } from './token-format.ts';
