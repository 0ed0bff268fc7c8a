import { createHash } from 'node:crypto';
import type { AccessTokenClaims, CarriedContext } from './access-token-claims.ts';
import { BoundedMap } from './bounded-map.ts';
import type { AccessTokenFormat } from './token-format.ts';

/** A token this process has already verified (or resolved), so the next request costs a Map lookup. */
export interface CachedToken {
  format: AccessTokenFormat;
  claims: AccessTokenClaims;
  /** Context that came with the token: inside a JWE, or with an opaque token's resolution. */
  carried: CarriedContext | undefined;
  /** ms since the epoch: JWS/JWE until expiry, opaque tokens for at most the context TTL. */
  validUntil: number;
  /** ms since the epoch (this process's clock) when it was verified or resolved. */
  verifiedAt: number;
}

/** Tokens are keys of the cache only through their SHA-256: a heap dump shows no usable token. */
export function tokenCacheKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface TokenCache {
  get(key: string, now: number): CachedToken | undefined;
  set(key: string, token: CachedToken): void;
  delete(key: string): void;
  clear(): void;
}

export function createTokenCache(maxEntries = 100_000): TokenCache {
  const tokens = new BoundedMap<string, CachedToken>(maxEntries);
  return {
    get(key, now) {
      const token = tokens.get(key);
      if (token === undefined) return undefined;
      if (now < token.validUntil) return token;
      tokens.delete(key);
      return undefined;
    },
    set(key, token) {
      tokens.set(key, token);
    },
    delete(key) {
      tokens.delete(key);
    },
    clear() {
      tokens.clear();
    },
  };
}
