/**
 * The claims of a readable (JWS) access token, RFC 9068: exactly these and nothing else. Anyone holding
 * the token can read them, so none names a person or a business; the rest is resolved from `sid`.
 */
export const jwtAccessTokenClaimNames = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'jti',
  'scope',
  'client_id',
  'sid',
] as const;

/** Claims only an encrypted (JWE) access token may add, since only its resource server can read them. */
export const encryptedOnlyClaimNames = ['business_id', 'roles'] as const;

export interface JwtAccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  scope: string;
  client_id: string;
  /** Absent only from client-credentials tokens: a service acting for itself has no session. */
  sid?: string;
}

export interface EncryptedAccessTokenClaims extends JwtAccessTokenClaims {
  business_id?: string;
  roles?: string[];
}

/**
 * What the issuer knows about the token, named as the claims are. `kind` is oidc-provider's token kind:
 * an AccessToken is issued to a person's session and must carry its sid; a ClientCredentials token
 * has none. Any other property of the object passed is ignored.
 */
export type JwtAccessTokenInput = Omit<JwtAccessTokenClaims, 'sid'> &
  ({ kind: 'AccessToken'; sid: string } | { kind: 'ClientCredentials'; sid?: undefined });

export type EncryptedAccessTokenInput = JwtAccessTokenInput & { business_id?: string; roles?: string[] };

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`access token claim ${name} must be a non-empty string`);
  }
  return value;
}

function requireSeconds(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`access token claim ${name} must be a positive whole number of seconds`);
  }
  return value;
}

/** The session id for a person's token, none for a client-credentials token: a mix-up is a bug upstream. */
function sessionClaim(input: JwtAccessTokenInput): { sid?: string } {
  if (input.kind === 'AccessToken') return { sid: requireText('sid', input.sid) };
  if (input.kind === 'ClientCredentials') {
    if (input.sid !== undefined) {
      throw new TypeError('a client-credentials access token has no session: it must not carry a sid');
    }
    return {};
  }
  throw new TypeError(`unknown access token kind ${String((input as { kind: unknown }).kind)}`);
}

/**
 * The claims set of a JWT access token (RFC 9068), built field by field so that nothing else, however
 * it got into `input`, can reach a token anyone can read. Throws TypeError on a missing or malformed claim.
 */
export function jwtAccessTokenClaims(input: JwtAccessTokenInput): JwtAccessTokenClaims {
  const iat = requireSeconds('iat', input.iat);
  const exp = requireSeconds('exp', input.exp);
  if (exp <= iat) throw new TypeError('access token claim exp must come after iat');
  if (typeof input.scope !== 'string') throw new TypeError('access token claim scope must be a string');
  return {
    iss: requireText('iss', input.iss),
    sub: requireText('sub', input.sub),
    aud: requireText('aud', input.aud),
    exp,
    iat,
    jti: requireText('jti', input.jti),
    scope: input.scope,
    client_id: requireText('client_id', input.client_id),
    ...sessionClaim(input),
  };
}

function businessClaims(
  input: EncryptedAccessTokenInput,
): Pick<EncryptedAccessTokenClaims, 'business_id' | 'roles'> {
  const claims: Pick<EncryptedAccessTokenClaims, 'business_id' | 'roles'> = {};
  if (input.business_id !== undefined) claims.business_id = requireText('business_id', input.business_id);
  if (input.roles !== undefined) {
    if (
      !Array.isArray(input.roles) ||
      !input.roles.every((role) => typeof role === 'string' && role !== '')
    ) {
      throw new TypeError('access token claim roles must be a list of non-empty strings');
    }
    claims.roles = [...input.roles];
  }
  return claims;
}

/**
 * The claims set of the signed token inside a JWE access token: the JWT claims plus, when given, the
 * business the session works in and the person's roles there. Only for tokens passed to encryptAccessToken.
 */
export function encryptedAccessTokenClaims(input: EncryptedAccessTokenInput): EncryptedAccessTokenClaims {
  return { ...jwtAccessTokenClaims(input), ...businessClaims(input) };
}
