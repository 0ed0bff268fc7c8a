import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { eventStreamRoutes } from '../events/event-stream-routes.ts';
import { purgeOldEvents } from '../events/publish-event.ts';
import { filesRoutes } from '../files/uploads/files-routes.ts';
import { ensureSigningKeys } from '../keys/ensure-signing-keys.ts';
import { loadProviderJwks } from '../keys/provider-jwks.ts';
import { retireExpiredKeys } from '../keys/retire-expired-keys.ts';
import { watchSigningKeys } from '../keys/watch-signing-keys.ts';
import { createBrand } from '../pages/brand.ts';
import { objectSigningPurpose } from '../runtime/ports.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { deriveKey } from '../secrets/master-key.ts';
import { contextRoutes } from '../sessions/context-routes.ts';
import { sessionDirectoryRoutes } from '../sessions/session-directory-routes.ts';
import { createProvider } from './create-provider.ts';
import { interactionRoutes } from './interactions/interaction-routes.ts';
import { createPageKit, type PageKit } from './page-kit.ts';
import { createProviderHolder, type ProviderHolder } from './provider-holder.ts';
import { providerRoutes } from './provider-routes.ts';
import { startPurgeJob } from './purge-expired.ts';
import { stylesheetRoute } from './stylesheet-route.ts';

export interface OidcService {
  holder: ProviderHolder;
  pages: PageKit;
  /** Mounts the protocol endpoints, the sign-in pages and their stylesheet. */
  routes(app: FastifyInstance): Promise<void>;
  stop(): Promise<void>;
}

const purgeIntervalMs = 5 * 60 * 1000;
const keyRetirementIntervalMs = 60 * 1000;

/** Everything that makes Guichet an OpenID Connect provider, with its background jobs. */
export async function startOidc(context: ServerContext, logger: Logger): Promise<OidcService> {
  await ensureSigningKeys(context);
  const pages = createPageKit({
    brand: createBrand(context.config.brand),
    csrfKey: deriveKey(context.masterKey, 'pages/csrf'),
    signupOpen: context.config.signup === 'open',
  });
  const jwks = await loadProviderJwks(context);
  const holder = createProviderHolder((keys) => createProvider({ context, pages, logger }, keys), jwks);
  const watcher = await watchSigningKeys(
    context,
    (keys) => {
      holder.replaceKeys(keys);
      logger.info('signing keys changed: provider reloaded');
    },
    { current: jwks, onError: (error) => logger.warn({ err: error }, 'watching signing keys failed') },
  );
  const purge = startPurgeJob(context.ports.sql, { intervalMs: purgeIntervalMs, logger });
  const retirement = setInterval(() => {
    retireExpiredKeys(context.ports.sql).catch((error: unknown) =>
      logger.warn({ err: error }, 'key retirement failed'),
    );
    purgeOldEvents(context.ports.sql).catch((error: unknown) =>
      logger.warn({ err: error }, 'event purge failed'),
    );
  }, keyRetirementIntervalMs);
  retirement.unref();

  return {
    holder,
    pages,
    async routes(app) {
      await app.register(stylesheetRoute, { pages });
      await app.register(providerRoutes, { holder });
      await app.register(interactionRoutes, { holder, context, pages });
      await app.register(contextRoutes, { context, holder });
      await app.register(sessionDirectoryRoutes, { context, holder });
      await app.register(filesRoutes, {
        context,
        holder,
        signingKey: deriveKey(context.masterKey, objectSigningPurpose),
      });
      await app.register(eventStreamRoutes, { context });
    },
    async stop() {
      clearInterval(retirement);
      purge.stop();
      await watcher.stop();
    },
  };
}
