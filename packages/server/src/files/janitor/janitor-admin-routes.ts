import type { FastifyInstance } from 'fastify';
import { problem, problemSchema, sendProblem } from '../../http/problem-details.ts';
import { refuseLenientBody } from '../../http/strict-body.ts';
import type { ServerContext } from '../../runtime/server-context.ts';
import { LifecycleUnsupportedError } from './bucket-lifecycle.ts';
import { LeaseHeldError } from './job-lease.ts';
import { LifecycleNeedsS3Error, lifecycleRules } from './lifecycle-commands.ts';
import { runJanitorNow } from './run-janitor-now.ts';

const janitorBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dryRun: { type: 'boolean' },
    graceSeconds: { type: 'integer', minimum: 0, maximum: 604_800 },
  },
} as const;

const lifecycleBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { apply: { type: 'boolean' } },
} as const;

const janitorReportSchema = {
  type: 'object',
  required: [
    'dryRun',
    'expiredUploads',
    'orphanObjects',
    'recentUnrecordedObjects',
    'missingObjects',
    'missingKeys',
    'requeuedVariants',
    'scannedObjects',
    'durationMs',
  ],
  properties: {
    dryRun: { type: 'boolean' },
    expiredUploads: { type: 'integer' },
    orphanObjects: { type: 'integer' },
    recentUnrecordedObjects: { type: 'integer' },
    missingObjects: { type: 'integer' },
    missingKeys: { type: 'array', items: { type: 'string' } },
    requeuedVariants: { type: 'integer' },
    scannedObjects: { type: 'integer' },
    durationMs: { type: 'integer' },
  },
} as const;

const lifecycleResultSchema = {
  type: 'object',
  required: ['bucket', 'rules', 'applied'],
  properties: {
    bucket: { type: 'string' },
    // S3's own rule shape, passed through as the SDK builds it.
    rules: { type: 'array', items: { type: 'object', additionalProperties: true } },
    applied: { type: 'boolean' },
  },
} as const;

/**
 * Admin API for `guichet files janitor` and `guichet files lifecycle` against a running server;
 * mounted (and authenticated) inside the admin scope, at /files/janitor and /files/lifecycle.
 */
export async function janitorAdminRoutes(
  app: FastifyInstance,
  options: { context: ServerContext },
): Promise<void> {
  const { context } = options;

  app.post<{ Body: { dryRun?: boolean; graceSeconds?: number } }>(
    '/files/janitor',
    {
      bodyLimit: 1024,
      preValidation: refuseLenientBody(janitorBodySchema),
      schema: { body: janitorBodySchema, response: { 200: janitorReportSchema, 409: problemSchema } },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      try {
        return await runJanitorNow(context, {
          dryRun: body.dryRun === true,
          ...(body.graceSeconds === undefined ? {} : { orphanGraceSeconds: body.graceSeconds }),
          logger: request.log,
        });
      } catch (error) {
        if (error instanceof LeaseHeldError) return sendProblem(reply, problem(409, error.message));
        throw error;
      }
    },
  );

  app.post<{ Body: { apply?: boolean } }>(
    '/files/lifecycle',
    {
      bodyLimit: 1024,
      preValidation: refuseLenientBody(lifecycleBodySchema),
      schema: {
        body: lifecycleBodySchema,
        response: { 200: lifecycleResultSchema, 409: problemSchema, 502: problemSchema },
      },
    },
    async (request, reply) => {
      try {
        return await lifecycleRules(context, request.body?.apply === true);
      } catch (error) {
        if (error instanceof LifecycleNeedsS3Error) return sendProblem(reply, problem(409, error.message));
        // The store's refusal, in one line: 5xx details would be hidden by the error handler.
        if (error instanceof LifecycleUnsupportedError)
          return sendProblem(reply, problem(502, error.message));
        throw error;
      }
    },
  );
}
