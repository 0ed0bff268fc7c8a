import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AdminClient } from '../../../packages/server/src/cli/admin-client.ts';
import { adminApiOf } from '../../../packages/server/test/support/admin-api.ts';
import { freePort } from '../../../packages/server/test/support/free-port.ts';
import { guichetBin } from '../../../packages/server/test/support/guichet-process.ts';
import { createTestDatabase } from '../../../packages/server/test/support/test-database.ts';
import { type ChildServer, startChildServer } from './child-server.ts';
import { claimRedisDatabase } from './redis-bench-database.ts';

export interface ProductionGuichet {
  url: string;
  child: ChildServer['child'];
  /** The server's data dir (its filesystem objects live under `objects/`). */
  dataDir: string;
  databaseUrl: string;
  /** The throw-away PostgreSQL database's name. */
  databaseName: string;
  /** The dedicated Redis logical database; Guichet's keys and channels carry `guichetPrefix`. */
  redisUrl: string;
  admin: AdminClient;
  /** Stops the server, drops its database, flushes its Redis database and removes its data dir. */
  stop(): Promise<void>;
}

/**
 * `guichet start` on the production drivers: a throw-away PostgreSQL database and a dedicated,
 * flushed Redis logical database. BENCH_GUICHET_NODE_OPTIONS, when set, becomes the child's
 * NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a run).
 */
export async function startProductionGuichet(): Promise<ProductionGuichet> {
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const redis = await claimRedisDatabase();
    cleanups.push(redis.release);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const nodeOptions = process.env.BENCH_GUICHET_NODE_OPTIONS;
    const server = await startChildServer({
      args: [guichetBin, 'start'],
      env: {
        PORT: String(port),
        GUICHET_ISSUER: url,
        GUICHET_DATA_DIR: dataDir,
        GUICHET_LOG_LEVEL: 'warn',
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
      url,
      readyPath: '/readyz',
      timeoutMs: 60_000,
    });
    cleanups.push(server.stop);
    return {
      url,
      child: server.child,
      dataDir,
      databaseUrl: database.url,
      databaseName: new URL(database.url).pathname.slice(1),
      redisUrl: redis.url,
      admin: await adminApiOf(url, dataDir),
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
