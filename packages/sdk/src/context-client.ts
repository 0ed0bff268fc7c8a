import { fetchJson, UpstreamError } from './fetch-json.ts';
import { isRecord } from './is-record.ts';

/** A session's context as Guichet resolves it. */
export interface ResolvedContext {
  sub: string;
  sid: string | null;
  businessId: string | null;
  roles: readonly string[];
  scope: string;
  /** Seconds since the epoch: the token's expiry for a token lookup, the session's for a sid lookup. */
  exp: number;
  /** Present when Guichet names the token's audience; checked against this resource server's. */
  aud?: string | readonly string[];
}

export type ContextAnswer = { active: false } | ({ active: true } & ResolvedContext);

export type ContextQuery = { token: string } | { sid: string };

export interface ContextClient {
  /** Asks Guichet; throws UpstreamError when it cannot answer (network, 401, 429, 5xx, bad JSON). */
  lookup(query: ContextQuery): Promise<ContextAnswer>;
}

const maxContextBytes = 64 * 1024;

function parseAnswer(body: unknown): ContextAnswer {
  if (!isRecord(body) || typeof body.active !== 'boolean') {
    throw new UpstreamError('context answer is not { active, ... }', 200);
  }
  if (!body.active) return { active: false };
  const { sub, sid, business_id: businessId, roles, scope, exp, aud } = body;
  const valid =
    typeof sub === 'string' &&
    sub.length > 0 &&
    (sid === undefined || sid === null || typeof sid === 'string') &&
    (businessId === undefined || businessId === null || typeof businessId === 'string') &&
    (roles === undefined || (Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) &&
    (scope === undefined || typeof scope === 'string') &&
    typeof exp === 'number' &&
    Number.isFinite(exp);
  if (!valid) throw new UpstreamError('context answer has malformed members', 200);
  const context: ResolvedContext & { active: true } = {
    active: true,
    sub,
    sid: typeof sid === 'string' ? sid : null,
    businessId: typeof businessId === 'string' ? businessId : null,
    roles: Object.freeze(Array.isArray(roles) ? roles.filter((role) => typeof role === 'string') : []),
    scope: typeof scope === 'string' ? scope : '',
    exp,
  };
  if (typeof aud === 'string') context.aud = aud;
  else if (Array.isArray(aud)) context.aud = aud.filter((entry) => typeof entry === 'string');
  return context;
}

/**
 * Client of Guichet's context endpoint (`POST ${issuer}/context`), authenticated as this resource
 * server's service client.
 */
export function createContextClient(options: {
  uri: string;
  authorization: string;
  timeoutMs: number;
}): ContextClient {
  return {
    async lookup(query) {
      const answer = await fetchJson(
        options.uri,
        {
          method: 'POST',
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            authorization: options.authorization,
          },
          body: JSON.stringify(query),
        },
        { timeoutMs: options.timeoutMs, maxBytes: maxContextBytes },
      );
      if (answer.status === 200) return parseAnswer(answer.body);
      const hint =
        answer.status === 401
          ? ': check clientId and clientSecret (the resource server client)'
          : answer.status === 429
            ? ': rate-limited'
            : '';
      throw new UpstreamError(`context endpoint answered ${answer.status}${hint}`, answer.status);
    },
  };
}
