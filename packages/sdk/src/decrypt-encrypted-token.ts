import { type CryptoKey, compactDecrypt, decodeProtectedHeader, type JWK, type KeyObject } from 'jose';
import type { CarriedContext } from './access-token-claims.ts';
import { InvalidTokenError } from './errors.ts';
import { asTokenError } from './jose-errors.ts';
import {
  type SignedTokenContext,
  type VerifiedSignedToken,
  verifySignedToken,
} from './verify-signed-token.ts';

/**
 * What Guichet may encrypt with (the server's list): key agreement or RSA-OAEP-256. PBES2 (password
 * based, costly by design) and RSA1_5 are refused before any work is done.
 */
export const keyManagementAlgorithms = [
  'ECDH-ES+A256KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A128KW',
  'ECDH-ES',
  'RSA-OAEP-256',
];

export const contentEncryptionAlgorithms = [
  'A256GCM',
  'A192GCM',
  'A128GCM',
  'A256CBC-HS512',
  'A192CBC-HS384',
  'A128CBC-HS256',
];

export type DecryptionKey = JWK | CryptoKey | KeyObject;

export interface VerifiedEncryptedToken extends VerifiedSignedToken {
  carried: CarriedContext | undefined;
}

function checkHeader(jwe: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwe);
  } catch (error) {
    throw new InvalidTokenError('the access token is malformed', { cause: error });
  }
  if (typeof header.alg !== 'string' || !keyManagementAlgorithms.includes(header.alg)) {
    throw new InvalidTokenError('the access token algorithm is not accepted');
  }
  if (typeof header.enc !== 'string' || !contentEncryptionAlgorithms.includes(header.enc)) {
    throw new InvalidTokenError('the access token algorithm is not accepted');
  }
  // A JWE access token wraps a signed JWT (never raw claims, which nobody would have signed).
  if (!isNestedJwtType(header.cty)) throw new InvalidTokenError('the token is not an access token');
}

/**
 * `JWT` (RFC 7519 section 5.2) or `at+jwt`, which oidc-provider writes for an encrypted access token;
 * either with or without the `application/` prefix (RFC 7515 section 4.1.10).
 */
function isNestedJwtType(cty: unknown): boolean {
  if (typeof cty !== 'string') return false;
  const type = cty.toLowerCase().replace(/^application\//, '');
  return type === 'jwt' || type === 'at+jwt';
}

/** business_id and roles, present only inside encrypted tokens; a malformed pair is a bad token. */
function carriedContext(payload: VerifiedSignedToken['payload']): CarriedContext | undefined {
  const { business_id: businessId, roles } = payload;
  if (businessId === undefined && roles === undefined) return undefined;
  if (businessId !== undefined && businessId !== null && typeof businessId !== 'string') {
    throw new InvalidTokenError('the access token has an invalid claim');
  }
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    throw new InvalidTokenError('the access token has an invalid claim');
  }
  return {
    businessId: typeof businessId === 'string' ? businessId : null,
    roles: Object.freeze(Array.isArray(roles) ? roles.filter((role) => typeof role === 'string') : []),
  };
}

/**
 * Opens a compact JWE access token with this resource server's private key, then verifies the signed
 * token inside exactly as a readable one. Throws a GuichetAuthError.
 */
export async function decryptEncryptedToken(
  jwe: string,
  key: DecryptionKey | undefined,
  context: SignedTokenContext,
): Promise<VerifiedEncryptedToken> {
  let inner: string;
  try {
    checkHeader(jwe);
    if (key === undefined) {
      // Configuration, not the caller's fault, but the caller's token cannot be used here either way.
      throw new InvalidTokenError('encrypted access tokens are not accepted by this resource server');
    }
    const { plaintext } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms,
      contentEncryptionAlgorithms,
    });
    inner = new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch (error) {
    throw asTokenError(error);
  }
  const verified = await verifySignedToken(inner, context);
  return { ...verified, carried: carriedContext(verified.payload) };
}
