import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Problem, problem, sendProblem } from '../../http/problem-details.ts';
import { reclaimingBodyBuffers } from '../../http/reclaim-body-buffers.ts';
import { InvalidObjectKeyError, ObjectNotFoundError } from './object-errors.ts';
import type { ByteRange, ObjectsPort } from './objects-port.ts';
import { type SignedMethod, verifyObjectUrl } from './url-signature.ts';

export interface SignedObjectRoutesOptions {
  objects: ObjectsPort;
  /** The key the filesystem driver signs its URLs with. */
  signingKey: Buffer;
  /**
   * Asked once an upload is stored: false means whatever it belonged to went away meanwhile (an
   * upload discarded while its bytes were arriving), so the object is deleted rather than orphaned.
   */
  keep?: (key: string) => Promise<boolean>;
  /** Tags an object stored through a signed PUT gets (S3 only; the filesystem keeps none). */
  tagsFor?: (key: string) => Readonly<Record<string, string>> | undefined;
}

interface SignedQuery {
  expires?: string;
  signature?: string;
  length?: string;
  max?: string;
}

interface SignedRoute {
  Params: { '*': string };
  Querystring: SignedQuery;
}

const signedQuerySchema = {
  type: 'object',
  properties: {
    expires: { type: 'string', pattern: '^[0-9]{1,15}$' },
    length: { type: 'string', pattern: '^[0-9]{1,15}$' },
    max: { type: 'string', pattern: '^[0-9]{1,15}$' },
    signature: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
  },
  required: ['expires', 'signature'],
} as const;

/** Marks the errors the length limiter raises, so the handler can answer 413 or 400. */
class BodyLengthError extends Error {
  readonly tooLarge: boolean;
  constructor(tooLarge: boolean, message: string) {
    super(message);
    this.name = 'BodyLengthError';
    this.tooLarge = tooLarge;
  }
}

/**
 * Passes at most `limit` bytes through and fails on the first byte past it, so reading stops there;
 * when `exact`, also fails at the end if fewer came.
 */
function lengthLimit(limit: number, exact: boolean): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      if (received > limit)
        callback(new BodyLengthError(true, `body exceeds the ${limit} bytes the signed URL accepts`));
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (exact && received < limit)
        callback(new BodyLengthError(false, `body has ${received} of the ${limit} signed bytes`));
      else callback();
    },
  });
}

type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; range: Required<ByteRange> }
  | { kind: 'unsatisfiable' };

/** One `bytes=` range; anything else (several ranges, other units, malformed) is ignored, as RFC 9110 allows. */
function parseRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end } };
}

function forbidden(reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply, problem(403, detail));
}

/** Ends the connection with the answer, so an oversized body is never read to its end. */
function refuseBody(reply: FastifyReply, body: Problem): FastifyReply {
  reply.header('connection', 'close');
  return sendProblem(reply, body);
}

function checkSignature(
  request: FastifyRequest<SignedRoute>,
  reply: FastifyReply,
  method: SignedMethod,
  signingKey: Buffer,
): boolean {
  const { expires, signature, length, max } = request.query;
  const verdict = request.validationError
    ? 'invalid'
    : verifyObjectUrl({ method, key: request.params['*'], expires, signature, length, max }, signingKey);
  if (verdict === 'ok') return true;
  forbidden(
    reply,
    verdict === 'expired' ? 'the signed URL has expired' : 'the URL signature is missing or invalid',
  );
  return false;
}

/**
 * Serves the filesystem driver's signed URLs: `GET /objects/*` and `PUT /objects/*`. Register it as
 * an ordinary (encapsulated) plugin: its raw-body parser and error handler stay inside it.
 */
