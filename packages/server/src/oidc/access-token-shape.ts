import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { roleIn } from '../businesses/membership-store.ts';
import { resourceServerForToken } from '../resources/resource-server-store.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { ensureSessionContext } from '../sessions/ensure-session-context.ts';
import { findContextBySessionUid } from '../sessions/session-context-store.ts';
import { tokenLifetimes } from './token-lifetimes.ts';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;
type ExtraTokenClaims = NonNullable<Configuration['extraTokenClaims']>;
type JwtCustomizer = NonNullable<NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']>;

/** Every claim a readable (JWS) access token may carry: RFC 9068's minimum plus the opaque sid. */
const readableClaims = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'scope', 'client_id', 'sid'] as const;

/** oidc-provider takes a KeyObject; the resource server's key was validated when registered. */
function publicKeyOf(jwk: Record<string, unknown>): KeyObject {
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

/**
 * Resource servers (RFC 8707 `resource` parameter) choose their token format: opaque, a JWT that
 * reveals nothing personal, or a JWE only they can read.
 */
export function resourceIndicators(context: ServerContext): ResourceIndicators {
  return {
    enabled: true,
    defaultResource: async (_ctx, _client, oneOf) => oneOf,
    useGrantedResource: async () => true,
    getResourceServerInfo: async (_ctx, indicator) => {
      const resource = await resourceServerForToken(context, indicator);
      if (resource === undefined) throw new errors.InvalidTarget();
      const encryption = resource.encryptionKey;
      return {
        scope: resource.scopes.join(' '),
        audience: resource.audience,
        accessTokenTTL: resource.ttl,
        accessTokenFormat: resource.format === 'opaque' ? 'opaque' : 'jwt',
        ...(resource.format === 'opaque'
          ? {}
          : {
              jwt: {
                sign: { alg: 'ES256' },
                ...(resource.format === 'jwe' && encryption
                  ? {
                      encrypt: {
                        alg: encryption.alg,
                        enc: encryption.enc,
                        key: publicKeyOf(encryption.jwk),
                        kid: typeof encryption.jwk.kid === 'string' ? encryption.jwk.kid : undefined,
                      },
                    }
                  : {}),
              },
            }),
      };
    },
  };
}

/** Opens (or finds) the session context and names it in the token by its opaque sid. */
export function sessionIdClaim(context: ServerContext): ExtraTokenClaims {
  return async (ctx: KoaContextWithOIDC, token) => {
    const sessionUid = 'sessionUid' in token ? token.sessionUid : undefined;
    const accountId = 'accountId' in token ? token.accountId : undefined;
    if (typeof sessionUid !== 'string' || typeof accountId !== 'string') return undefined;
    const code = ctx.oidc.entities.AuthorizationCode;
    const sessionAuthTime = ctx.oidc.session?.authTime;
    const authTime =
      code?.authTime ??
      (typeof sessionAuthTime === 'number' ? sessionAuthTime : Math.floor(Date.now() / 1000));
    const sessionContext =
      (await findContextBySessionUid(context.ports.sql, sessionUid)) ??
      (await ensureSessionContext(
        context.ports,
        {
          sessionUid,
          accountId,
          authTime: new Date(authTime * 1000),
          amr: code?.amr ?? ['pwd'],
          expiresAt: new Date((authTime + tokenLifetimes.Session) * 1000),
        },
        undefined,
        null,
      ));
    return { sid: sessionContext.sid };
  };
}

/** Strips JWT access tokens to the readable claims; only a JWE may add the business and roles. */
export function accessTokenCustomizer(context: ServerContext): JwtCustomizer {
  return async (_ctx, token, jwt) => {
    const payload = jwt.payload as Record<string, unknown>;
    const kept: Record<string, unknown> = {};
    for (const claim of readableClaims) if (payload[claim] !== undefined) kept[claim] = payload[claim];
    // A DPoP- or mTLS-bound token must keep its confirmation, or the binding is lost.
    if (payload.cnf !== undefined) kept.cnf = payload.cnf;
    const audience = 'resourceServer' in token ? token.resourceServer?.audience : undefined;
    const resource =
      typeof audience === 'string' ? await resourceServerForToken(context, audience) : undefined;
    if (resource?.format === 'jwe' && typeof kept.sid === 'string' && typeof kept.sub === 'string') {
      const session = await context.ports.sql.db
        .selectFrom('session_context')
        .select(['business_id', 'account_id'])
        .where('sid', '=', kept.sid)
        .executeTakeFirst();
      if (session?.business_id) {
        kept.business_id = session.business_id;
        kept.roles =
          (await roleIn(context.ports.sql, {
            accountId: session.account_id,
            businessId: session.business_id,
          })) ?? [];
      }
    }
    jwt.payload = kept as typeof jwt.payload;
  };
}
