import type { FastifyInstance } from 'fastify';
import type { PortName, Ports } from '../runtime/ports.ts';

const pingTimeoutMs = 2000;

interface PortStatus {
  driver: string;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

async function checkPort(port: { driver: string; ping(): Promise<void> }): Promise<PortStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      port.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${pingTimeoutMs} ms`)), pingTimeoutMs);
      }),
    ]);
    return { driver: port.driver, ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    // Only the error's message: driver errors can embed connection strings in other fields.
    const message = error instanceof Error ? error.message : String(error);
    return {
      driver: port.driver,
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: message,
    };
  } finally {
    clearTimeout(timer);
  }
}

const portStatusSchema = {
  type: 'object',
  required: ['driver', 'ok', 'latencyMs'],
  properties: {
    driver: { type: 'string' },
    ok: { type: 'boolean' },
    latencyMs: { type: 'number' },
    error: { type: 'string' },
  },
} as const;

const readinessSchema = {
  type: 'object',
  required: ['status', 'ports'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    ports: {
      type: 'object',
      required: ['sql', 'cache', 'objects'],
      properties: { sql: portStatusSchema, cache: portStatusSchema, objects: portStatusSchema },
    },
  },
} as const;

/** Liveness (`/healthz`) says the process runs; readiness (`/readyz`) asks every port. */
export async function healthRoutes(app: FastifyInstance, options: { ports: Ports }): Promise<void> {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: every port answers; 503 names the ones that do not',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const names: PortName[] = ['sql', 'cache', 'objects'];
      const statuses = await Promise.all(names.map((name) => checkPort(options.ports[name])));
      const ports = Object.fromEntries(names.map((name, i) => [name, statuses[i]]));
      const ready = statuses.every((status) => status.ok);
      reply.code(ready ? 200 : 503).header('cache-control', 'no-store');
      return { status: ready ? 'ready' : 'unavailable', ports };
    },
  );
}
