import type { IncomingMessage } from 'node:http';
import { type FilesClient, FilesCommitError, FileTooLargeError, GuichetFilesError } from '@guichet/sdk';
import {
  BadGatewayException,
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Inject,
  mixin,
  type NestInterceptor,
  type OnModuleInit,
  PayloadTooLargeException,
  type Type,
  UnprocessableEntityException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { GuichetClient } from './guichet-client.ts';
import { GUICHET } from './injection-tokens.ts';
import { getGuichetAuthentication } from './principal-store.ts';
import { notAuthenticated, refuse } from './refusals.ts';
import { setResponseHeader } from './response-headers.ts';
import { createStagedFileBatch, type StagedFile } from './staged-files-batch.ts';
import type { StagedFilesOptions } from './staged-files-options.ts';
import { ClientDisconnectedError, isMultipart, receiveForm } from './staged-files-receiver.ts';
import { rememberStagedFileBatch } from './staged-files-store.ts';

/** The request as Nest hands it over: Express's is the Node request, Fastify's wraps it in `raw`. */
interface AdapterRequest {
  raw?: IncomingMessage;
  body?: unknown;
}

/** The part of a Fastify instance used to let multipart bodies through unread. */
interface FastifyParsers {
  hasContentTypeParser(type: string): boolean;
  addContentTypeParser(
    type: string,
    parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
}

const multipartType = 'multipart/form-data';

function rawRequestOf(request: AdapterRequest): IncomingMessage {
  return request.raw ?? (request as unknown as IncomingMessage);
}

function filesClientOf(guichet: GuichetClient, token: string): FilesClient {
  if (guichet.files === undefined) {
    throw new TypeError('StagedFiles needs the Guichet SDK instance (createGuichet) with its files client');
  }
  return guichet.files(token);
}

/**
 * Fastify answers 415 to a content type it has no parser for: register one that leaves the body
 * unread, for the interceptor to stream. An app that registered @fastify/multipart keeps its own.
 */
function acceptMultipart(host: HttpAdapterHost): void {
  const adapter = host.httpAdapter;
  if (adapter === undefined || adapter.getType() !== 'fastify') return;
  const fastify = adapter.getInstance<FastifyParsers>();
  if (fastify.hasContentTypeParser(multipartType)) return;
  fastify.addContentTypeParser(multipartType, (_request, _payload, done) => done(null));
}

/** The answer for an error of the files API; any other error (the handler's) passes unchanged. */
function httpErrorOf(error: unknown, files: readonly StagedFile[]): unknown {
  if (error instanceof HttpException) return error;
  if (error instanceof ClientDisconnectedError) return new BadRequestException(error.message);
  if (error instanceof FileTooLargeError) return new PayloadTooLargeException(error.detail, { cause: error });
  if (error instanceof FilesCommitError) {
    return new UnprocessableEntityException(
      {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: error.detail,
        errors: error.errors.map((failure) => {
          const file = files.find((staged) => staged.id === failure.id);
          return { ...failure, field: file?.field ?? null, filename: file?.filename ?? null };
        }),
      },
      { cause: error },
    );
  }
  if (error instanceof GuichetFilesError) {
    return new BadGatewayException(`the upload could not be staged: ${error.detail}`, { cause: error });
  }
  return error;
}

/**
 * An interceptor that accepts a multipart form with files, streaming. Each file part goes to
 * Guichet's staging while it arrives (never whole in memory or on disk), a part over its limit is
 * cut off at once, text fields land in the body so `ValidationPipe` and DTOs work as usual, and
 * `@UploadedStagedFiles()` gives the handler the staged files. When the handler succeeds the files
 * are committed (unless it committed them itself); when anything after the interceptor throws, or
 * the client goes away mid-form, every staged file of the request is discarded. Express and Fastify.
 *
 * @example
 * @Post()
 * @UseInterceptors(StagedFiles({ fields: { images: { purpose: 'product-image', maxCount: 5 } } }))
 * create(@Body() dto: CreateProductDto, @UploadedStagedFiles('images') images: StagedFile[]) { ... }
 */
export function StagedFiles(options: StagedFilesOptions): Type<NestInterceptor> {
  for (const [field, rules] of Object.entries(options.fields)) {
    if (typeof rules.purpose !== 'string' || rules.purpose === '') {
      throw new TypeError(`StagedFiles: field "${field}" needs a purpose`);
    }
  }

  class StagedFilesInterceptor implements NestInterceptor, OnModuleInit {
    readonly #guichet: GuichetClient;
    readonly #adapterHost: HttpAdapterHost;

    constructor(guichet: GuichetClient, adapterHost: HttpAdapterHost) {
      this.#guichet = guichet;
      this.#adapterHost = adapterHost;
    }

    onModuleInit(): void {
      acceptMultipart(this.#adapterHost);
    }

    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      return from(this.#handle(context, next));
    }

    async #handle(context: ExecutionContext, next: CallHandler): Promise<unknown> {
      const http = context.switchToHttp();
      const request = http.getRequest<AdapterRequest>();
      const response: unknown = http.getResponse();
      const principal = getGuichetAuthentication(request);
      if (principal === undefined) throw refuse(response, notAuthenticated());
      const raw = rawRequestOf(request);
      const client = filesClientOf(this.#guichet, principal.token);
      const batch = createStagedFileBatch(client);
      rememberStagedFileBatch(request, batch);
      try {
        if (isMultipart(raw)) {
          try {
            request.body = await receiveForm(raw, options, client, batch);
          } catch (error) {
            // The rest of the body stays unread: close the connection after the answer.
            if (!raw.complete) setResponseHeader(response, 'connection', 'close');
            throw error;
          }
        }
        const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        if (options.commit !== false && !batch.committed) await batch.commit();
        return result;
      } catch (error) {
        throw httpErrorOf(error, batch.files);
      } finally {
        await batch.discardUnlessCommitted();
      }
    }
  }

  // Decorators applied by hand: Node's type stripping does not run decorator syntax.
  Inject(GUICHET)(StagedFilesInterceptor, undefined, 0);
  Inject(HttpAdapterHost)(StagedFilesInterceptor, undefined, 1);
  return mixin(StagedFilesInterceptor);
}
