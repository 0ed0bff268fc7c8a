/** What a verified access token says, whatever its format. */
export interface AccessTokenClaims {
  sub: string;
  /** The session the token stands for; null for a client-credentials token. */
  sid: string | null;
  clientId: string | null;
  scopes: readonly string[];
  /** Expiry, in seconds since the epoch. */
  exp: number;
  /** Issue time, in seconds since the epoch; null when unknown (opaque tokens). */
  iat: number | null;
}

/** Business context carried inside an encrypted token: readable only by this resource server. */
export interface CarriedContext {
  businessId: string | null;
  roles: readonly string[];
}

/** `scope` is a space-separated list (RFC 6749 section 3.3). */
export function scopesOf(scope: unknown): readonly string[] {
  if (typeof scope !== 'string') return Object.freeze([]);
  return Object.freeze(scope.split(' ').filter((entry) => entry.length > 0));
}
