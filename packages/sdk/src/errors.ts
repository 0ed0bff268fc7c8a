import { type BearerChallenge, bearerChallenge } from './www-authenticate.ts';

/** Why a request was not authenticated. */
export type GuichetAuthErrorCode =
  | 'missing_token'
  | 'invalid_token'
  | 'expired_token'
  | 'insufficient_scope'
  | 'session_ended'
  | 'unavailable';

/** The HTTP status a resource server answers with for a {@link GuichetAuthError}. */
export type GuichetAuthStatus = 401 | 403 | 503;

/**
 * A request could not be authenticated. The `message` is safe to show to the caller: it never
 * repeats the token or any other request input. Catch it and answer `httpStatus` with the
 * `WWW-Authenticate` header `wwwAuthenticate`, or let the Express/Fastify glue do it.
 */
export class GuichetAuthError extends Error {
  readonly code: GuichetAuthErrorCode;
  readonly httpStatus: GuichetAuthStatus;
  /** RFC 6750 challenge for the `WWW-Authenticate` response header. */
  readonly wwwAuthenticate: string;

  constructor(
    code: GuichetAuthErrorCode,
    httpStatus: GuichetAuthStatus,
    message: string,
    challenge: BearerChallenge,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'GuichetAuthError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.wwwAuthenticate = bearerChallenge(challenge);
  }
}

/** No bearer token in the request (RFC 6750: the challenge then carries no error code). 401. */
export class MissingTokenError extends GuichetAuthError {
  override readonly code = 'missing_token';
  constructor() {
    super('missing_token', 401, 'a bearer access token is required', {});
    this.name = 'MissingTokenError';
  }
}

/** The token is malformed, forged, not for this audience, or unknown to Guichet. 401. */
export class InvalidTokenError extends GuichetAuthError {
  override readonly code = 'invalid_token';
  constructor(message = 'the access token is invalid', options?: ErrorOptions) {
    super('invalid_token', 401, message, { error: 'invalid_token', description: message }, options);
    this.name = 'InvalidTokenError';
  }
}

/** The token was valid but its `exp` has passed. 401 with error="invalid_token" (RFC 6750 has no other). */
export class ExpiredTokenError extends GuichetAuthError {
  override readonly code = 'expired_token';
  constructor(options?: ErrorOptions) {
    const message = 'the access token expired';
    super('expired_token', 401, message, { error: 'invalid_token', description: message }, options);
    this.name = 'ExpiredTokenError';
  }
}

/** The person signed out, or the grant was revoked: the token no longer stands for a session. 401. */
export class SessionEndedError extends GuichetAuthError {
  override readonly code = 'session_ended';
  constructor() {
    const message = 'the session of this access token has ended';
    super('session_ended', 401, message, { error: 'invalid_token', description: message });
    this.name = 'SessionEndedError';
  }
}

/** The token is valid but lacks a scope the resource requires. 403. */
export class InsufficientScopeError extends GuichetAuthError {
  override readonly code = 'insufficient_scope';
  /** Every scope the resource requires (the token lacks at least one). */
  readonly requiredScopes: readonly string[];
  constructor(requiredScopes: readonly string[]) {
    const message = 'the access token lacks a required scope';
    super('insufficient_scope', 403, message, {
      error: 'insufficient_scope',
      description: message,
      scope: requiredScopes,
    });
    this.name = 'InsufficientScopeError';
    this.requiredScopes = [...requiredScopes];
  }
}

/**
 * Guichet could not be reached (or refused this resource server's credentials) and nothing cached
 * could answer instead. 503. The `cause` carries the detail for the operator's logs.
 */
export class GuichetUnavailableError extends GuichetAuthError {
  override readonly code = 'unavailable';
  constructor(message = 'the identity server is unavailable', options?: ErrorOptions) {
    super('unavailable', 503, message, {}, options);
    this.name = 'GuichetUnavailableError';
  }
}
