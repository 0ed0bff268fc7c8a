import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { clientCacheTtlMs } from '../../src/clients/client-row-cache.ts';
import {
  createClient,
  deleteClient,
  findClientMetadata,
  rotateClientSecret,
} from '../../src/clients/client-store.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, newMasterKey, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';

after(removeFreshPgliteDirs);

const postgresSkip = await serviceGate('postgres');
const redisSkip = postgresSkip || (await serviceGate('redis'));
const postgres = sqlDrivers.find((driver) => driver.name === 'postgres');

/** Polls until the instance serves `expected` as the secret (undefined: no client); returns the wait in ms. */
async function msUntilSecret(
  context: ServerContext,
  clientId: string,
  expected: string | undefined,
  limitMs: number,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    const metadata = await findClientMetadata(context, clientId);
    if (metadata?.client_secret === expected && (expected !== undefined || metadata === undefined)) {
      return performance.now() - start;
    }
    const elapsed = performance.now() - start;
    if (elapsed > limitMs) assert.fail(`still not ${String(expected)} after ${Math.round(elapsed)} ms`);
    await delay(20);
  }
}

interface Instance {
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

for (const driver of sqlDrivers) {
  describe(`client cache within one process on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    before(async () => {
      database = await driver.fresh();
    });
    after(() => database?.dispose());

    it('shows a change made through one context to another on the same connection at once', async () => {
      const masterKey = newMasterKey();
      const a = await createTestContext({ sql: database.sql, masterKey });
      const b = await createTestContext({ sql: database.sql, masterKey });
      try {
        const created = await createClient(a.context, {
          name: 'Shared',
          redirectUris: ['https://x.example/cb'],
        });
        assert.equal(
          (await findClientMetadata(b.context, created.client_id))?.client_secret,
          created.client_secret,
        );
        const rotated = await rotateClientSecret(a.context, created.client_id);
        assert.equal(
          (await findClientMetadata(b.context, created.client_id))?.client_secret,
          rotated?.client_secret,
        );
        await deleteClient(a.context, created.client_id);
        assert.equal(await findClientMetadata(b.context, created.client_id), undefined);
      } finally {
        await a.dispose();
        await b.dispose();
      }
    });
  });
}

describe('client cache across instances sharing Redis', { skip: redisSkip }, () => {
  let database: TestSql;
  let a: Instance;
  let b: Instance;

  before(async () => {
    assert.ok(postgres);
    database = await postgres.fresh();
    assert.ok(database.url);
    const masterKey = newMasterKey();
    // One deployment: both instances share the key prefix, each has its own Redis connections.
    const keyPrefix = `guichet-test-${randomBytes(6).toString('hex')}:`;
    a = await instanceOn(database.url, await createRedisCache(testRedisUrl, { keyPrefix }), masterKey);
    b = await instanceOn(database.url, await createRedisCache(testRedisUrl, { keyPrefix }), masterKey);
  });

  after(async () => {
    await a?.dispose();
    await b?.dispose();
    await database?.dispose();
  });

  it('stops serving a rotated secret on the other instance as soon as the event arrives', async () => {
    const created = await createClient(a.context, {
      name: 'Rotated',
      redirectUris: ['https://r.example/cb'],
    });
    // Instance b now holds the row in memory.
    assert.equal(
      (await findClientMetadata(b.context, created.client_id))?.client_secret,
      created.client_secret,
    );
    const rotated = await rotateClientSecret(a.context, created.client_id);
    assert.ok(rotated?.client_secret);
    const waited = await msUntilSecret(b.context, created.client_id, rotated.client_secret, clientCacheTtlMs);
    // Far below the cache lifetime: the event, not the expiry, dropped the old row.
    assert.ok(waited < 1_000, `took ${Math.round(waited)} ms`);
  });

  it('stops serving a deleted client on the other instance as soon as the event arrives', async () => {
    const created = await createClient(a.context, {
      name: 'Deleted',
      redirectUris: ['https://d.example/cb'],
    });
    assert.ok(await findClientMetadata(b.context, created.client_id));
    assert.equal(await deleteClient(a.context, created.client_id), true);
    const waited = await msUntilSecret(b.context, created.client_id, undefined, clientCacheTtlMs);
    assert.ok(waited < 1_000, `took ${Math.round(waited)} ms`);
  });
});

describe('client cache when the event is lost', { skip: postgresSkip }, () => {
  let database: TestSql;
  let a: Instance;
  let b: Instance;

  before(async () => {
    assert.ok(postgres);
    database = await postgres.fresh();
    assert.ok(database.url);
    const masterKey = newMasterKey();
    // Separate in-process caches: nothing carries the event from a to b.
    a = await instanceOn(database.url, undefined, masterKey);
    b = await instanceOn(database.url, undefined, masterKey);
  });

  after(async () => {
    await a?.dispose();
    await b?.dispose();
    await database?.dispose();
  });

  it('still stops serving a rotated secret within clientCacheTtlMs', async () => {
    const created = await createClient(a.context, {
      name: 'Unheard',
      redirectUris: ['https://u.example/cb'],
    });
    const cachedAt = performance.now();
    assert.equal(
      (await findClientMetadata(b.context, created.client_id))?.client_secret,
      created.client_secret,
    );
    const rotated = await rotateClientSecret(a.context, created.client_id);
    assert.ok(rotated?.client_secret);
    // b really serves from memory (this test would prove nothing otherwise)...
    assert.equal(
      (await findClientMetadata(b.context, created.client_id))?.client_secret,
      created.client_secret,
    );
    // ...and no longer than the documented bound.
    await msUntilSecret(b.context, created.client_id, rotated.client_secret, clientCacheTtlMs + 1_000);
    const sinceCached = performance.now() - cachedAt;
    assert.ok(
      sinceCached <= clientCacheTtlMs + 500,
      `served the old secret for ${Math.round(sinceCached)} ms`,
    );
  });
});
