import type { JWK } from 'jose';
import type { SigningAlgorithm } from './signing-algorithms.ts';

/** A JWK as Guichet publishes it: always named (kid), bound to one algorithm and to signing. */
export type PublicSigningJwk = JWK & { kid: string; alg: SigningAlgorithm; use: 'sig' };

/** The same key with its private members (`d`, and for RSA the CRT parameters). Never leaves the server. */
export type PrivateSigningJwk = PublicSigningJwk & { d: string };

/** JWK members that are secret for some key type (RFC 7518 section 6, RFC 8037). */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

/** The public half of a JWK: what may appear in a JWKS document or an API answer. */
export function withoutPrivateMembers<T extends JWK>(jwk: T): JWK {
  const copy: JWK = { ...jwk };
  for (const member of privateMembers) delete copy[member];
  return copy;
}
