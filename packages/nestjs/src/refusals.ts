import { authErrorResponse, GuichetAuthError, InsufficientScopeError, MissingTokenError } from '@guichet/sdk';
import { GuichetHttpException } from './guichet-http-exception.ts';
import { setResponseHeader } from './response-headers.ts';

// A refusal depends on the caller's credentials: no cache may keep it.
const noStore = { 'cache-control': 'no-store' };

/**
 * The SDK's refusal, answered exactly as its Express and Fastify glue answer it: status, RFC 6750
 * challenge (or `Retry-After` for 503), `Cache-Control: no-store`. Nest writes the JSON itself.
 */
export function refusalFromAuthError(error: GuichetAuthError): GuichetHttpException {
  const { status, headers, body } = authErrorResponse(error);
  const kept = Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-type');
  return new GuichetHttpException(status, body.error, body.error_description, Object.fromEntries(kept));
}

/** 403 for a valid token that lacks some scopes the route requires (RFC 6750 §3.1). */
export function insufficientScope(required: readonly string[]): GuichetHttpException {
  return refusalFromAuthError(new InsufficientScopeError(required));
}

/** 401 for a route that reads the principal while no guard authenticated the request. */
export function notAuthenticated(): GuichetHttpException {
  return refusalFromAuthError(new MissingTokenError());
}

/**
 * 403 for a person who has none of the roles the route requires in their active business. The
 * token is fine, so no Bearer challenge: roles are Guichet's, not OAuth's.
 */
export function insufficientRole(required: readonly string[]): GuichetHttpException {
  const description = `this route requires one of the roles: ${required.join(', ')}`;
  return new GuichetHttpException(403, 'insufficient_role', description, noStore);
}

/** 403 for a route that works inside a business while the session has none selected. */
export function noActiveBusiness(): GuichetHttpException {
  return new GuichetHttpException(
    403,
    'no_active_business',
    'this route requires an active business',
    noStore,
  );
}

/**
 * Sets the refusal's headers on the response, then returns it for the caller to throw: Nest's
 * exception layer (or the app's own filter) writes status and body, the headers stay.
 */
export function refuse(response: unknown, refusal: GuichetHttpException): GuichetHttpException {
  for (const [name, value] of Object.entries(refusal.headers)) setResponseHeader(response, name, value);
  return refusal;
}

/** Narrows an unknown thrown value to the SDK's typed error. */
export function isGuichetAuthError(error: unknown): error is GuichetAuthError {
  return error instanceof GuichetAuthError;
}
