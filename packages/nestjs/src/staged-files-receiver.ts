import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { FilesClient } from '@guichet/sdk';
import { BadRequestException, type HttpException, PayloadTooLargeException } from '@nestjs/common';
import busboy from 'busboy';
import type { TrackedBatch } from './staged-files-batch.ts';
import type { StagedFilesOptions } from './staged-files-options.ts';

const defaultFieldCount = 100;
const defaultFieldSize = 64 * 1024;
const defaultPartCount = 1000;

/** The client went away before the form was received. */
export class ClientDisconnectedError extends Error {
  constructor() {
    super('the client disconnected before the form was received');
    this.name = 'ClientDisconnectedError';
  }
}

/** Names that would reach an object's prototype rather than its own properties. */
const unsafeNames = new Set(['__proto__', 'constructor', 'prototype']);

function addField(body: Record<string, unknown>, name: string, value: string): void {
  if (unsafeNames.has(name)) return;
  const previous = body[name];
  if (previous === undefined) body[name] = value;
  else if (Array.isArray(previous)) previous.push(value);
  else body[name] = [previous, value];
}

/** Passes a part through, failing with 413 (also handed to `exceeded`) once it passes `limit` bytes. */
function partLimit(field: string, limit: number, exceeded: (error: HttpException) => void): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      if (received <= limit) {
        callback(null, chunk);
        return;
      }
      const error = new PayloadTooLargeException(`a file of field "${field}" exceeds ${limit} bytes`);
      exceeded(error);
      callback(error);
    },
  });
}

export function isMultipart(request: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '');
}

/**
 * Reads a multipart form as it arrives: each file part is streamed to Guichet's staging while it
 * arrives (busboy pauses the request while staging lags), text fields are collected. Resolves
 * with the fields once every part is received and every file staged; rejects on the first problem
 * (limits, an unexpected field, a refused upload, a disconnect), leaving the rest of the body unread.
 */
export function receiveForm(
  request: IncomingMessage,
  options: StagedFilesOptions,
  client: FilesClient,
  batch: TrackedBatch,
): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const counts = new Map<string, number>();
  const abort = new AbortController();
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: {
        fields: options.limits?.fields ?? defaultFieldCount,
        fieldSize: options.limits?.fieldSize ?? defaultFieldSize,
        parts: options.limits?.parts ?? defaultPartCount,
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return Promise.reject(new BadRequestException(`not a multipart form: ${reason}`));
  }

  return new Promise<Record<string, unknown>>((resolve, reject) => {
    let finished = false;
    const fail = (error: unknown) => {
      if (finished) return;
      finished = true;
      cleanup();
      // Leave the rest of the body unread: the answer closes the connection instead.
      request.unpipe(parser);
      parser.removeAllListeners('file');
      parser.destroy();
      abort.abort(error);
      reject(error);
    };
    const onClose = () => {
      if (!request.complete) fail(new ClientDisconnectedError());
    };
    const cleanup = () => {
      request.off('close', onClose);
      request.off('aborted', onClose);
      request.off('error', fail);
    };
    request.on('close', onClose);
    request.on('aborted', onClose);
    request.on('error', fail);

    parser.on('file', (field, stream, info) => {
      // Destroying the parser fails its open file streams ("Unexpected end of file"); the form's
      // failure is already reported through fail(), so these must not become uncaught errors.
      stream.on('error', () => {});
      const rules = options.fields[field];
      // A file input left empty still sends a part, with no file name and no bytes.
      if (info.filename === undefined || info.filename === '') {
        stream.resume();
        return;
      }
      if (rules === undefined) {
        stream.resume();
        fail(new BadRequestException(`unexpected file field "${field}"`));
        return;
      }
      const count = (counts.get(field) ?? 0) + 1;
      counts.set(field, count);
      const maxCount = rules.maxCount ?? 1;
      if (count > maxCount) {
        stream.resume();
        fail(new BadRequestException(`too many files in field "${field}": at most ${maxCount}`));
        return;
      }
      let tooLarge: HttpException | undefined;
      const source =
        rules.maxBytes === undefined
          ? stream
          : stream.pipe(
              partLimit(field, rules.maxBytes, (error) => {
                tooLarge = error;
              }),
            );
      if (source !== stream) stream.on('error', (error) => source.destroy(error));
      const contentType = info.mimeType === '' ? null : info.mimeType;
      const upload = client.stage(source, {
        purpose: rules.purpose,
        filename: info.filename,
        ...(contentType === null ? {} : { contentType }),
        signal: abort.signal,
      });
      batch.track(field, contentType, upload);
      // The part limit's 413 is the error that counts, not the abort it caused in the SDK.
      upload.catch((error: unknown) => fail(tooLarge ?? error));
    });
    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) {
        fail(new PayloadTooLargeException(`the field "${name}" is too large`));
        return;
      }
      addField(body, name, value);
    });
    parser.on('partsLimit', () => fail(new PayloadTooLargeException('the form has too many parts')));
    parser.on('fieldsLimit', () => fail(new PayloadTooLargeException('the form has too many fields')));
    parser.on('error', (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      fail(new BadRequestException(`malformed multipart form: ${reason}`));
    });
    parser.on('close', () => {
      if (finished) return;
      batch.settled().then(() => {
        if (finished) return;
        finished = true;
        cleanup();
        resolve(body);
      }, fail);
    });
    request.pipe(parser);
  });
}
