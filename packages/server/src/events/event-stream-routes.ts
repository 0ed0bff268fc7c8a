import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { authenticateServiceClient } from '../clients/authenticate-service-client.ts';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { eventsChannel, type GuichetEvent } from './guichet-event.ts';
import { eventsAfter, latestEventId } from './publish-event.ts';

const keepAliveMs = 15_000;

function frame(event: GuichetEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

const eventStreamHeaders = {
  type: 'object',
  properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,19}$' } },
} as const;

/**
 * GET /events: Server-Sent Events for resource servers that do not reach Redis. A client that
 * reconnects with Last-Event-ID first gets every event it missed, then the live ones, in order and
 * without duplicates.
 */
export async function eventStreamRoutes(
  app: FastifyInstance,
  options: { context: ServerContext },
): Promise<void> {
  const { context } = options;
  const open = new Set<ServerResponse>();
  // A stream never ends by itself: close them so a graceful shutdown does not wait forever.
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  app.get<{ Headers: { 'last-event-id'?: string } }>(
    '/events',
    { schema: { headers: eventStreamHeaders, response: { 401: problemSchema } } },
    async (request, reply) => {
      const clientId = await authenticateServiceClient(context, request.headers.authorization);
      if (clientId === undefined) {
        reply.header('www-authenticate', 'Basic realm="guichet"');
        return sendProblem(reply, problem(401, 'the client credentials of a service client are required'));
      }
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      response.flushHeaders();
      open.add(response);

      // Messages on the channel are only a signal: events are read from the log in id order, one
      // read at a time, so events from several instances arriving out of order are never skipped.
      let lastSent = request.headers['last-event-id'] ?? (await latestEventId(context.ports.sql));
      let reading: Promise<void> | undefined;
      let again = false;
      const drain = async (): Promise<void> => {
        do {
          again = false;
          let batch: GuichetEvent[];
          do {
            batch = await eventsAfter(context.ports.sql, lastSent);
            for (const event of batch) {
              response.write(frame(event));
              lastSent = event.id;
            }
          } while (batch.length === 1000);
        } while (again);
      };
      const signal = () => {
        if (reading) {
          again = true;
          return;
        }
        reading = drain()
          .catch((error: unknown) => {
            request.log.warn({ err: error }, 'event stream read failed');
            response.end();
          })
          .finally(() => {
            reading = undefined;
          });
      };
      const unsubscribe = await context.ports.cache.subscribe(eventsChannel, signal);
      const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), keepAliveMs);
      response.once('close', () => {
        clearInterval(keepAlive);
        open.delete(response);
        void unsubscribe();
      });
      response.write(': connected\n\n');
      signal();
    },
  );
}
