import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type FinishedResponseObserver = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Calls `observe` when each response has been sent, including the ones a route wrote itself after
 * `reply.hijack()` (the OpenID Connect endpoints, event streams), which Fastify's onResponse skips.
 */
export function onResponseFinished(app: FastifyInstance, observe: FinishedResponseObserver): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.raw.once('finish', () => observe(request, reply));
    done();
  });
}
