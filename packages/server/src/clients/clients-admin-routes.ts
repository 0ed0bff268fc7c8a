import type { FastifyInstance } from 'fastify';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import { refuseUnknownFields } from '../http/strict-body.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { ClientHasNoSecretError, ClientInputError } from './client-errors.ts';
import type { ClientInput } from './client-input.ts';
import {
  clientIdParamsSchema,
  clientListSchema,
  clientViewSchema,
  clientWithSecretSchema,
  createClientBodySchema,
  createClientFields,
} from './client-json-schemas.ts';
import { createClient, deleteClient, getClient, listClients, rotateClientSecret } from './client-store.ts';

/** 20 URIs of 2,000 characters and the rest fit; anything larger is not a client description. */
const createBodyLimit = 64 * 1024;

interface ClientIdParams {
  id: string;
}

function unknownClient(id: string) {
  return problem(404, `no client with id ${id}`);
}

/** Admin API for OpenID Connect clients; mounted inside the authenticated admin scope. */
export async function clientsAdminRoutes(
  app: FastifyInstance,
  options: { context: ServerContext },
): Promise<void> {
  const { context } = options;

  app.post<{ Body: ClientInput }>(
    '/clients',
    {
      bodyLimit: createBodyLimit,
      preValidation: refuseUnknownFields(createClientFields),
      schema: {
        body: createClientBodySchema,
        response: { 201: clientWithSecretSchema, 400: problemSchema },
      },
    },
    async (request, reply) => {
      try {
        const created = await createClient(context, request.body);
        return reply.code(201).send(created);
      } catch (error) {
        if (error instanceof ClientInputError) return sendProblem(reply, problem(400, error.message));
        throw error;
      }
    },
  );

  app.get('/clients', { schema: { response: { 200: clientListSchema } } }, async () => ({
    clients: await listClients(context),
  }));

  app.get<{ Params: ClientIdParams }>(
    '/clients/:id',
    { schema: { params: clientIdParamsSchema, response: { 200: clientViewSchema, 404: problemSchema } } },
    async (request, reply) => {
      const client = await getClient(context, request.params.id);
      if (client === undefined) return sendProblem(reply, unknownClient(request.params.id));
      return client;
    },
  );

  app.delete<{ Params: ClientIdParams }>(
    '/clients/:id',
    {
      schema: {
        params: clientIdParamsSchema,
        response: { 204: { type: 'null' }, 404: problemSchema },
      },
    },
    async (request, reply) => {
      if (!(await deleteClient(context, request.params.id))) {
        return sendProblem(reply, unknownClient(request.params.id));
      }
      return reply.code(204).send();
    },
  );

  app.post<{ Params: ClientIdParams }>(
    '/clients/:id/rotate-secret',
    {
      schema: {
        params: clientIdParamsSchema,
        response: { 200: clientWithSecretSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => {
      try {
        const rotated = await rotateClientSecret(context, request.params.id);
        if (rotated === undefined) return sendProblem(reply, unknownClient(request.params.id));
        return rotated;
      } catch (error) {
        if (error instanceof ClientHasNoSecretError) return sendProblem(reply, problem(409, error.message));
        throw error;
      }
    },
  );
}
