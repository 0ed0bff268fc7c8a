import { createHmac, timingSafeEqual } from 'node:crypto';

/** The form field that carries the token on every page that posts. */
export const csrfFieldName = 'csrf';

/**
 * A stateless CSRF token bound to one interaction (e.g. its uid): nothing to store, and a token
 * lifted from one sign-in attempt is useless for another.
 */
export function csrfToken(key: Buffer, binding: string): string {
  return createHmac('sha256', key).update(binding, 'utf8').digest('base64url');
}

/** Compares in constant time; anything but a string of the right length is rejected up front. */
export function verifyCsrfToken(key: Buffer, binding: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(csrfToken(key, binding), 'utf8');
  const given = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
