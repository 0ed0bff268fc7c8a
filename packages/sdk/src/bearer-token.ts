import { InvalidTokenError, MissingTokenError } from './errors.ts';

/** RFC 6750 b64token: the characters a bearer token may use. */
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;
const bearerScheme = /^bearer(?: +|$)/i;

/**
 * The bearer token of an `Authorization` header value. The length is checked before anything else
 * looks at the token, so an oversized header costs nothing but this comparison.
 * Throws MissingTokenError when there is no bearer token, InvalidTokenError when it is malformed.
 */
export function bearerTokenFrom(authorization: string | undefined, maxTokenLength: number): string {
  if (typeof authorization !== 'string' || authorization.length === 0) throw new MissingTokenError();
  // "Bearer " plus the token plus a little whitespace: anything longer cannot hold an acceptable token.
  if (authorization.length > maxTokenLength + 16) throw new InvalidTokenError('the access token is too long');
  const scheme = bearerScheme.exec(authorization);
  // Another scheme (Basic, DPoP...) carries no bearer token: a plain challenge, as for none at all.
  if (scheme === null) throw new MissingTokenError();
  const token = authorization.slice(scheme[0].length).trimEnd();
  if (token.length === 0) throw new MissingTokenError();
  if (token.length > maxTokenLength) throw new InvalidTokenError('the access token is too long');
  if (!b64token.test(token)) throw new InvalidTokenError('the access token is malformed');
  return token;
}
