import { randomBytes } from 'node:crypto';

/*
 * The same scheme as account ids (accounts/account-id.ts), generalised to any prefix so that other
 * domains need not copy it again; accounts could use it too.
 */

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, unpadded: safe in URLs and case-insensitive contexts. */
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      output += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += base32Alphabet[(value << (5 - bits)) & 31];
  return output;
}

/** `<prefix>_` and 128 random bits (26 characters): unguessable, and says nothing about when or how many. */
export function newOpaqueId(prefix: string): string {
  return `${prefix}_${base32(randomBytes(16))}`;
}

/** Whether `value` has the shape newOpaqueId(prefix) gives (not whether such a thing exists). */
export function isOpaqueId(prefix: string, value: string): boolean {
  return (
    value.length === prefix.length + 27 &&
    value.startsWith(`${prefix}_`) &&
    /^[a-z2-7]{26}$/.test(value.slice(prefix.length + 1))
  );
}
