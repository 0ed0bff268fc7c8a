import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { onResponseFinished } from './on-response-finished.ts';

type Observer = { observe(value: number): void };

/** Prometheus metrics: request durations by route, plus process memory and event-loop delay. */
export function installMetrics(app: FastifyInstance, registry: Registry = new Registry()): Registry {
  // Event-loop delay percentiles come from perf_hooks.monitorEventLoopDelay at this resolution.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const duration = new Histogram({
    name: 'guichet_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // Resolving a label set costs more than the observation itself: keep one child per label set.
  // The route pattern, not the URL, keeps this map (and label cardinality) bounded.
  const observers = new Map<string, Observer>();

  onResponseFinished(app, (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const id = `${request.method} ${route} ${reply.statusCode}`;
    let observer = observers.get(id);
    if (observer === undefined) {
      observer = duration.labels({ method: request.method, route, status_code: String(reply.statusCode) });
      observers.set(id, observer);
    }
    observer.observe(reply.elapsedTime / 1000);
  });

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics: request durations, event-loop delay, memory, files janitor',
        response: { 200: { type: 'string' } },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
  return registry;
}
