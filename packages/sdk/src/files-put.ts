import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { StageBody } from './files-types.ts';

/** What the store answered to the PUT, and how many bytes went out. */
export interface PutAnswer {
  status: number;
  /** The answer's body as text (at most `maxAnswerBytes`). */
  text: string;
  sent: number;
}

/** The local limit was passed: nothing more was sent. */
export class LocalLimitError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`the body exceeds ${limit} bytes`);
    this.name = 'LocalLimitError';
    this.limit = limit;
  }
}

/** How long an aborted upload whose body was all sent waits for the store's answer. */
const abortGraceMs = 30_000;

/** An answer body is a problem document or an S3 error: a few kilobytes at most. */
const maxAnswerBytes = 64 * 1024;

export function toReadable(body: StageBody): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  return Readable.from(body, { objectMode: false });
}

async function readAnswer(response: IncomingMessage): Promise<string> {
  let text = '';
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxAnswerBytes) break;
    text += chunk.toString('utf8');
  }
  return text;
}

/**
 * Streams `source` to `url` with a PUT: Node's pipe gives backpressure end to end (the source is
 * read only as fast as the socket drains). Stops sending as soon as an answer arrives (a store that
 * refuses an oversized body answers before reading it all) or the body passes `maxBytes`.
 * The source is destroyed unless it was read to its end.
 */
export function putStream(
  url: string,
  headers: Record<string, string>,
  source: Readable,
  options: { maxBytes?: number; signal?: AbortSignal },
): Promise<PutAnswer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const { maxBytes, signal } = options;
  const declaredLength = Number(
    Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? Number.NaN,
  );
  let sent = 0;
  // Once the whole body is on its way, the store may keep the object whatever we do to the socket:
  // an abort then waits for the answer, so that a discard that follows comes after the object exists.
  let bodyComplete = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      sent += chunk.length;
      if (maxBytes !== undefined && sent > maxBytes) {
        callback(new LocalLimitError(maxBytes));
        return;
      }
      // With a Content-Length the last byte completes the body; chunked, the end does.
      if (sent === declaredLength) bodyComplete = true;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      bodyComplete = true;
      callback();
    },
  });
  return new Promise<PutAnswer>((resolve, reject) => {
    let settled = false;
    const request = transport.request(target, { method: 'PUT', headers });
    const stopSending = () => {
      source.unpipe(counter);
      counter.unpipe(request);
      if (!source.readableEnded) source.destroy();
      counter.destroy();
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      stopSending();
      request.destroy();
      reject(error);
    };
    const abortError = () =>
      signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
    function onAbort() {
      if (!bodyComplete) fail(abortError());
      // Still no answer long after the body went out: give up on it.
      else setTimeout(() => fail(abortError()), abortGraceMs).unref();
    }
    if (signal?.aborted) {
      fail(abortError());
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('response', (response) => {
      // An early answer (413...) means the store stopped reading: sending more would be wasted.
      if (!bodyComplete) stopSending();
      readAnswer(response).then(
        (text) => {
          if (settled) return;
          if (signal?.aborted) {
            fail(abortError());
            return;
          }
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          request.destroy();
          resolve({ status: response.statusCode ?? 0, text, sent });
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
    });
    request.on('error', fail);
    counter.on('error', fail);
    source.on('error', fail);
    source.pipe(counter).pipe(request);
  });
}