export async function signedObjectRoutes(
  app: FastifyInstance,
  options: SignedObjectRoutesOptions,
): Promise<void> {
  const { objects, signingKey } = options;

  async function stored(reply: FastifyReply, key: string): Promise<FastifyReply> {
    if (options.keep === undefined || (await options.keep(key))) return reply.code(200).send();
    await objects.delete(key);
    return sendProblem(reply, problem(404, 'the upload was discarded while its bytes arrived'));
  }

  // Bodies are object bytes whatever they claim to be: hand the raw stream over, unparsed and unbuffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ObjectNotFoundError) return sendProblem(reply, problem(404, 'no such object'));
    if (error instanceof InvalidObjectKeyError) return sendProblem(reply, problem(400, error.message));
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'signed object request failed');
      return sendProblem(reply, problem(500));
    }
    return sendProblem(reply, problem(status, error.message));
  });

  // The signature is the whole authorisation and no cookie is involved, so any origin may use a
  // signed URL: browsers upload straight from an app's pages and show images in its <img> tags.
  app.addHook('onRequest', (_request, reply, done) => {
    reply
      .header('access-control-allow-origin', '*')
      .header('access-control-expose-headers', 'content-length, content-range, etag')
      .header('cross-origin-resource-policy', 'cross-origin');
    done();
  });
  app.options('/objects/*', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, PUT')
      .header('access-control-allow-headers', 'content-type, range')
      .header('access-control-max-age', '600')
      .send(),
  );

  const routeOptions = {
    // The route checks a failed schema itself: a malformed signed URL is a 403, like a wrong one.
    attachValidation: true,
    // A HEAD request is not covered by a GET signature.
    exposeHeadRoute: false,
    schema: { querystring: signedQuerySchema },
  };

  app.get<SignedRoute>('/objects/*', routeOptions, async (request, reply) => {
    if (!checkSignature(request, reply, 'GET', signingKey)) return reply;
    const key = request.params['*'];
    const info = await objects.head(key);
    if (info === undefined) return sendProblem(reply, problem(404, 'no such object'));
    const decision = parseRange(request.headers.range, info.size);
    reply.header('accept-ranges', 'bytes').header('last-modified', info.lastModified.toUTCString());
    if (decision.kind === 'unsatisfiable') {
      reply.header('content-range', `bytes */${info.size}`);
      return sendProblem(
        reply,
        problem(416, `the object has ${info.size} bytes`, { title: 'Range Not Satisfiable' }),
      );
    }
    const range = decision.kind === 'partial' ? decision.range : undefined;
    const body = await objects.get(key, range);
    reply.type(info.contentType ?? 'application/octet-stream');
    if (range) {
      reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
        .header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', info.size);
    }
    return reply.send(body);
  });

  app.put<SignedRoute>('/objects/*', routeOptions, async (request, reply) => {
    if (!checkSignature(request, reply, 'PUT', signingKey)) return reply;
    const key = request.params['*'];
    const signedLength = request.query.length === undefined ? undefined : Number(request.query.length);
    const signedMax = request.query.max === undefined ? undefined : Number(request.query.max);
    const raw = request.body instanceof Readable ? request.body : request.raw;
    // Made only where the body is read: a refused body must stay unread.
    const body = () => reclaimingBodyBuffers(raw);
    const tags = options.tagsFor?.(key);
    const putOptions = (size: number | undefined) => ({
      ...(size === undefined ? {} : { size }),
      ...(tags === undefined ? {} : { tags }),
    });

    if (signedLength === undefined && signedMax === undefined) {
      await objects.put(key, body(), putOptions(undefined));
      return stored(reply, key);
    }

    // A declared Content-Length that cannot match is refused before a single byte is read.
    const declared = request.headers['content-length'];
    const ceiling = signedLength ?? signedMax ?? 0;
    if (declared !== undefined && Number(declared) > ceiling) {
      return refuseBody(reply, problem(413, `the signed URL accepts ${ceiling} bytes`));
    }
    if (signedLength !== undefined && declared !== undefined && Number(declared) < signedLength) {
      return refuseBody(reply, problem(400, `the signed URL expects ${signedLength} bytes`));
    }
    const exactSize = signedLength ?? (declared === undefined ? undefined : Number(declared));
    if (declared !== undefined && exactSize === Number(declared)) {
      // Node's HTTP parser delivers exactly Content-Length bytes or fails the body, and the driver
      // checks the count it wrote: no byte-counting stage is needed on this, the common path.
      try {
        await objects.put(key, body(), putOptions(exactSize));
      } catch (error) {
        if (request.raw.complete) throw error;
        // The client went away mid-body: the driver stored nothing, and nobody waits for an answer.
        return refuseBody(reply, problem(400, 'the body ended before its Content-Length'));
      }
      return stored(reply, key);
    }
    const limited = lengthLimit(ceiling, signedLength !== undefined);
    // objects.put reports the limiter's failure; this listener only keeps a failure that happens
    // before the driver starts reading from becoming an uncaught exception.
    limited.on('error', () => {});
    const source = body();
    source.on('error', (error) => limited.destroy(error));
    source.pipe(limited);
    try {
      await objects.put(key, limited, putOptions(exactSize));
    } catch (error) {
      if (!(error instanceof BodyLengthError)) throw error;
      source.unpipe(limited);
      return refuseBody(reply, problem(error.tooLarge ? 413 : 400, error.message));
    }
    return stored(reply, key);
  });
}
