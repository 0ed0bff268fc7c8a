import type { FilesClient, GuichetAuthentication } from '@guichet/sdk';

/**
 * The part of the SDK the module needs. A `Guichet` from `createGuichet` fits; so does any object
 * with the same `authenticate` contract (it must reject with the SDK's `GuichetAuthError`).
 */
export interface GuichetClient {
  authenticate(authorization: string | undefined): Promise<GuichetAuthentication>;
  /** Guichet's files API for one access token; the `StagedFiles` interceptor needs it. */
  files?(accessToken: string): FilesClient;
  close?(): Promise<void>;
}
