import type { FastifyInstance } from 'fastify';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import type { KeysContext } from './keys-context.ts';
import {
  rotateBodySchema,
  rotateFields,
  rotationResultSchema,
  signingKeyListSchema,
} from './keys-json-schemas.ts';
import { rotateSigningKeys } from './rotate-signing-keys.ts';
import { defaultKeepPreviousSeconds } from './rotation-window.ts';
import type { RsaModulusLength } from './signing-algorithms.ts';
import { listSigningKeys } from './signing-key-view.ts';

interface RotateBody {
  keepPreviousForSeconds?: number;
  rsaModulusLength?: RsaModulusLength;
}

/** The fields of a JSON object body that the route does not know, in the order sent. */
function unknownFields(body: unknown, known: readonly string[]): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  return Object.keys(body).filter((field) => !known.includes(field));
}

/**
 * Admin API for token signing keys; mounted inside the authenticated admin scope. Takes the
 * ServerContext (it uses only what KeysContext names of it).
 */
export async function keysAdminRoutes(
  app: FastifyInstance,
  options: { context: KeysContext },
): Promise<void> {
  const { context } = options;

  app.get('/keys', { schema: { response: { 200: signingKeyListSchema } } }, async () => ({
    keys: await listSigningKeys(context.ports.sql),
  }));

  app.post<{ Body: RotateBody | undefined }>(
    '/keys/rotate',
    {
      // Fastify's validator drops unknown fields silently; a misspelt window must not rotate with the default.
      preValidation: async (request, reply) => {
        // No body at all (a bare POST) means every default; the schema then sees an empty object.
        if (request.body === undefined) request.body = {};
        const unknown = unknownFields(request.body, rotateFields);
        if (unknown.length === 0) return;
        return sendProblem(
          reply,
          problem(400, `unknown field ${unknown.join(', ')}; expected ${rotateFields.join(', ')}`),
        );
      },
      schema: { body: rotateBodySchema, response: { 200: rotationResultSchema, 400: problemSchema } },
    },
    async (request) => {
      const body = request.body ?? {};
      return rotateSigningKeys(context, {
        keepPreviousForSeconds: body.keepPreviousForSeconds ?? defaultKeepPreviousSeconds,
        ...(body.rsaModulusLength === undefined ? {} : { rsaModulusLength: body.rsaModulusLength }),
      });
    },
  );
}
