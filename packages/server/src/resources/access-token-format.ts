/**
 * How a resource server's access tokens look. opaque: a random reference it resolves by introspection;
 * jwt: a signed RFC 9068 token anyone can read, so it carries no personal or business data;
 * jwe: a signed token encrypted to that server's public key, so it may carry business_id and roles.
 */
export type AccessTokenFormat = 'opaque' | 'jwt' | 'jwe';

export const accessTokenFormats: readonly AccessTokenFormat[] = ['opaque', 'jwt', 'jwe'];

export function isAccessTokenFormat(value: unknown): value is AccessTokenFormat {
  return typeof value === 'string' && (accessTokenFormats as readonly string[]).includes(value);
}

/** Access token lifetime bounds in seconds: long enough to be useful, short enough to age out. */
export const minAccessTokenTtl = 60;
export const maxAccessTokenTtl = 86_400;
export const defaultAccessTokenTtl = 600;
