import type { GuichetAuthentication } from '@guichet/sdk';

/**
 * The part of the SDK the module needs. A `Guichet` from `createGuichet` fits; so does any object
 * with the same `authenticate` contract (it must reject with the SDK's `GuichetAuthError`).
 */
export interface GuichetClient {
  authenticate(authorization: string | undefined): Promise<GuichetAuthentication>;
  close?(): Promise<void>;
}
