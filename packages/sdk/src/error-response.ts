import type { GuichetAuthError, GuichetAuthErrorCode, GuichetAuthStatus } from './errors.ts';

/** How to answer a request that failed authentication, whatever the HTTP framework. */
export interface AuthErrorResponse {
  status: GuichetAuthStatus;
  headers: Record<string, string>;
  body: { error: GuichetAuthErrorCode; error_description: string };
}

/** Seconds a client is asked to wait before retrying when Guichet is unavailable. */
const retryAfterSeconds = 5;

/**
 * The response for a GuichetAuthError: its status, the RFC 6750 `WWW-Authenticate` challenge (401 and
 * 403), and a small JSON body naming the SDK's code. Never cached by intermediaries.
 */
export function authErrorResponse(error: GuichetAuthError): AuthErrorResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (error.httpStatus === 503) headers['retry-after'] = String(retryAfterSeconds);
  else headers['www-authenticate'] = error.wwwAuthenticate;
  return { status: error.httpStatus, headers, body: { error: error.code, error_description: error.message } };
}
