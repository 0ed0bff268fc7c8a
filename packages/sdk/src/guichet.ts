import type { GuichetEmitterEvents } from './emitter.ts';
import type { FilesClient } from './files-types.ts';
import type { AccessTokenFormat } from './token-format.ts';

/** Who is calling, and in which business, as `authenticate` resolves it. */
export interface GuichetAuthentication {
  /** The person (or, for a client-credentials token, the service client). */
  sub: string;
  /** The session; null for client-credentials tokens. */
  sid: string | null;
  /** The business the session works in right now; null when none is chosen or there is no session. */
  businessId: string | null;
  /** The person's roles in that business. */
  roles: readonly string[];
  /** The scopes granted to the token. */
  scopes: readonly string[];
  /** The access token itself, to call other APIs on the person's behalf. */
  token: string;
  /** The client the token was issued to, when the token says (JWS/JWE). */
  clientId: string | null;
  /** The token's expiry, in seconds since the epoch. */
  expiresAt: number;
  format: AccessTokenFormat;
}

/** Per-call requirements of {@link Guichet.authenticate}. */
export interface AuthenticateOptions {
  /** Scopes the token must all carry, else InsufficientScopeError (403). */
  scopes?: readonly string[];
}

/** A Guichet client for one resource server. Create one per process with {@link createGuichet}. */
export interface Guichet {
  /**
   * Authenticates a request from its `Authorization` header value. Resolves to who is calling and
   * the session's current business context; rejects with a GuichetAuthError subclass (its `httpStatus`
   * and `wwwAuthenticate` say how to answer). Warm calls are served from memory.
   */
  authenticate(
    authorization: string | undefined,
    options?: AuthenticateOptions,
  ): Promise<GuichetAuthentication>;
  /**
   * Forgets the cached context of session `sid`, so the next `authenticate` of its tokens asks
   * Guichet again. For an app that has just changed the session itself (switched its business): it
   * need not wait for Guichet's event. A session known to have ended stays ended.
   */
  forgetSession(sid: string): void;
  /** Listens to Guichet events, feed (re)connections or background errors; returns the unsubscriber. */
  on<K extends keyof GuichetEmitterEvents>(
    type: K,
    listener: (...args: GuichetEmitterEvents[K]) => void,
  ): () => void;
  /**
   * Guichet's files API (stage, commit, discard, get, delete) acting for the person holding
   * `accessToken`, in their session's active business.
   */
  files(accessToken: string): FilesClient;
  /** Stops the event feed and forgets every cache; `authenticate` then rejects with 'unavailable'. */
  close(): Promise<void>;
}
