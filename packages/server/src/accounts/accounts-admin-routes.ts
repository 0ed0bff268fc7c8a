import type { FastifyInstance } from 'fastify';
import { problem, sendProblem } from '../http/problem-details.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { EmailTakenError, InvalidAccountInputError } from './account-errors.ts';
import { createAccount, disableAccount, listAccounts, maxAccountPageSize } from './account-store.ts';
import { toUserView, type UserPage, userViewSchema } from './user-view.ts';

interface CreateUserBody {
  email: string;
  name: string;
  password: string;
}

// Bounds on the wire only; the domain's own rules (e.g. 256-character passwords) answer more precisely.
const createUserSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'name', 'password'],
    properties: {
      email: { type: 'string', maxLength: 1024 },
      name: { type: 'string', maxLength: 1024 },
      password: { type: 'string', maxLength: 4096 },
    },
  },
  response: { 201: userViewSchema },
} as const;

const listUsersSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: maxAccountPageSize, default: 50 },
      after: { type: 'string', minLength: 1, maxLength: 128 },
    },
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['users', 'next'],
      properties: {
        users: { type: 'array', items: userViewSchema },
        next: { type: ['string', 'null'] },
      },
    },
  },
} as const;

const userIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** Admin API for the people who sign in; mounted (and authenticated) inside the admin scope. */
export async function accountsAdminRoutes(
  app: FastifyInstance,
  options: { context: ServerContext },
): Promise<void> {
  const { sql } = options.context.ports;

  app.post<{ Body: CreateUserBody }>('/users', { schema: createUserSchema }, async (request, reply) => {
    try {
      const account = await createAccount(sql, request.body, { logger: request.log });
      return reply.code(201).send(toUserView(account));
    } catch (error) {
      if (error instanceof InvalidAccountInputError)
        return sendProblem(reply, problem(400, error.message, { field: error.field }));
      if (error instanceof EmailTakenError) return sendProblem(reply, problem(409, error.message));
      throw error;
    }
  });

  app.get<{ Querystring: { limit: number; after?: string } }>(
    '/users',
    { schema: listUsersSchema },
    async (request): Promise<UserPage> => {
      const page = await listAccounts(sql, { limit: request.query.limit, after: request.query.after });
      return { users: page.accounts.map(toUserView), next: page.next };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/users/:id/disable',
    { schema: { params: userIdParamsSchema, response: { 200: userViewSchema } } },
    async (request, reply) => {
      const account = await disableAccount(sql, request.params.id, { logger: request.log });
      if (account === undefined) return sendProblem(reply, problem(404, `no user ${request.params.id}`));
      return toUserView(account);
    },
  );
}
