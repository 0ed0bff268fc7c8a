import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticateServiceClient } from '../clients/authenticate-service-client.ts';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { accessTokenSubject } from './access-token-subject.ts';
import { isRefusal, resolveSessionCaller, sendCallerRefusal } from './session-caller.ts';
import { NotAMemberError, resolveContext, switchBusiness } from './session-context-store.ts';

const contextBody = {
  type: 'object',
  additionalProperties: false,
  // Exactly one of the two; unknown fields would be stripped by Fastify, so presence is what counts.
  oneOf: [{ required: ['token'] }, { required: ['sid'] }],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 16384 },
    sid: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const contextResponse = {
  type: 'object',
  required: ['active'],
  properties: {
    active: { type: 'boolean' },
    sub: { type: 'string' },
    sid: { type: 'string' },
    business_id: { type: ['string', 'null'] },
    roles: { type: 'array', items: { type: 'string' } },
    scope: { type: 'string' },
    exp: { type: 'integer' },
    aud: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
} as const;

const switchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['business_id'],
  properties: { business_id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/** Requests per minute a resource server may make to the context endpoint. */
const contextRequestsPerMinute = 60_000;

/** The context endpoint is for service clients only: HTTP Basic with their credentials. */
function serviceClientRequired(reply: FastifyReply): FastifyReply {
  reply.header('www-authenticate', 'Basic realm="guichet"');
  return sendProblem(reply, problem(401, 'the client credentials of a service client are required'));
}

/**
 * POST /context: resource servers resolve a token or a sid into the session's business context.
 * POST /session/business: a person switches the active business of their session.
 */
export async function contextRoutes(
  app: FastifyInstance,
  options: { context: ServerContext; holder: ProviderHolder },
): Promise<void> {
  const { context, holder } = options;
  const { ports } = context;

  app.post<{ Body: { token?: string; sid?: string } }>(
    '/context',
    {
      bodyLimit: 32 * 1024,
      schema: {
        tags: ['context'],
        summary: 'Resolve an access token or a sid into the session’s business context (service clients)',
        security: [{ serviceClient: [] }],
        body: contextBody,
        response: { 200: contextResponse, 401: problemSchema, 429: problemSchema },
      },
    },
    async (request, reply) => {
      const clientId = await authenticateServiceClient(context, request.headers.authorization);
      if (clientId === undefined) return serviceClientRequired(reply);
      const count = await ports.cache.increment(`rate:context:${clientId}`, 60_000).catch(() => 0);
      if (count > contextRequestsPerMinute) {
        reply.header('retry-after', '60');
        return sendProblem(reply, problem(429, 'too many context requests; cache the answers'));
      }
      reply.header('cache-control', 'no-store');
      const { token, sid } = request.body;
      if (sid !== undefined) return resolveContext(ports, sid);
      const subject = await accessTokenSubject(holder, context, token ?? '');
      if (subject === undefined) return { active: false };
      const audience = subject.aud === undefined ? {} : { aud: subject.aud };
      if (subject.sid === undefined) {
        // A client-credentials token: a service, not a person, so there is no session context.
        const service = subject.sub === undefined || subject.sub === subject.clientId;
        return service
          ? {
              active: true,
              sub: subject.clientId,
              business_id: null,
              roles: [],
              scope: subject.scope,
              exp: subject.exp,
              ...audience,
            }
          : { active: false };
      }
      const resolved = await resolveContext(ports, subject.sid);
      return resolved.active
        ? { ...resolved, scope: subject.scope, exp: Math.min(resolved.exp, subject.exp), ...audience }
        : resolved;
    },
  );

  app.post<{ Body: { business_id: string } }>(
    '/session/business',
    {
      bodyLimit: 4 * 1024,
      schema: {
        tags: ['context'],
        summary: 'Switch the active business of the caller’s session',
        security: [{ bearer: [] }],
        body: switchBody,
        response: { 401: problemSchema, 403: problemSchema },
      },
    },
    async (request, reply) => {
      const caller = await resolveSessionCaller(holder, context, request.headers.authorization);
      if (isRefusal(caller)) return sendCallerRefusal(reply, caller);
      try {
        return await switchBusiness(
          ports,
          { sid: caller.sid, businessId: request.body.business_id },
          request.log,
        );
      } catch (error) {
        if (error instanceof NotAMemberError) return sendProblem(reply, problem(403, error.message));
        throw error;
      }
    },
  );
}
