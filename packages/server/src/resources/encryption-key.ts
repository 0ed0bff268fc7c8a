import { calculateJwkThumbprint, importJWK } from 'jose';
import { ResourceServerInputError } from './resource-server-errors.ts';

/** JWE key management algorithms a resource server may choose: key agreement, or RSA-OAEP with SHA-256. */
export const keyManagementAlgorithms = [
  'ECDH-ES+A256KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A128KW',
  'ECDH-ES',
  'RSA-OAEP-256',
] as const;
export type KeyManagementAlgorithm = (typeof keyManagementAlgorithms)[number];

export const contentEncryptions = [
  'A256GCM',
  'A192GCM',
  'A128GCM',
  'A256CBC-HS512',
  'A192CBC-HS384',
  'A128CBC-HS256',
] as const;
export type ContentEncryption = (typeof contentEncryptions)[number];

export const defaultKeyManagementAlgorithm: KeyManagementAlgorithm = 'ECDH-ES+A256KW';
export const defaultRsaKeyManagementAlgorithm: KeyManagementAlgorithm = 'RSA-OAEP-256';
export const defaultContentEncryption: ContentEncryption = 'A256GCM';

/** Curves that key agreement (ECDH-ES*) accepts here. */
export const agreementCurves = ['P-256', 'P-384', 'P-521', 'X25519'] as const;
export const minRsaModulusBits = 2048;

/** A resource server's public encryption key as stored: the key's public members, named and bound to one use. */
export type PublicEncryptionJwk = PublicKeyMembers & { kid: string; alg: KeyManagementAlgorithm; use: 'enc' };

/** The members that define a public key, per key type. */
export type PublicKeyMembers =
  | { kty: 'EC'; crv: 'P-256' | 'P-384' | 'P-521'; x: string; y: string }
  | { kty: 'OKP'; crv: 'X25519'; x: string }
  | { kty: 'RSA'; n: string; e: string };

/** What encrypting a token to a resource server needs. */
export interface EncryptionKey {
  jwk: PublicEncryptionJwk;
  alg: KeyManagementAlgorithm;
  enc: ContentEncryption;
}

/** JWK members that are secret for some key type (RFC 7518 section 6, RFC 8037, and AKP's `priv`). */
export const privateJwkMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

const base64url = /^[A-Za-z0-9_-]+$/;
const maxKidLength = 200;

type JwkObject = Record<string, unknown>;

function isJwkObject(value: unknown): value is JwkObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A resource server only ever gives Guichet its public key. A private member means the operator pasted
 * the wrong half: refused loudly, never stored (the message names the members, never their values).
 */
export function refusePrivateMembers(jwk: object): void {
  const found = privateJwkMembers.filter((member) => Object.hasOwn(jwk, member));
  if (found.length === 0) return;
  throw new ResourceServerInputError(
    `the encryption key must be a PUBLIC key, but it has private member${found.length > 1 ? 's' : ''} ${found.join(', ')}: ` +
      "give the resource server's public JWK only; its private key must never leave it",
  );
}

function isKeyManagementAlgorithm(value: unknown): value is KeyManagementAlgorithm {
  return typeof value === 'string' && (keyManagementAlgorithms as readonly string[]).includes(value);
}

function isContentEncryption(value: unknown): value is ContentEncryption {
  return typeof value === 'string' && (contentEncryptions as readonly string[]).includes(value);
}

function base64urlMember(jwk: JwkObject, member: string): string {
  const value = jwk[member];
  if (typeof value !== 'string' || !base64url.test(value)) {
    throw new ResourceServerInputError(`the encryption key's "${member}" must be a base64url string`);
  }
  return value;
}

/** The algorithm asked for, else the one the key names, else the default for its type; they must agree. */
function chooseAlgorithm(jwk: JwkObject, requested: string | undefined): KeyManagementAlgorithm {
  const named = jwk.alg;
  if (requested !== undefined && named !== undefined && named !== requested) {
    throw new ResourceServerInputError(
      `the encryption key is for alg ${String(named)}, but ${requested} was asked for: use one or the other`,
    );
  }
  const alg =
    requested ??
    named ??
    (jwk.kty === 'RSA' ? defaultRsaKeyManagementAlgorithm : defaultKeyManagementAlgorithm);
  if (!isKeyManagementAlgorithm(alg)) {
    throw new ResourceServerInputError(
      `encryption alg ${String(alg)} is not supported; expected one of ${keyManagementAlgorithms.join(', ')}`,
    );
  }
  return alg;
}

