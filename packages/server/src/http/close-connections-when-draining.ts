import type { FastifyInstance } from 'fastify';

/**
 * During a graceful shutdown, responses to in-flight requests ask the client to close the
 * connection; otherwise a kept-alive socket would hold the process open until the client's timeout.
 */
export function closeConnectionsWhenDraining(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!app.server.listening) reply.header('connection', 'close');
    done(null, payload);
  });
}
