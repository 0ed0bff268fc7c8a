import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { AccessTokenFormat } from '../../src/resources/access-token-format.ts';
import { resourceServerCacheTtlMs } from '../../src/resources/resource-server-cache.ts';
import {
  createResourceServer,
  deleteResourceServer,
  resourceServerForToken,
} from '../../src/resources/resource-server-store.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';

after(removeFreshPgliteDirs);

const postgresSkip = await serviceGate('postgres');
const redisSkip = postgresSkip || (await serviceGate('redis'));
const postgres = sqlDrivers.find((driver) => driver.name === 'postgres');

/** Polls until the instance serves `expected` as the format (undefined: unknown); returns the wait in ms. */
async function msUntilFormat(
  context: ServerContext,
  audience: string,
  expected: AccessTokenFormat | undefined,
  limitMs: number,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if ((await resourceServerForToken(context, audience))?.format === expected)
      return performance.now() - start;
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
async function instanceOn(url: string, cache: CachePort | undefined): Promise<Instance> {
  const sql: SqlPort = await openPostgresSql(url);
  const { context, dispose } = await createTestContext({ sql, ...(cache ? { cache } : {}) });
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
  describe(`resource server cache within one process on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    before(async () => {
      database = await driver.fresh();
    });
    after(() => database?.dispose());

    it('shows a change made through one context to another on the same connection at once', async () => {
      const a = await createTestContext({ sql: database.sql });
      const b = await createTestContext({ sql: database.sql });
      const audience = 'https://shared.example.com';
      try {
        await createResourceServer(a.context, { audience, format: 'opaque' });
        // Let the creation's own event land first: it would rightly stop b keeping a read it overtook.
        await delay(20);
        assert.equal((await resourceServerForToken(b.context, audience))?.format, 'opaque');
        // b now serves it from memory; SQL changed behind its back would not be seen...
        await database.sql.db
          .updateTable('resource_server')
          .set({ access_token_ttl: 900 })
          .where('audience', '=', audience)
          .execute();
        assert.equal((await resourceServerForToken(b.context, audience))?.ttl, 600);
        // ...but a change through the domain is, at once.
        assert.equal(await deleteResourceServer(a.context, audience), true);
        assert.equal(await resourceServerForToken(b.context, audience), undefined);
        await createResourceServer(a.context, { audience, format: 'jwt', accessTokenTtl: 120 });
        assert.deepEqual(await resourceServerForToken(b.context, audience), {
          audience,
          format: 'jwt',
          scopes: [],
          ttl: 120,
        });
      } finally {
        await a.dispose();
        await b.dispose();
      }
    });
  });
}

describe('resource server cache across instances sharing Redis', { skip: redisSkip }, () => {
  let database: TestSql;
  let a: Instance;
  let b: Instance;

  before(async () => {
    assert.ok(postgres);
    database = await postgres.fresh();
    assert.ok(database.url);
    // One deployment: both instances share the key prefix, each has its own Redis connections.
    const keyPrefix = `guichet-test-${randomBytes(6).toString('hex')}:`;
    a = await instanceOn(database.url, await createRedisCache(testRedisUrl, { keyPrefix }));
    b = await instanceOn(database.url, await createRedisCache(testRedisUrl, { keyPrefix }));
  });

  after(async () => {
    await a?.dispose();
    await b?.dispose();
    await database?.dispose();
  });

  it('stops serving a deleted resource server on the other instance as soon as the event arrives', async () => {
    const audience = 'https://deleted.example.com';
    await createResourceServer(a.context, { audience, format: 'jwt' });
    // Instance b now holds it in memory.
    assert.equal((await resourceServerForToken(b.context, audience))?.format, 'jwt');
    assert.equal(await deleteResourceServer(a.context, audience), true);
    const waited = await msUntilFormat(b.context, audience, undefined, resourceServerCacheTtlMs);
    // Far below the cache lifetime: the event, not the expiry, dropped it.
    assert.ok(waited < 1_000, `took ${Math.round(waited)} ms`);
  });

  it('serves a resource server re-created with another format as soon as the event arrives', async () => {
    const audience = 'https://recreated.example.com';
    await createResourceServer(a.context, { audience, format: 'opaque' });
    assert.equal((await resourceServerForToken(b.context, audience))?.format, 'opaque');
    // Deleted and re-created straight in SQL, then announced by the create alone.
    await database.sql.db.deleteFrom('resource_server').where('audience', '=', audience).execute();
    await createResourceServer(a.context, { audience, format: 'jwt' });
    const waited = await msUntilFormat(b.context, audience, 'jwt', resourceServerCacheTtlMs);
    assert.ok(waited < 1_000, `took ${Math.round(waited)} ms`);
  });
});

describe('resource server cache when the event is lost', { skip: postgresSkip }, () => {
  let database: TestSql;
  let a: Instance;
  let b: Instance;

  before(async () => {
    assert.ok(postgres);
    database = await postgres.fresh();
    assert.ok(database.url);
    // Separate in-process caches: nothing carries the event from a to b.
    a = await instanceOn(database.url, undefined);
    b = await instanceOn(database.url, undefined);
  });

  after(async () => {
    await a?.dispose();
    await b?.dispose();
    await database?.dispose();
  });

  it('still stops serving a deleted resource server within resourceServerCacheTtlMs', async () => {
    const audience = 'https://unheard.example.com';
    await createResourceServer(a.context, { audience, format: 'jwt' });
    const cachedAt = performance.now();
    assert.equal((await resourceServerForToken(b.context, audience))?.format, 'jwt');
    assert.equal(await deleteResourceServer(a.context, audience), true);
    // b really serves from memory (this test would prove nothing otherwise)...
    assert.equal((await resourceServerForToken(b.context, audience))?.format, 'jwt');
    // ...and no longer than the documented bound.
    await msUntilFormat(b.context, audience, undefined, resourceServerCacheTtlMs + 1_000);
    const sinceCached = performance.now() - cachedAt;
    assert.ok(sinceCached <= resourceServerCacheTtlMs + 500, `served it for ${Math.round(sinceCached)} ms`);
  });
});
