import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAccountById } from '../accounts/account-store.ts';
import { listMembers, membershipsOf } from '../businesses/membership-store.ts';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { isRefusal, resolveSessionCaller, type SessionCaller, sendCallerRefusal } from './session-caller.ts';

/** Roles that may see who else belongs to their business. */
export const memberListRoles: readonly string[] = ['owner', 'admin'];

const security = [{ bearer: [] }];
const problems = { 401: problemSchema, 403: problemSchema } as const;

const sessionBusinessesSchema = {
  type: 'object',
  required: ['sub', 'name', 'activeBusinessId', 'businesses'],
  properties: {
    sub: { type: 'string' },
    name: { type: 'string', description: 'the person’s display name' },
    activeBusinessId: { type: ['string', 'null'] },
    businesses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'slug', 'roles'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          slug: { type: 'string' },
          roles: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const sessionMembersSchema = {
  type: 'object',
  required: ['businessId', 'members'],
  properties: {
    businessId: { type: 'string' },
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: ['accountId', 'name', 'email', 'roles'],
        properties: {
          accountId: { type: 'string' },
          name: { type: 'string' },
          email: { type: 'string' },
          roles: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

/**
 * What a signed-in person may read about their own session, with their access token: the businesses
 * they can switch to, and (owners and admins) the members of the active one. Apps show names from
 * here instead of tokens, which carry none.
 */
export async function sessionDirectoryRoutes(
  app: FastifyInstance,
  options: { context: ServerContext; holder: ProviderHolder },
): Promise<void> {
  const { context, holder } = options;
  const { sql } = context.ports;

  async function callerOf(request: FastifyRequest, reply: FastifyReply): Promise<SessionCaller | undefined> {
    const caller = await resolveSessionCaller(holder, context, request.headers.authorization);
    if (!isRefusal(caller)) return caller;
    sendCallerRefusal(reply, caller);
    return undefined;
  }

  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get(
    '/session/businesses',
    {
      schema: {
        tags: ['context'],
        summary: 'The signed-in person’s name, their businesses and roles, and the active one',
        security,
        response: { 200: sessionBusinessesSchema, ...problems },
      },
    },
    async (request, reply) => {
      const caller = await callerOf(request, reply);
      if (caller === undefined) return reply;
      const [account, memberships] = await Promise.all([
        findAccountById(sql, caller.sub),
        membershipsOf(sql, caller.sub),
      ]);
      return {
        sub: caller.sub,
        name: account?.name ?? '',
        activeBusinessId: caller.businessId,
        businesses: memberships.map((membership) => ({
          id: membership.businessId,
          name: membership.name,
          slug: membership.slug,
          roles: membership.roles,
        })),
      };
    },
  );

  app.get(
    '/session/business/members',
    {
      schema: {
        tags: ['context'],
        summary: 'Members of the session’s active business (owners and admins only)',
        security,
        response: { 200: sessionMembersSchema, ...problems },
      },
    },
    async (request, reply) => {
      const caller = await callerOf(request, reply);
      if (caller === undefined) return reply;
      if (caller.businessId === null)
        return sendProblem(reply, problem(403, 'the session has no active business: choose one first'));
      if (!caller.roles.some((role) => memberListRoles.includes(role)))
        return sendProblem(
          reply,
          problem(403, `only ${memberListRoles.join(' and ')} roles may list members`),
        );
      const members = await listMembers(sql, caller.businessId);
      return {
        businessId: caller.businessId,
        members: members.map((member) => ({
          accountId: member.accountId,
          name: member.name,
          email: member.email,
          roles: member.roles,
        })),
      };
    },
  );
}
