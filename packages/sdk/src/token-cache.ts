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
  /** Forgets every token of a session. */
  dropSid(sid: string): void;
  clear(): void;
}

export function createTokenCache(maxEntries = 100_000): TokenCache {
  // sid -> keys of its tokens, so forgetting a session does not scan the whole cache.
  const keysBySid = new Map<string, Set<string>>();

  function unindex(key: string, token: CachedToken): void {
    const { sid } = token.claims;
    if (sid === null) return;
    const keys = keysBySid.get(sid);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) keysBySid.delete(sid);
  }

  const tokens = new BoundedMap<string, CachedToken>(maxEntries, unindex);

  function remove(key: string): void {
    const token = tokens.get(key);
    if (token === undefined) return;
    tokens.delete(key);
    unindex(key, token);
  }

  return {
    get(key, now) {
      const token = tokens.get(key);
      if (token === undefined) return undefined;
      if (now < token.validUntil) return token;
      remove(key);
      return undefined;
    },
    set(key, token) {
      const previous = tokens.get(key);
      if (previous !== undefined) unindex(key, previous);
      tokens.set(key, token);
      const { sid } = token.claims;
      if (sid === null) return;
      let keys = keysBySid.get(sid);
      if (keys === undefined) {
        keys = new Set();
        keysBySid.set(sid, keys);
      }
      keys.add(key);
    },
    delete: remove,
    dropSid(sid) {
      for (const key of [...(keysBySid.get(sid) ?? [])]) remove(key);
    },
    clear() {
      tokens.clear();
      keysBySid.clear();
    },
  };
}
