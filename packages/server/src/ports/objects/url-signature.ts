import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedMethod = 'GET' | 'PUT';

export interface ObjectUrlToSign {
  /** Public base URL of the server, without a trailing slash. */
  baseUrl: string;
  key: string;
  method: SignedMethod;
  expiresAt: Date;
  /** For PUT: the exact body length the URL accepts. */
  contentLength?: number;
  /** For PUT: the most bytes the URL accepts, when the length is not known in advance. */
  maxLength?: number;
}

/** The parts of a signed URL as received: query values stay raw text, exactly as they were signed. */
export interface ReceivedObjectUrl {
  method: string;
  key: string;
  expires: string | undefined;
  signature: string | undefined;
  length?: string | undefined;
  max?: string | undefined;
}

export type SignatureVerdict = 'ok' | 'expired' | 'invalid';

/** HMAC-SHA256 wants a key at least as long as its output. */
export const minimumSigningKeyBytes = 32;
// Unix seconds and byte counts as plain decimal integers, so one value has one spelling.
const decimal = /^(0|[1-9][0-9]{0,14})$/;
const base64UrlSha256 = /^[A-Za-z0-9_-]{43}$/;

function checkKey(hmacKey: Buffer): void {
  if (hmacKey.length < minimumSigningKeyBytes)
    throw new RangeError(`signing key must be at least ${minimumSigningKeyBytes} bytes`);
}

interface SignedFields {
  method: string;
  key: string;
  expires: string;
  length: string;
  max: string;
}

function sign(hmacKey: Buffer, fields: SignedFields): string {
  const { method, key, expires, length, max } = fields;
  // A JSON array is an unambiguous encoding: no field can bleed into the next.
  const payload = JSON.stringify(['guichet-object-url/2', method, key, expires, length, max]);
  return createHmac('sha256', hmacKey).update(payload).digest('base64url');
}

/** Encodes each segment but keeps the slashes, so the URL path mirrors the key. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function decimalText(name: string, value: number | undefined): string {
  const text = value === undefined ? '' : String(value);
  if (text !== '' && !decimal.test(text)) throw new RangeError(`${name} must be a non-negative integer`);
  return text;
}

/** `${baseUrl}/objects/<key>?expires=<unix s>[&length=<bytes>][&max=<bytes>]&signature=<base64url>` */
export function signObjectUrl(request: ObjectUrlToSign, hmacKey: Buffer): string {
  checkKey(hmacKey);
  const expires = String(Math.floor(request.expiresAt.getTime() / 1000));
  const length = decimalText('contentLength', request.contentLength);
  const max = decimalText('maxLength', request.maxLength);
  const query = new URLSearchParams({ expires });
  if (length !== '') query.set('length', length);
  if (max !== '') query.set('max', max);
  query.set('signature', sign(hmacKey, { method: request.method, key: request.key, expires, length, max }));
  return `${request.baseUrl.replace(/\/+$/, '')}/objects/${encodeKeyPath(request.key)}?${query.toString()}`;
}

/**
 * Checks the signature before the expiry, so a forged URL never learns more than 'invalid'.
 * The comparison runs in constant time over the base64url text of equal length.
 */
export function verifyObjectUrl(
  received: ReceivedObjectUrl,
  hmacKey: Buffer,
  now: Date = new Date(),
): SignatureVerdict {
  checkKey(hmacKey);
  const { expires, signature } = received;
  const length = received.length ?? '';
  const max = received.max ?? '';
  if (expires === undefined || signature === undefined) return 'invalid';
  if (!decimal.test(expires)) return 'invalid';
  if ((length !== '' && !decimal.test(length)) || (max !== '' && !decimal.test(max))) return 'invalid';
  if (!base64UrlSha256.test(signature)) return 'invalid';
  const expected = Buffer.from(
    sign(hmacKey, { method: received.method, key: received.key, expires, length, max }),
  );
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'invalid';
  return now.getTime() > Number(expires) * 1000 ? 'expired' : 'ok';
}
