import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { problem, problemSchema, sendProblem } from '../../http/problem-details.ts';
import { refuseUnknownFields } from '../../http/strict-body.ts';
import type { ProviderHolder } from '../../oidc/provider-holder.ts';
import type { Ports } from '../../runtime/ports.ts';
import type { ServerContext } from '../../runtime/server-context.ts';
import { isRefusal } from '../../sessions/session-caller.ts';
import { CommitRefusedError } from '../commit/commit-failure.ts';
import { commitUploads } from '../commit/commit-uploads.ts';
import {
  FileNotFoundError,
  FileTooLargeError,
  InvalidFileInputError,
  UnknownPurposeError,
} from '../file-errors.ts';
import { type CreateUploadInput, createUpload } from './create-upload.ts';
import { deleteFile } from './delete-file.ts';
import { discardUpload } from './discard-upload.ts';
import { downloadFile, VariantNotReadyError } from './download-file.ts';
import { type FilesCaller, resolveFilesCaller } from './files-caller.ts';
import {
  commitBodySchema,
  commitRefusedSchema,
  commitResponseSchema,
  createUploadBodySchema,
  downloadableFileSchema,
  downloadQuerySchema,
  fileParamsSchema,
  uploadCreatedSchema,
} from './files-json-schemas.ts';

export interface FilesRoutesOptions {
  context: ServerContext;
  holder: ProviderHolder;
  /** Signs Guichet's own upload URLs (the filesystem driver's key). */
  signingKey: Buffer;
}

interface FileParams {
  id: string;
}

/** Uploads a person may start per minute: far above any form, far below a flood of staged objects. */
const uploadsPerMinute = 600;

const authProblems = { 400: problemSchema, 401: problemSchema, 403: problemSchema } as const;
const security = [{ bearer: [] }];

/** Answers this domain's errors as problem details; anything else goes on to the error handler. */
function sendFilesProblem(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof CommitRefusedError)
    return sendProblem(reply, problem(422, error.message, { errors: error.failures }));
  if (error instanceof FileNotFoundError) return sendProblem(reply, problem(404, error.message));
  if (error instanceof FileTooLargeError) return sendProblem(reply, problem(413, error.message));
  if (error instanceof UnknownPurposeError || error instanceof InvalidFileInputError)
    return sendProblem(reply, problem(422, error.message));
  if (error instanceof VariantNotReadyError)
    return sendProblem(reply, problem(409, error.message, { state: error.state }));
  throw error;
}

/**
 * The files REST API, for resource servers acting with a person's access token: the business is
 * always the active business of that token's session.
 */
export async function filesRoutes(app: FastifyInstance, options: FilesRoutesOptions): Promise<void> {
  const { context, holder } = options;
  const { ports } = context;
  const guichet = { baseUrl: context.config.issuer, signingKey: options.signingKey };

  /** A handler for the caller's session: refusals answered, this domain's errors as problem details. */
  function asCaller<Route extends RouteGenericInterface>(
    handle: (caller: FilesCaller, request: FastifyRequest<Route>, reply: FastifyReply) => Promise<unknown>,
  ): (request: FastifyRequest<Route>, reply: FastifyReply) => Promise<unknown> {
    return async (request, reply) => {
      const caller = await resolveFilesCaller(holder, context, request.headers.authorization);
      if (isRefusal(caller)) {
        if (caller.status === 401) reply.header('www-authenticate', 'Bearer realm="guichet"');
        return sendProblem(reply, problem(caller.status, caller.detail));
      }
      try {
        return await handle(caller, request, reply);
      } catch (error) {
        return sendFilesProblem(reply, error);
      }
    };
  }

  app.addHook('onSend', async (_request, reply) => {
    // Signed URLs and file metadata are for the caller only.
    reply.header('cache-control', 'no-store');
  });

  app.post<{ Body: CreateUploadInput }>(
    '/files/uploads',
    {
      bodyLimit: 8 * 1024,
      preValidation: refuseUnknownFields(Object.keys(createUploadBodySchema.properties)),
      schema: {
        tags: ['files'],
        summary: 'Start an upload: a staged record and a signed URL to PUT the bytes to',
        security,
        body: createUploadBodySchema,
        response: {
          201: uploadCreatedSchema,
          ...authProblems,
          413: problemSchema,
          422: problemSchema,
          429: problemSchema,
        },
      },
    },
    asCaller(async (caller, request, reply) => {
      const count = await ports.cache.increment(`rate:uploads:${caller.sub}`, 60_000).catch(() => 0);
      if (count > uploadsPerMinute) {
        reply.header('retry-after', '60');
        return sendProblem(reply, problem(429, `at most ${uploadsPerMinute} uploads per minute`));
      }
      return reply.code(201).send(await createUpload(context, guichet, caller, request.body));
    }),
  );

  /** A DELETE of one upload or file of the caller's business: 204, or 404 when it has none such. */
  function deleteRoute(
    url: string,
    summary: string,
    remove: (ports: Ports, caller: FilesCaller, id: string) => Promise<void>,
  ): void {
    app.delete<{ Params: FileParams }>(
      url,
      {
        schema: {
          tags: ['files'],
          summary,
          security,
          params: fileParamsSchema,
          response: { ...authProblems, 404: problemSchema },
        },
      },
      asCaller(async (caller, request, reply) => {
        await remove(ports, caller, request.params.id);
        return reply.code(204).send();
      }),
    );
  }

  deleteRoute('/files/uploads/:id', 'Discard a staged upload and its bytes', discardUpload);

  app.post<{ Body: { uploads: string[] } }>(
    '/files/commit',
    {
      bodyLimit: 16 * 1024,
      preValidation: refuseUnknownFields(['uploads']),
      schema: {
        tags: ['files'],
        summary: 'Validate staged uploads and turn them into files, all or nothing',
        security,
        body: commitBodySchema,
        response: { 200: commitResponseSchema, ...authProblems, 422: commitRefusedSchema },
      },
    },
    asCaller(async (caller, request) => ({
      files: await commitUploads(ports, caller, request.body.uploads),
    })),
  );

  app.get<{ Params: FileParams; Querystring: { variant?: string } }>(
    '/files/:id',
    {
      schema: {
        tags: ['files'],
        summary: 'A file’s metadata and a short-lived signed download URL (of a variant with ?variant=)',
        security,
        params: fileParamsSchema,
        querystring: downloadQuerySchema,
        response: { 200: downloadableFileSchema, ...authProblems, 404: problemSchema, 409: problemSchema },
      },
    },
    asCaller((caller, request) => downloadFile(ports, caller, request.params.id, request.query.variant)),
  );

  deleteRoute('/files/:id', 'Delete a file and its variants', deleteFile);
}
