import type { FastifyInstance } from 'fastify';
import { onResponseFinished } from './on-response-finished.ts';

/**
 * One access-log line per request, written when it completes (Fastify's default writes two). The
 * `req` serializer keeps query values, tokens and cookies out of the line.
 */
export function installRequestLog(app: FastifyInstance): void {
  onResponseFinished(app, (request, reply) => {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      { req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request completed',
    );
  });
}
