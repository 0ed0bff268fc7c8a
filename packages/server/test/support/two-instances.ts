import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, newMasterKey, sqlDrivers, type TestSql } from './domain-test-context.ts';
import { testRedisUrl } from './services.ts';

/** One server instance as a cache test sees it. */
export interface Instance {
  context: ServerContext;
  dispose(): Promise<void>;
}

/** Another server instance on the same PostgreSQL database: its own connection pool and cache port. */
async function instanceOn(url: string, cache: CachePort | undefined, masterKey: string): Promise<Instance> {
  const sql: SqlPort = await openPostgresSql(url);
  const { context, dispose } = await createTestContext({ sql, masterKey, ...(cache ? { cache } : {}) });
  return {
    context,
    dispose: async () => {
      await dispose();
      await cache?.close();
      await sql.close();
    },
  };
}

export interface TwoInstances {
  database: TestSql;
  a: Instance;
  b: Instance;
  dispose(): Promise<void>;
}

/**
 * A fresh PostgreSQL database and two instances of one deployment (one master key) on it. Over `redis`
 * they share the key prefix, each with its own connections, so a change's event reaches the other; over
 * `separate-memory` each has its own in-process cache, and nothing carries the event from a to b.
 * Needs PostgreSQL (and Redis for `redis`): gate the suite on serviceGate.
 */
export async function twoInstances(caches: 'redis' | 'separate-memory'): Promise<TwoInstances> {
  const postgres = sqlDrivers.find((driver) => driver.name === 'postgres');
  assert.ok(postgres);
  const database = await postgres.fresh();
  const started: Instance[] = [];
  const dispose = async () => {
    for (const instance of started) await instance.dispose();
    await database.dispose();
  };
  try {
    assert.ok(database.url);
    const url = database.url;
    const masterKey = newMasterKey();
    const keyPrefix = `guichet-test-${randomBytes(6).toString('hex')}:`;
    const start = async () => {
      const cache = caches === 'redis' ? await createRedisCache(testRedisUrl, { keyPrefix }) : undefined;
      const instance = await instanceOn(url, cache, masterKey);
      started.push(instance);
      return instance;
    };
    const a = await start();
    const b = await start();
    return { database, a, b, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * Polls every 20 ms until `arrived` says so; returns the wait in ms. Fails, saying it is `still not
 * <what>`, once `limitMs` have passed.
 */
export async function msUntil(
  arrived: () => Promise<boolean>,
  what: string,
  limitMs: number,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await arrived()) return performance.now() - start;
    const elapsed = performance.now() - start;
    if (elapsed > limitMs) assert.fail(`still not ${what} after ${Math.round(elapsed)} ms`);
    await delay(20);
  }
}
