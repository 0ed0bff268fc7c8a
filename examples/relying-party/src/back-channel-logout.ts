import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';

const logoutEvent = 'http://schemas.openid.net/event/backchannel-logout';

/** Who a valid logout token signs out: the session (`sid`), the person (`sub`), or both. */
export interface LogoutTarget {
  sid: string | undefined;
  sub: string | undefined;
}

export class InvalidLogoutTokenError extends Error {
  constructor(reason: string) {
    super(`invalid logout token: ${reason}`);
    this.name = 'InvalidLogoutTokenError';
  }
}

/**
 * Checks a back-channel logout token as OpenID Connect Back-Channel Logout 1.0 (section 2.6) asks:
 * signed by Guichet's published keys, for this client, typed `logout+jwt`, carrying the logout event
 * and no nonce, naming a sid or a sub. A token already seen is refused (replay).
 */
export class LogoutTokenVerifier {
  readonly #issuer: string;
  readonly #clientId: string;
  readonly #keys: JWTVerifyGetKey;
  readonly #seen = new Map<string, number>();

  constructor(options: { issuer: string; clientId: string; jwksUri: string }) {
    this.#issuer = options.issuer;
    this.#clientId = options.clientId;
    this.#keys = createRemoteJWKSet(new URL(options.jwksUri));
  }

  async verify(token: string): Promise<LogoutTarget> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        issuer: this.#issuer,
        audience: this.#clientId,
        typ: 'logout+jwt',
        algorithms: ['ES256', 'EdDSA', 'RS256'],
        requiredClaims: ['iat', 'jti', 'events'],
        maxTokenAge: '2 minutes',
      }));
    } catch (error) {
      throw new InvalidLogoutTokenError(error instanceof Error ? error.message : 'unreadable');
    }
    const events = payload.events;
    if (typeof events !== 'object' || events === null || !(logoutEvent in events))
      throw new InvalidLogoutTokenError('no back-channel logout event');
    if ('nonce' in payload) throw new InvalidLogoutTokenError('a logout token carries no nonce');
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    if (sid === undefined && sub === undefined) throw new InvalidLogoutTokenError('neither sid nor sub');
    this.#rememberOnce(String(payload.jti));
    return { sid, sub };
  }

  #rememberOnce(jti: string): void {
    const now = Date.now();
    for (const [seen, until] of this.#seen) if (until <= now) this.#seen.delete(seen);
    if (this.#seen.has(jti)) throw new InvalidLogoutTokenError('already used');
    // Tokens older than maxTokenAge are refused anyway, so remembering them longer is pointless.
    this.#seen.set(jti, now + 3 * 60 * 1000);
  }
}
