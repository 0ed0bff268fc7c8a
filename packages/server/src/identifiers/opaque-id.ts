import { randomBytes } from 'node:crypto';

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, unpadded: safe in URLs and case-insensitive contexts. */
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of bytes) {
    // Only the bits not yet written matter; the mask keeps the number small.
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

/**
 * `<prefix>_` and 128 random bits (26 characters): unguessable, and says nothing about when or how
 * many. Every domain's ids (accounts, businesses...) come from here.
 */
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
