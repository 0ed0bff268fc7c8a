import type { FastifyReply } from 'fastify';
import { problem, sendProblem } from '../http/problem-details.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { accessTokenSubject } from './access-token-subject.ts';
import { resolveContext } from './session-context-store.ts';

/** A signed-in person calling with their access token, and what their session says right now. */
export interface SessionCaller {
  sub: string;
  sid: string;
  /** The session's active business; null when none is chosen. */
  businessId: string | null;
  /** The person's roles in that business. */
  roles: string[];
}

export interface CallerRefusal {
  status: 401 | 403;
  detail: string;
}

const bearer = /^Bearer ([\x21-\x7e]+)$/;

export function isRefusal<T extends object>(value: T | CallerRefusal): value is CallerRefusal {
  return 'status' in value && 'detail' in value;
}

/**
 * Resolves a bearer access token to its session. A service token (client credentials) has no
 * session: it is refused with 403, as it is valid but not a person's.
 */
export async function resolveSessionCaller(
  holder: ProviderHolder,
  context: ServerContext,
  authorization: string | undefined,
): Promise<SessionCaller | CallerRefusal> {
  const token = bearer.exec(authorization ?? '')?.[1];
  const subject = token === undefined ? undefined : await accessTokenSubject(holder, context, token);
  if (subject === undefined) return { status: 401, detail: 'a valid access token is required' };
  if (subject.sid === undefined)
    return { status: 403, detail: 'this needs the token of a signed-in person, not a service token' };
  const resolved = await resolveContext(context.ports, subject.sid);
  if (!resolved.active) return { status: 401, detail: 'the session of this token has ended' };
  return { sub: resolved.sub, sid: resolved.sid, businessId: resolved.business_id, roles: resolved.roles };
}

/** Answers a refusal as problem details; a 401 also says which scheme would do. */
export function sendCallerRefusal(reply: FastifyReply, refusal: CallerRefusal): FastifyReply {
  if (refusal.status === 401) reply.header('www-authenticate', 'Bearer realm="guichet"');
  return sendProblem(reply, problem(refusal.status, refusal.detail));
}
