/**
 * The algorithms Guichet signs with, one active key each. ES256 is the default and comes first:
 * oidc-provider signs with the first key of the JWKS that matches the algorithm a client asks for.
 */
export const signingAlgorithms = ['ES256', 'EdDSA', 'RS256'] as const;

export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** RSA sizes offered: 2048 for the widest compatibility, 3072 for 128-bit security like the others. */
export const rsaModulusLengths = [2048, 3072] as const;

export type RsaModulusLength = (typeof rsaModulusLengths)[number];

export const defaultRsaModulusLength: RsaModulusLength = 2048;

export function isRsaModulusLength(value: number): value is RsaModulusLength {
  return (rsaModulusLengths as readonly number[]).includes(value);
}
