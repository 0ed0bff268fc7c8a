import type { FastifyInstance, FastifyReply } from 'fastify';
import { problem, problemSchema, sendProblem } from '../../http/problem-details.ts';
import { refuseUnknownFields } from '../../http/strict-body.ts';
import type { ServerContext } from '../../runtime/server-context.ts';
import { InvalidFileInputError, UnknownPurposeError } from '../file-errors.ts';
import { type PurposeInput, toPurpose } from './purpose-input.ts';
import { purposeBodySchema, purposeParamsSchema, purposeViewSchema } from './purpose-json-schemas.ts';
import { deletePurpose, listPurposes, requirePurpose, savePurpose } from './purpose-store.ts';

interface PurposeParams {
  name: string;
}

const problems = { 400: problemSchema, 404: problemSchema, 422: problemSchema } as const;

function sendPurposeProblem(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof UnknownPurposeError) return sendProblem(reply, problem(404, error.message));
  if (error instanceof InvalidFileInputError) return sendProblem(reply, problem(422, error.message));
  throw error;
}

/** Admin API for file purposes; mounted (and authenticated) inside the admin scope. */
export async function purposesAdminRoutes(
  app: FastifyInstance,
  options: { context: ServerContext },
): Promise<void> {
  const { sql } = options.context.ports;

  app.get(
    '/file-purposes',
    { schema: { response: { 200: { type: 'array', items: purposeViewSchema } } } },
    async () => listPurposes(sql),
  );

  app.get<{ Params: PurposeParams }>(
    '/file-purposes/:name',
    { schema: { params: purposeParamsSchema, response: { 200: purposeViewSchema, ...problems } } },
    async (request, reply) => {
      try {
        return await requirePurpose(sql, request.params.name);
      } catch (error) {
        return sendPurposeProblem(reply, error);
      }
    },
  );

  app.put<{ Params: PurposeParams; Body: PurposeInput }>(
    '/file-purposes/:name',
    {
      bodyLimit: 16 * 1024,
      preValidation: refuseUnknownFields(Object.keys(purposeBodySchema.properties)),
      schema: {
        params: purposeParamsSchema,
        body: purposeBodySchema,
        response: { 200: purposeViewSchema, ...problems },
      },
    },
    async (request, reply) => {
      try {
        return await savePurpose(sql, toPurpose(request.params.name, request.body));
      } catch (error) {
        return sendPurposeProblem(reply, error);
      }
    },
  );

  app.delete<{ Params: PurposeParams }>(
    '/file-purposes/:name',
    { schema: { params: purposeParamsSchema, response: problems } },
    async (request, reply) => {
      try {
        await deletePurpose(sql, request.params.name);
        return reply.code(204).send();
      } catch (error) {
        return sendPurposeProblem(reply, error);
      }
    },
  );
}
