import type { AccessTokenClaims, CarriedContext } from './access-token-claims.ts';
import { scopesOf } from './access-token-claims.ts';
import { basicAuthorization } from './basic-authorization.ts';
import { bearerTokenFrom } from './bearer-token.ts';
import { createChangeLog } from './change-log.ts';
import { type ContextAnswer, type ContextQuery, createContextClient } from './context-client.ts';
import { decryptEncryptedToken } from './decrypt-encrypted-token.ts';
import { createEmitter } from './emitter.ts';
import { createEndedSessions } from './ended-sessions.ts';
import {
  ExpiredTokenError,
  GuichetUnavailableError,
  InsufficientScopeError,
  InvalidTokenError,
  SessionEndedError,
} from './errors.ts';
import type { EventFeed, EventFeedHandlers } from './event-feed.ts';
import { UpstreamError } from './fetch-json.ts';
import { createFilesClient } from './files-client.ts';
import type { AuthenticateOptions, Guichet, GuichetAuthentication } from './guichet.ts';
import { parseGuichetEvent } from './guichet-event.ts';
import { createJwksCache } from './jwks-cache.ts';
import { type GuichetOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { startRedisFeed } from './redis-feed.ts';
import { createSessionCache } from './session-cache.ts';
import { startSseFeed } from './sse-feed.ts';
import { type CachedToken, createTokenCache, tokenCacheKey } from './token-cache.ts';
import { accessTokenFormat, maxOpaqueTokenLength } from './token-format.ts';
import { verifySignedToken } from './verify-signed-token.ts';

const noContext: CarriedContext = Object.freeze({ businessId: null, roles: Object.freeze([]) });

/** Event ids remembered to drop a replayed duplicate. */
const recentEventIds = 1024;

function audienceMatches(aud: string | readonly string[] | undefined, audience: string): boolean {
  if (aud === undefined) return true;
  return typeof aud === 'string' ? aud === audience : aud.includes(audience);
}

function startFeed(
  config: ResolvedOptions,
  authorization: string,
  handlers: EventFeedHandlers,
): EventFeed | undefined {
  if (config.events === 'none') return undefined;
  if (config.events === 'redis' && config.redisUrl !== undefined) {
    return startRedisFeed({ url: config.redisUrl, channel: config.eventsChannel }, handlers);
  }
  return startSseFeed(
    {
      uri: config.eventsUri,
      authorization,
      minDelayMs: config.reconnectMinDelayMs,
      maxDelayMs: config.reconnectMaxDelayMs,
      idleTimeoutMs: config.eventsIdleTimeoutMs,
    },
    handlers,
  );
}

/**
 * Creates the Guichet client of a resource server: verifies access tokens of every format, resolves
 * the session's business context, and keeps both cached and current through Guichet's events.
 * Nothing happens at import; the event feed starts here, in the background.
 *
 * @example
 * const guichet = createGuichet({
 *   issuer: 'https://id.example.com',
 *   audience: 'https://api.example.com',
 *   clientId: process.env.GUICHET_CLIENT_ID,
 *   clientSecret: process.env.GUICHET_CLIENT_SECRET,
 * });
 * const { sub, businessId, roles } = await guichet.authenticate(request.headers.authorization);
 */
export function createGuichet(options: GuichetOptions): Guichet {
  const config = resolveOptions(options);
  const authorization = basicAuthorization(config.clientId, config.clientSecret);
  const emitter = createEmitter();
  const toleranceMs = config.clockToleranceSeconds * 1000;
  const jwks = createJwksCache({
    uri: config.jwksUri,
    cooldownMs: config.jwksCooldownMs,
    maxAgeMs: config.jwksMaxAgeMs,
    timeoutMs: config.requestTimeoutMs,
    onError: (error) => emitter.emit('error', error),
  });
  const signed = {
    jwks,
    issuer: config.issuer,
    audience: config.audience,
    clockToleranceSeconds: config.clockToleranceSeconds,
  };
  const contextClient = createContextClient({
    uri: config.contextUri,
    authorization,
    timeoutMs: config.requestTimeoutMs,
  });
  const tokens = createTokenCache();
  const sessions = createSessionCache();
  const ended = createEndedSessions();
  const changes = createChangeLog();
  // One request to Guichet per sid (or opaque token) at a time, however many callers wait for it.
  const lookups = new Map<string, Promise<ContextAnswer>>();
  const seenEventIds = new Set<string>();
  // Bumped by every invalidation: an answer requested before it must not be cached after it.
  let epoch = 0;
  let closed = false;
  let upstreamHealthy = true;

  function upstreamFailed(error: Error): void {
    if (!upstreamHealthy) return;
    upstreamHealthy = false;
    emitter.emit('error', error);
  }

  function remember(sid: string, answer: ContextAnswer & { active: true }, asked: number): void {
    if (asked !== epoch || closed) return;
    const now = Date.now();
    const freshUntil = Math.min(now + config.contextTtlMs, answer.exp * 1000);
    sessions.set(sid, {
      sub: answer.sub,
      businessId: answer.businessId,
      roles: answer.roles,
      freshUntil,
      usableUntil: Math.min(freshUntil + config.staleIfErrorMs, answer.exp * 1000),
    });
  }

  /** Asks Guichet, once per key at a time; UpstreamError when it cannot answer. */
  function lookup(key: string, query: ContextQuery, sid: string | null): Promise<ContextAnswer> {
    let pending = lookups.get(key);
    if (pending === undefined) {
      const asked = epoch;
      pending = contextClient.lookup(query).then(
        (answer) => {
          upstreamHealthy = true;
          if (answer.active && answer.sid !== null && (sid === null || answer.sid === sid)) {
            remember(answer.sid, answer, asked);
          }
          return answer;
        },
        (error: unknown) => {
          if (error instanceof UpstreamError) upstreamFailed(error);
          throw error;
        },
      );
      const settled = pending;
      lookups.set(key, settled);
      settled.then(
        () => lookups.get(key) === settled && lookups.delete(key),
        () => lookups.get(key) === settled && lookups.delete(key),
      );
    }
    return pending;
  }

  async function resolveOpaque(token: string, key: string): Promise<CachedToken> {
    if (token.length > maxOpaqueTokenLength) throw new InvalidTokenError('the access token is malformed');
    let answer: ContextAnswer;
    try {
      answer = await lookup(`token:${key}`, { token }, null);
    } catch (error) {
      throw new GuichetUnavailableError(undefined, { cause: error });
    }
    if (!answer.active) throw new InvalidTokenError('the access token is not active');
    if (!audienceMatches(answer.aud, config.audience)) {
      throw new InvalidTokenError('the access token is not meant for this resource server');
    }
    const now = Date.now();
    if (answer.exp * 1000 + toleranceMs <= now) throw new ExpiredTokenError();
    const claims: AccessTokenClaims = {
      sub: answer.sub,
      sid: answer.sid,
      clientId: null,
      scopes: scopesOf(answer.scope),
      exp: answer.exp,
      iat: null,
    };
    const cached: CachedToken = {
      format: 'opaque',
      claims,
      carried: { businessId: answer.businessId, roles: answer.roles },
      // Guichet may revoke an opaque token without an event naming it: ask again after the context TTL.
      validUntil: Math.min(now + config.contextTtlMs, answer.exp * 1000 + toleranceMs),
      verifiedAt: now,
    };
    if (!closed) tokens.set(key, cached);
    return cached;
  }

  async function verify(token: string, key: string): Promise<CachedToken> {
    const format = accessTokenFormat(token);
    if (format === 'opaque') return resolveOpaque(token, key);
    const verified =
      format === 'jwt'
        ? { ...(await verifySignedToken(token, signed)), carried: undefined }
        : await decryptEncryptedToken(token, config.decryptionKey, signed);
    const cached: CachedToken = {
      format,
      claims: verified.claims,
      carried: verified.carried,
      validUntil: verified.claims.exp * 1000 + toleranceMs,
      verifiedAt: Date.now(),
    };
    if (!closed) tokens.set(key, cached);
    return cached;
  }

  /** The session's context now: from memory, else from Guichet, else (Guichet away) the best fallback. */
  async function contextOf(cached: CachedToken, token: string, key: string): Promise<CarriedContext> {
    const { sid, sub, iat } = cached.claims;
    if (sid === null) return cached.carried ?? noContext;
    const now = Date.now();
    const end = ended.get(sid, now);
    if (end !== undefined) {
      const before =
        cached.format === 'opaque' ? cached.verifiedAt <= end.learnedAt : (iat ?? 0) * 1000 <= end.endedAt;
      if (before) throw new SessionEndedError();
    }
    let context: CarriedContext & { sub: string };
    const fresh = sessions.fresh(sid, now);
    if (fresh !== undefined) {
      context = fresh;
    } else {
      let answer: ContextAnswer;
      try {
        // An opaque token is asked about itself, which also tells whether it was revoked.
        answer =
          cached.format === 'opaque'
            ? await lookup(`token:${key}`, { token }, sid)
            : await lookup(`sid:${sid}`, { sid }, sid);
      } catch (error) {
        return fallback(cached, error);
      }
      if (!answer.active) {
        tokens.delete(key);
        if (cached.format !== 'opaque') ended.end(sid, Date.now(), Date.now());
        sessions.dropSid(sid);
        throw new SessionEndedError();
      }
      if (answer.sid !== sid) throw new InvalidTokenError('the access token does not match its session');
      context = answer;
    }
    if (context.sub !== sub) throw new InvalidTokenError('the access token does not match its session');
    return context;
  }

  /** Guichet cannot answer: a stale context not dropped by an event, or a JWE's unchanged snapshot. */
  function fallback(cached: CachedToken, error: unknown): CarriedContext {
    const { sid, sub, iat } = cached.claims;
    const stale = sid === null ? undefined : sessions.stale(sid, Date.now());
    if (stale !== undefined && stale.sub === sub) return stale;
    if (cached.format === 'jwe' && cached.carried !== undefined && iat !== null) {
      const ids = { sid, sub, businessId: cached.carried.businessId };
      if (!changes.changedSince(iat * 1000, ids)) return cached.carried;
    }
    throw new GuichetUnavailableError(undefined, { cause: error });
  }

  function applyEvent(json: string): void {
    const event = parseGuichetEvent(json);
    if (event === undefined || closed) return;
    if (seenEventIds.has(event.id)) return;
    seenEventIds.add(event.id);
    if (seenEventIds.size > recentEventIds) {
      const oldest = seenEventIds.values().next();
      if (oldest.done !== true) seenEventIds.delete(oldest.value);
    }
    const learnedAt = Date.now();
    const parsedAt = Date.parse(event.at);
    const at = Number.isFinite(parsedAt) ? parsedAt : learnedAt;
    const { sid, sub, businessId } = event;
    if (event.type === 'keys.rotated') {
      jwks.rotated();
    } else {
      epoch += 1;
      lookups.clear();
      if (event.type === 'session.ended' || event.type === 'grant.revoked') {
        if (sid !== undefined) ended.end(sid, at, learnedAt);
      }
      if (sid !== undefined) {
        sessions.dropSid(sid);
        changes.touch('sid', sid, at);
      }
      if (sub !== undefined) {
        // A membership change concerns the person in every session; a session event names its sid.
        if (sid === undefined || event.type === 'membership.changed') sessions.dropSub(sub);
        changes.touch('sub', sub, at);
      }
      if (businessId !== undefined && sid === undefined && sub === undefined) {
        sessions.dropBusiness(businessId);
        changes.touch('business', businessId, at);
      }
    }
    emitter.emit('event', event);
  }

  const feed = startFeed(config, authorization, {
    onMessage: applyEvent,
    onOpen(complete) {
      if (!complete && !closed) {
        // Whatever was published while away is lost: cached contexts may be stale, keys may have rotated.
        epoch += 1;
        lookups.clear();
        sessions.clear();
        changes.forgetBefore(Date.now());
        jwks.allowImmediateRefetch();
      }
      emitter.emit('connected');
    },
    onError: (error) => emitter.emit('error', error),
  });

  async function authenticate(
    authorizationHeader: string | undefined,
    callOptions: AuthenticateOptions = {},
  ): Promise<GuichetAuthentication> {
    if (closed) throw new GuichetUnavailableError('the Guichet client is closed');
    const token = bearerTokenFrom(authorizationHeader, config.maxTokenLength);
    const key = tokenCacheKey(token);
    let cached: CachedToken;
    let context: CarriedContext;
    try {
      cached = tokens.get(key, Date.now()) ?? (await verify(token, key));
      context = await contextOf(cached, token, key);
    } catch (error) {
      // The operator hears of an outage once, from the first request that met it.
      if (error instanceof GuichetUnavailableError && error.cause instanceof Error)
        upstreamFailed(error.cause);
      throw error;
    }
    const { claims } = cached;
    const required = callOptions.scopes ?? [];
    if (!required.every((scope) => claims.scopes.includes(scope))) throw new InsufficientScopeError(required);
    return {
      sub: claims.sub,
      sid: claims.sid,
      businessId: context.businessId,
      roles: context.roles,
      scopes: claims.scopes,
      token,
      clientId: claims.clientId,
      expiresAt: claims.exp,
      format: cached.format,
    };
  }

  /** The app changed the session itself (a business switch): forget it without waiting for the event. */
  function forgetSession(sid: string): void {
    if (closed) return;
    // As for an event: an answer already on its way predates the change and must not be cached.
    epoch += 1;
    lookups.clear();
    // Token verdicts stay: a signature does not change with the session, and the context (an opaque
    // token's activity included) is asked again once the session's cached context is gone.
    sessions.dropSid(sid);
    // A JWE's business claims no longer vouch for the session during an outage.
    changes.touch('sid', sid, Date.now());
  }

  return {
    authenticate,
    forgetSession,
    on: (type, listener) => emitter.on(type, listener),
    files: (accessToken) =>
      createFilesClient({
        baseUrl: config.issuer,
        accessToken,
        timeoutMs: config.requestTimeoutMs,
      }),
    async close() {
      if (closed) return;
      closed = true;
      await feed?.close();
      tokens.clear();
      sessions.clear();
      ended.clear();
      changes.clear();
      lookups.clear();
      emitter.clear();
    },
  };
}
