import type { FastifyInstance } from 'fastify';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import { refuseUnknownFields } from '../http/strict-body.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import {
  audienceParamsSchema,
  createResourceServerBodySchema,
  createResourceServerFields,
  resourceServerListSchema,
  resourceServerViewSchema,
} from './resource-json-schemas.ts';
import { ResourceServerExistsError, ResourceServerInputError } from './resource-server-errors.ts';
import type { ResourceServerInput } from './resource-server-input.ts';
import {
  createResourceServer,
  deleteResourceServer,
  getResourceServer,
  listResourceServers,
} from './resource-server-store.ts';

/** An RSA-4096 JWK, 100 scopes and the rest fit; anything larger is not a resource server description. */
const createBodyLimit = 64 * 1024;

/**
 * The audience is the rest of the path, not a `:param`: Fastify refuses parameters over 100 characters
 * (maxParamLength), and a URL-encoded audience easily is one.
 */
interface AudienceParams {
  '*': string;
}

function unknownResourceServer(audience: string) {
  return problem(404, `no resource server with audience ${audience}`);
}

/**
 * Admin API for resource servers; mounted inside the authenticated admin scope. The audience is a URI,
 * so it travels URL-encoded: /resources/https%3A%2F%2Fapi.example.com.
 */
export async function resourcesAdminRoutes(
  app: FastifyInstance,
  options: { context: ServerContext },
): Promise<void> {
  const { context } = options;

  app.post<{ Body: ResourceServerInput }>(
    '/resources',
    {
      bodyLimit: createBodyLimit,
      preValidation: refuseUnknownFields(createResourceServerFields),
      schema: {
        body: createResourceServerBodySchema,
        response: { 201: resourceServerViewSchema, 400: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => {
      try {
        const created = await createResourceServer(context, request.body);
        return reply.code(201).send(created);
      } catch (error) {
        if (error instanceof ResourceServerInputError) return sendProblem(reply, problem(400, error.message));
        if (error instanceof ResourceServerExistsError)
          return sendProblem(reply, problem(409, error.message));
        throw error;
      }
    },
  );

  app.get('/resources', { schema: { response: { 200: resourceServerListSchema } } }, async () => ({
    resources: await listResourceServers(context),
  }));

  app.get<{ Params: AudienceParams }>(
    '/resources/*',
    {
      schema: {
        params: audienceParamsSchema,
        response: { 200: resourceServerViewSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const audience = request.params['*'];
      const found = await getResourceServer(context, audience);
      if (found === undefined) return sendProblem(reply, unknownResourceServer(audience));
      return found;
    },
  );

  app.delete<{ Params: AudienceParams }>(
    '/resources/*',
    {
      schema: {
        params: audienceParamsSchema,
        response: { 204: { type: 'null' }, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const audience = request.params['*'];
      if (!(await deleteResourceServer(context, audience))) {
        return sendProblem(reply, unknownResourceServer(audience));
      }
      return reply.code(204).send();
    },
  );
}
