import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { authenticateServiceClient } from '../clients/authenticate-service-client.ts';
import { problem, problemSchema, sendProblem } from '../http/problem-details.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { eventsChannel, type GuichetEvent, parseGuichetEvent } from './guichet-event.ts';
import { eventsAfter } from './publish-event.ts';

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

      let lastSent = request.headers['last-event-id'];
      let replaying = lastSent !== undefined;
      const pending: GuichetEvent[] = [];
      const send = (event: GuichetEvent) => {
        if (lastSent !== undefined && BigInt(event.id) <= BigInt(lastSent)) return;
        response.write(frame(event));
        lastSent = event.id;
      };
      // Subscribe before replaying, so an event published meanwhile is queued rather than lost.
      const unsubscribe = await context.ports.cache.subscribe(eventsChannel, (message) => {
        const event = parseGuichetEvent(message);
        if (event === undefined) return;
        if (replaying) pending.push(event);
        else send(event);
      });
      const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), keepAliveMs);
      response.once('close', () => {
        clearInterval(keepAlive);
        open.delete(response);
        void unsubscribe();
      });
      response.write(': connected\n\n');

      try {
        while (replaying && lastSent !== undefined) {
          const missed = await eventsAfter(context.ports.sql, lastSent);
          for (const event of missed) send(event);
          if (missed.length < 1000) replaying = false;
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event replay failed');
        response.end();
        return;
      }
      replaying = false;
      for (const event of pending.splice(0)) send(event);
    },
  );
}
