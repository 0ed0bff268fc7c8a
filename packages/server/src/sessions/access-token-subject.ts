import { createLocalJWKSet, jwtVerify } from 'jose';
import { publicJwks } from '../keys/provider-jwks.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { findContextBySessionUid } from './session-context-store.ts';

/** What an access token says about its bearer, whatever its format. */
export interface TokenSubject {
  sub: string | undefined;
  sid: string | undefined;
  scope: string;
  exp: number;
  clientId: string;
  /** The resource server(s) the token is for, so a resource server can refuse someone else's. */
  aud: string | string[] | undefined;
}

function audienceOf(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

const maxTokenLength = 16 * 1024;

/** An RFC 9068 JWT access token signed by one of Guichet's published keys. */
async function verifiedJwt(context: ServerContext, token: string): Promise<TokenSubject | undefined> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(await publicJwks(context.ports.sql)), {
      issuer: context.config.issuer,
      typ: 'at+jwt',
      algorithms: ['ES256', 'EdDSA', 'RS256'],
    });
    return {
      sub: payload.sub,
      sid: typeof payload.sid === 'string' ? payload.sid : undefined,
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      exp: payload.exp ?? 0,
      clientId: typeof payload.client_id === 'string' ? payload.client_id : '',
      aud: audienceOf(payload.aud),
    };
  } catch {
    return undefined;
  }
}

/** An opaque access token (or client-credentials token) still stored and unexpired. */
async function storedToken(
  holder: ProviderHolder,
  context: ServerContext,
  token: string,
): Promise<TokenSubject | undefined> {
  const provider = holder.current;
  const access = await provider.AccessToken.find(token);
  if (access) {
    const sessionContext = access.sessionUid
      ? await findContextBySessionUid(context.ports.sql, access.sessionUid)
      : undefined;
    return {
      sub: access.accountId,
      sid: sessionContext?.sid,
      scope: access.scope ?? '',
      exp: access.exp ?? 0,
      clientId: access.clientId ?? '',
      aud: audienceOf(access.aud),
    };
  }
  const service = await provider.ClientCredentials.find(token);
  if (service) {
    return {
      sub: undefined,
      sid: undefined,
      scope: service.scope ?? '',
      exp: service.exp ?? 0,
      clientId: service.clientId ?? '',
      aud: audienceOf(service.aud),
    };
  }
  return undefined;
}

/**
 * Reads an access token of any format Guichet can check itself: a JWS is verified against the
 * published keys, an opaque token is looked up. A JWE is only readable by its resource server,
 * which resolves it by `sid` instead.
 */
export async function accessTokenSubject(
  holder: ProviderHolder,
  context: ServerContext,
  token: string,
): Promise<TokenSubject | undefined> {
  if (token.length === 0 || token.length > maxTokenLength) return undefined;
  const parts = token.split('.').length;
  if (parts === 5) return undefined;
  const subject = parts === 3 ? await verifiedJwt(context, token) : await storedToken(holder, context, token);
  if (subject === undefined || subject.exp * 1000 <= Date.now()) return undefined;
  return subject;
}
