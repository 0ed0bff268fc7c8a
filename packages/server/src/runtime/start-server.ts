import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { ensureAdminCredential } from '../admin/admin-credential.ts';
import type { Config } from '../config/config.ts';
import { startFileJobs } from '../files/janitor/start-file-jobs.ts';
import { buildApp } from '../http/build-app.ts';
import { startOidc } from '../oidc/oidc-service.ts';
import { migrateToLatest } from '../ports/sql/migrate.ts';
import { loadMasterKey } from '../secrets/master-key.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { createLogger } from './logger.ts';
import { closePorts, openPorts } from './ports.ts';

/** How long a graceful stop waits for in-flight requests before cutting connections. */
const shutdownGraceMs = 10_000;

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Stops accepting, lets in-flight requests finish, then closes the ports. */
  stop(): Promise<void>;
}

function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const masterKey = await loadMasterKey(config);

  // Only the embedded database forbids a second process on the same data dir.
  const lock: DataDirLock | undefined =
    config.databaseUrl === undefined ? await acquireDataDirLock(config.dataDir, 'server') : undefined;
  try {
    const ports = await openPorts(config, masterKey, logger);
    try {
      const applied = await migrateToLatest(ports.sql);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
      await ensureAdminCredential(ports.sql, config.dataDir);
      const context = { config, ports, masterKey };
      const oidc = await startOidc(context, logger);
      const registry = new Registry();
      const app = await buildApp({ context, logger, oidc, registry });
      await app.listen({ port: config.port, host: config.host });
      const url = listeningUrl(app);
      await lock?.update({ url });
      // Image variants and the janitor, in the background, once the server is up.
      const fileJobs = startFileJobs(context, logger, { registry });
      logger.info(
        {
          url,
          issuer: config.issuer,
          drivers: { sql: ports.sql.driver, cache: ports.cache.driver, objects: ports.objects.driver },
        },
        'guichet started',
      );
      let stopping: Promise<void> | undefined;
      return {
        app,
        url,
        stop() {
          stopping ??= (async () => {
            // In-flight requests get a grace period; then connections still open (a client that
            // opened a socket and never sent a request, a stalled upload) are cut.
            const cutOff = setTimeout(() => app.server.closeAllConnections(), shutdownGraceMs);
            await app.close();
            clearTimeout(cutOff);
            await fileJobs.stop();
            await oidc.stop();
            await closePorts(ports);
            await lock?.release();
            logger.info('guichet stopped');
          })();
          return stopping;
        },
      };
    } catch (error) {
      await closePorts(ports);
      throw error;
    }
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
