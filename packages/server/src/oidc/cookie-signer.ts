import { createHmac, timingSafeEqual } from 'node:crypto';

/** What oidc-provider's cookies accept in place of a Keygrip. */
export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
}

/**
 * Keygrip's signatures exactly (HMAC-SHA1, base64url without padding), so cookies signed before stay
 * valid, checked with one HMAC and a constant-time comparison instead of Keygrip's three HMACs (its
 * comparison hashes both sides again). Several cookies are read on every sign-in request.
 */
export function cookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('at least one cookie key is required');
  const signWith = (key: string, data: string) => createHmac('sha1', key).update(data).digest('base64url');
  const index = (data: string, digest: string) => {
    const presented = Buffer.from(String(digest));
    return keys.findIndex((key) => {
      const expected = Buffer.from(signWith(key, data));
      // An HMAC's length is public; only its bytes must be compared in constant time.
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    });
  };
  return {
    sign: (data) => signWith(keys[0] as string, data),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