function chooseContentEncryption(requested: string | undefined): ContentEncryption {
  const enc = requested ?? defaultContentEncryption;
  if (!isContentEncryption(enc)) {
    throw new ResourceServerInputError(
      `encryption enc ${enc} is not supported; expected one of ${contentEncryptions.join(', ')}`,
    );
  }
  return enc;
}

function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first += 1;
  const lead = bytes[first];
  if (lead === undefined) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(lead));
}

/** Keeps only the public members that define the key, checked against the algorithm it will serve. */
function publicMembersFor(jwk: JwkObject, alg: KeyManagementAlgorithm): PublicKeyMembers {
  if (alg.startsWith('ECDH-ES')) {
    if (jwk.kty === 'EC' && (jwk.crv === 'P-256' || jwk.crv === 'P-384' || jwk.crv === 'P-521')) {
      return { kty: 'EC', crv: jwk.crv, x: base64urlMember(jwk, 'x'), y: base64urlMember(jwk, 'y') };
    }
    if (jwk.kty === 'OKP' && jwk.crv === 'X25519') {
      return { kty: 'OKP', crv: 'X25519', x: base64urlMember(jwk, 'x') };
    }
    throw new ResourceServerInputError(
      `${alg} needs an EC key on P-256, P-384 or P-521, or an OKP key on X25519; ` +
        `got kty ${String(jwk.kty)}${jwk.crv === undefined ? '' : ` crv ${String(jwk.crv)}`}`,
    );
  }
  if (jwk.kty !== 'RSA') {
    throw new ResourceServerInputError(`${alg} needs an RSA key; got kty ${String(jwk.kty)}`);
  }
  const n = base64urlMember(jwk, 'n');
  const bits = rsaModulusBits(n);
  if (bits < minRsaModulusBits) {
    throw new ResourceServerInputError(
      `the RSA encryption key has ${bits} bits; at least ${minRsaModulusBits} are required`,
    );
  }
  return { kty: 'RSA', n, e: base64urlMember(jwk, 'e') };
}

function checkUse(jwk: JwkObject): void {
  if (jwk.use !== undefined && jwk.use !== 'enc') {
    throw new ResourceServerInputError(
      `the encryption key is marked use ${String(jwk.use)}; a key to encrypt to must have use "enc" or none`,
    );
  }
}

/** The key's own kid when it has a sensible one, else its RFC 7638 thumbprint, which names it stably. */
async function kidFor(jwk: JwkObject, members: PublicKeyMembers): Promise<string> {
  const given = jwk.kid;
  if (given === undefined) return calculateJwkThumbprint(members, 'sha256');
  if (
    typeof given !== 'string' ||
    given.length === 0 ||
    given.length > maxKidLength ||
    /[^\x20-\x7e]/.test(given)
  ) {
    throw new ResourceServerInputError(
      `the encryption key's kid must be 1 to ${maxKidLength} printable ASCII characters, or left out`,
    );
  }
  return given;
}

/** Proves the key is usable for `alg` (a point on its curve, a well-formed modulus) by importing it. */
async function proveImportable(jwk: PublicEncryptionJwk, alg: KeyManagementAlgorithm): Promise<void> {
  try {
    await importJWK(jwk, alg);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ResourceServerInputError(`the encryption key cannot be used with ${alg}: ${reason}`);
  }
}

/**
 * Checks a resource server's encryption key and the algorithms to use with it; throws
 * ResourceServerInputError. Returns the public key as it will be stored: only the members that define
 * it, with its kid (computed when absent), alg and use "enc".
 */
export async function checkEncryptionKey(
  jwk: unknown,
  requested: { alg?: string | undefined; enc?: string | undefined } = {},
): Promise<EncryptionKey> {
  if (!isJwkObject(jwk)) {
    throw new ResourceServerInputError('the encryption key must be a JWK (a JSON object)');
  }
  refusePrivateMembers(jwk);
  checkUse(jwk);
  const alg = chooseAlgorithm(jwk, requested.alg);
  const enc = chooseContentEncryption(requested.enc);
  const members = publicMembersFor(jwk, alg);
  const stored: PublicEncryptionJwk = { ...members, kid: await kidFor(jwk, members), alg, use: 'enc' };
  await proveImportable(stored, alg);
  return { jwk: stored, alg, enc };
}
