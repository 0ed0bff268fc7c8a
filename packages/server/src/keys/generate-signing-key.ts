import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import {
  defaultRsaModulusLength,
  type RsaModulusLength,
  type SigningAlgorithm,
} from './signing-algorithms.ts';
import type { PrivateSigningJwk, PublicSigningJwk } from './signing-jwk.ts';

export interface GeneratedSigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateJwk: PrivateSigningJwk;
  publicJwk: PublicSigningJwk;
}

export interface GenerateOptions {
  /** RS256 only (default 2048). */
  rsaModulusLength?: RsaModulusLength;
}

/**
 * A new key pair for `alg`, named by its RFC 7638 thumbprint so the kid says which key it is and two
 * instances can never give one kid to two keys. WebCrypto generates off the event loop, which matters
 * for RSA (about 0.1 to 0.3 s here).
 */
export async function generateSigningKey(
  alg: SigningAlgorithm,
  options: GenerateOptions = {},
): Promise<GeneratedSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: options.rsaModulusLength ?? defaultRsaModulusLength } : {}),
  });
  const publicMembers = await exportJWK(publicKey);
  const privateMembers = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicMembers, 'sha256');
  if (privateMembers.d === undefined) throw new Error(`generated ${alg} key has no private part`);
  const named = { kid, alg, use: 'sig' } as const;
  return {
    kid,
    alg,
    publicJwk: { ...publicMembers, ...named },
    privateJwk: { ...privateMembers, ...named, d: privateMembers.d },
  };
}
