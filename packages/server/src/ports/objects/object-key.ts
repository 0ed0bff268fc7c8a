import { InvalidObjectKeyError } from './object-errors.ts';

/** S3's own limit; the filesystem driver stays well within common path limits too. */
export const maxObjectKeyBytes = 1024;

// Unicode category Cc: C0 controls (NUL included), DEL and C1 controls. Invisible in logs,
// meaningful to terminals and some filesystems.
const controlCharacter = /\p{Cc}/u;

/**
 * Throws InvalidObjectKeyError unless `key` is a relative, slash-separated path whose every segment is
 * a plain name. Both drivers call it before any I/O, so a key can never climb out of the store.
 */
export function assertSafeKey(key: string): void {
  if (typeof key !== 'string') throw new InvalidObjectKeyError('not a string');
  if (key.length === 0) throw new InvalidObjectKeyError('empty');
  if (Buffer.byteLength(key, 'utf8') > maxObjectKeyBytes) {
    throw new InvalidObjectKeyError(`longer than ${maxObjectKeyBytes} bytes`);
  }
  // Lone surrogates would be replaced when encoded to UTF-8, so two keys could map to one object.
  if (!key.isWellFormed()) throw new InvalidObjectKeyError('not well-formed Unicode');
  if (controlCharacter.test(key)) throw new InvalidObjectKeyError('contains NUL or control characters');
  if (key.startsWith('/')) throw new InvalidObjectKeyError('absolute path');
  if (key.includes('\\')) throw new InvalidObjectKeyError('contains a backslash');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidObjectKeyError('empty path segment');
    if (segment === '.' || segment === '..') throw new InvalidObjectKeyError(`"${segment}" path segment`);
  }
}

/** Byte order of UTF-8 keys: how S3 lists, and PostgreSQL's "C" collation. */
export function compareObjectKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
