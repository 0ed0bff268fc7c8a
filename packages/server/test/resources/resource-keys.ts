import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';

/** A resource server's key pair, as it would make one: Guichet is only ever given `publicJwk`. */
export interface ResourceKeyPair {
  publicJwk: JWK;
  privateJwk: JWK;
  privateKey: CryptoKey;
}

export async function resourceKeyPair(
  alg = 'ECDH-ES+A256KW',
  options: { crv?: string; modulusLength?: number } = {},
): Promise<ResourceKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey), privateKey };
}
