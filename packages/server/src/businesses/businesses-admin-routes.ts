import type { FastifyInstance, FastifyReply } from 'fastify';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import { refuseLenientBody } from '../http/strict-body.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { businessProblem } from './business-problems.ts';
import { createBusiness, listBusinesses, requireBusiness } from './business-store.ts';
import {
  type BusinessPageView,
  businessPageViewSchema,
  businessViewSchema,
  toBusinessPageView,
  toBusinessView,
} from './business-view.ts';
import {
  addMemberBodySchema,
  businessParamsSchema,
  createBusinessBodySchema,
  listBusinessesQuerySchema,
  memberParamsSchema,
} from './businesses-json-schemas.ts';
import { toMemberReference } from './member-reference.ts';
import { memberListViewSchema, memberViewSchema, toMemberView } from './member-view.ts';
import { addMember, listMembers, removeMember } from './membership-store.ts';

/** A name, a slug or an email and a few roles: anything larger is not one of these requests. */
const bodyLimit = 16 * 1024;

interface CreateBusinessBody {
  name: string;
  slug?: string;
}

interface AddMemberBody {
  email?: string;
  accountId?: string;
  roles: string[];
}

interface BusinessParams {
  id: string;
}

interface MemberParams {
  id: string;
  accountId: string;
}

const problems = { 400: problemSchema, 404: problemSchema, 409: problemSchema } as const;

/** Answers this domain's errors as problem details; anything else goes on to the error handler. */
function sendBusinessProblem(reply: FastifyReply, error: unknown): FastifyReply {
  const answer = businessProblem(error);
  if (answer === undefined) throw error;
  return sendProblem(reply, answer);
}

/**
 * Admin API for businesses and their members; mounted (and authenticated) inside the admin scope.
 * A business may be named by its id or its slug in every path.
 */
export async function businessesAdminRoutes(
  app: FastifyInstance,
  options: { context: ServerContext },
): Promise<void> {
  const { ports } = options.context;
  const { sql } = ports;

  app.post<{ Body: CreateBusinessBody }>(
    '/businesses',
    {
      bodyLimit,
      preValidation: refuseLenientBody(createBusinessBodySchema),
      schema: { body: createBusinessBodySchema, response: { 201: businessViewSchema, ...problems } },
    },
    async (request, reply) => {
      try {
        const business = await createBusiness(sql, request.body);
        return reply.code(201).send(toBusinessView(business));
      } catch (error) {
        return sendBusinessProblem(reply, error);
      }
    },
  );

  app.get<{ Querystring: { limit: number; after?: string } }>(
    '/businesses',
    {
      schema: {
        querystring: listBusinessesQuerySchema,
        response: { 200: businessPageViewSchema, 400: problemSchema },
      },
    },
    async (request): Promise<BusinessPageView> =>
      toBusinessPageView(
        await listBusinesses(sql, { limit: request.query.limit, after: request.query.after }),
      ),
  );

  app.get<{ Params: BusinessParams }>(
    '/businesses/:id',
    { schema: { params: businessParamsSchema, response: { 200: businessViewSchema, ...problems } } },
    async (request, reply) => {
      try {
        return toBusinessView(await requireBusiness(sql, request.params.id));
      } catch (error) {
        return sendBusinessProblem(reply, error);
      }
    },
  );

  app.get<{ Params: BusinessParams }>(
    '/businesses/:id/members',
    { schema: { params: businessParamsSchema, response: { 200: memberListViewSchema, ...problems } } },
    async (request, reply) => {
      try {
        const business = await requireBusiness(sql, request.params.id);
        return { members: (await listMembers(sql, business.id)).map(toMemberView) };
      } catch (error) {
        return sendBusinessProblem(reply, error);
      }
    },
  );

  app.post<{ Params: BusinessParams; Body: AddMemberBody }>(
    '/businesses/:id/members',
    {
      bodyLimit,
      preValidation: refuseLenientBody(addMemberBodySchema),
      schema: {
        params: businessParamsSchema,
        body: addMemberBodySchema,
        response: { 200: memberViewSchema, ...problems },
      },
    },
    async (request, reply) => {
      const { email, accountId, roles } = request.body;
      try {
        const business = await requireBusiness(sql, request.params.id);
        const member = await addMember(
          ports,
          { ...toMemberReference({ email, accountId }), businessId: business.id, roles },
          { logger: request.log },
        );
        return toMemberView(member);
      } catch (error) {
        return sendBusinessProblem(reply, error);
      }
    },
  );

  app.delete<{ Params: MemberParams }>(
    '/businesses/:id/members/:accountId',
    {
      schema: { params: memberParamsSchema, response: { 204: { type: 'null' }, ...problems } },
    },
    async (request, reply) => {
      try {
        const business = await requireBusiness(sql, request.params.id);
        const removed = await removeMember(
          ports,
          { businessId: business.id, accountId: request.params.accountId },
          { logger: request.log },
        );
        if (removed === undefined)
          return sendProblem(
            reply,
            problem(404, `${request.params.accountId} is not a member of ${request.params.id}`),
          );
        return reply.code(204).send();
      } catch (error) {
        return sendBusinessProblem(reply, error);
      }
    },
  );
}
