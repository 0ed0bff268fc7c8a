import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { type AccessTokenClaims, scopesOf } from './access-token-claims.ts';
import { InvalidTokenError } from './errors.ts';
import { asTokenError } from './jose-errors.ts';
import type { JwksCache } from './jwks-cache.ts';

/** The algorithms Guichet signs with. Never `none`, never HS*: a public key is not a shared secret. */
export const signingAlgorithms = ['ES256', 'EdDSA', 'RS256'] as const;

const maxKidLength = 256;

export interface SignedTokenContext {
  jwks: JwksCache;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

export interface VerifiedSignedToken {
  claims: AccessTokenClaims;
  /** The whole payload, for the claims only an encrypted token may add. */
  payload: JWTPayload;
}

/** RFC 9068 section 4: `at+jwt`, with or without the `application/` prefix. */
function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'at+jwt';
}

/**
 * Checks what the header claims before any key is looked up: a token that could never verify must not
 * make the JWKS cache fetch anything.
 */
function checkHeader(jws: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch (error) {
    throw new InvalidTokenError('the access token is malformed', { cause: error });
  }
  if (typeof header.alg !== 'string' || !(signingAlgorithms as readonly string[]).includes(header.alg)) {
    throw new InvalidTokenError('the access token algorithm is not accepted');
  }
  if (!isAccessTokenType(header.typ)) throw new InvalidTokenError('the token is not an access token');
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > maxKidLength) {
    throw new InvalidTokenError('the access token names no usable key');
  }
}

function optionalText(payload: JWTPayload, name: string): string | null {
  const value = payload[name];
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidTokenError('the access token has an invalid claim');
  }
  return value;
}

/**
 * Verifies a compact JWS access token (RFC 9068): signature by a key of the issuer's JWKS, `typ`,
 * `iss`, `aud`, `exp`, `nbf` and the required claims. Throws a GuichetAuthError.
 */
export async function verifySignedToken(
  jws: string,
  context: SignedTokenContext,
): Promise<VerifiedSignedToken> {
  try {
    checkHeader(jws);
    const { payload } = await jwtVerify(jws, (header) => context.jwks.keyFor(header), {
      issuer: context.issuer,
      audience: context.audience,
      algorithms: [...signingAlgorithms],
      typ: 'at+jwt',
      clockTolerance: context.clockToleranceSeconds,
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
    });
    const sub = optionalText(payload, 'sub');
    if (sub === null || typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
      throw new InvalidTokenError('the access token has an invalid claim');
    }
    if (payload.scope !== undefined && typeof payload.scope !== 'string') {
      throw new InvalidTokenError('the access token has an invalid claim');
    }
    return {
      payload,
      claims: {
        sub,
        sid: optionalText(payload, 'sid'),
        clientId: optionalText(payload, 'client_id'),
        scopes: scopesOf(payload.scope),
        exp: payload.exp,
        iat: payload.iat,
      },
    };
  } catch (error) {
    throw asTokenError(error);
  }
}
