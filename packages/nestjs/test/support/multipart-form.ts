import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';

/** A text field or a file of a multipart form; a file's data may be generated while it is sent. */
export type FormPart =
  | { name: string; value: string }
  | { name: string; filename: string; contentType: string; data: Buffer | AsyncIterable<Buffer> };

async function* multipartBody(parts: readonly FormPart[], boundary: string): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if ('value' in part) {
      yield Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
      );
      continue;
    }
    yield Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
        `content-type: ${part.contentType}\r\n\r\n`,
    );
    if (Buffer.isBuffer(part.data)) yield part.data;
    else yield* part.data;
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

/** How a form post ended: an answer, or a connection error (e.g. reset after an early 413). */
export interface FormAnswer {
  status: number | undefined;
  body: Record<string, unknown>;
  /** Bytes of the body handed to the socket. */
  sent: number;
  error: string | undefined;
}

export interface FormPost {
  answer: Promise<FormAnswer>;
  /** Drops the connection, as a client that goes away mid-upload. */
  disconnect(): void;
  /** Bytes handed to the socket so far. */
  sent(): number;
}

/** POSTs the form as a stream (chunked), with backpressure, the way a browser sends a large form. */
export function postForm(url: string, token: string, parts: readonly FormPart[]): FormPost {
  const boundary = `----guichet${randomBytes(8).toString('hex')}`;
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      sent += chunk.length;
      callback(null, chunk);
    },
  });
  const request = http.request(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
  });
  const answer = new Promise<FormAnswer>((resolve) => {
    let settled = false;
    const settle = (value: FormAnswer) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { text };
        }
        settle({ status: response.statusCode, body, sent, error: undefined });
      });
      response.on('error', (error: NodeJS.ErrnoException) =>
        settle({ status: response.statusCode, body: {}, sent, error: error.code ?? error.message }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle({ status: undefined, body: {}, sent, error: error.code ?? error.message }),
    );
  });
  Readable.from(multipartBody(parts, boundary)).pipe(counter).pipe(request);
  return {
    answer,
    disconnect: () => request.destroy(),
    sent: () => sent,
  };
}
