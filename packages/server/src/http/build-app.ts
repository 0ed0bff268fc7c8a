import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { adminRoutes } from '../admin/admin-routes.ts';
import { tagsForUploadedObject } from '../files/file-keys.ts';
import { keepUploadedObject } from '../files/uploads/keep-uploaded-object.ts';
import type { OidcService } from '../oidc/oidc-service.ts';
import { signedObjectRoutes } from '../ports/objects/signed-object-routes.ts';
import { objectSigningPurpose } from '../runtime/ports.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { deriveKey } from '../secrets/master-key.ts';
import { installApiReference } from './api-reference.ts';
import { closeConnectionsWhenDraining } from './close-connections-when-draining.ts';
import { healthRoutes } from './health-routes.ts';
import { installMetrics } from './metrics.ts';
import { installProblemHandlers } from './problem-details.ts';
import { installRequestLog } from './request-log.ts';
import { installSecurityHeaders } from './security-headers.ts';

export interface AppOptions {
  context: ServerContext;
  logger: Logger;
  oidc: OidcService;
  /** Where /metrics reads from; background jobs add their own metrics to it. */
  registry?: Registry;
}

/** The HTTP surface: one Fastify instance, each domain an encapsulated plugin. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { context, logger } = options;
  const { config, ports } = context;
  const app: FastifyInstance = Fastify({
    // Widened to Fastify's logger type so plugins typed against FastifyInstance accept this instance.
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    genReqId: () => randomUUID(),
    // Keeps in-flight requests alive during a graceful shutdown, refuses new ones with 503.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Our own request log (installRequestLog) replaces Fastify's per-request lines.
    logController: new LogController({ disableRequestLogging: true }),
  });

  installSecurityHeaders(app, { https: config.issuer.startsWith('https://') });
  installProblemHandlers(app);
  closeConnectionsWhenDraining(app);
  installRequestLog(app);
  // First, so that it documents every route registered after it.
  await installApiReference(app, { issuer: config.issuer });
  installMetrics(app, options.registry);
  await app.register(healthRoutes, { ports });
  // Both drivers: uploads of unknown length go through Guichet's own signed URLs even with S3.
  await app.register(signedObjectRoutes, {
    objects: ports.objects,
    signingKey: deriveKey(context.masterKey, objectSigningPurpose),
    keep: (key) => keepUploadedObject(ports.sql, key),
    tagsFor: tagsForUploadedObject,
  });
  await app.register(adminRoutes, { prefix: '/admin/v1', context });
  await options.oidc.routes(app);
  return app;
}
