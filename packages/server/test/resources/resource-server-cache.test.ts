import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
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
import { serviceGate } from '../support/services.ts';
import { type Instance, msUntil, type TwoInstances, twoInstances } from '../support/two-instances.ts';

after(removeFreshPgliteDirs);

const postgresSkip = await serviceGate('postgres');
const redisSkip = postgresSkip || (await serviceGate('redis'));

/** Polls until the instance serves `expected` as the format (undefined: unknown); returns the wait in ms. */
function msUntilFormat(
  context: ServerContext,
  audience: string,
  expected: AccessTokenFormat | undefined,
  limitMs: number,
): Promise<number> {
  const served = async () => (await resourceServerForToken(context, audience))?.format === expected;
  return msUntil(served, String(expected), limitMs);
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
  let instances: TwoInstances;
  let database: TestSql;
  let a: Instance;
  let b: Instance;

  before(async () => {
    instances = await twoInstances('redis');
    ({ database, a, b } = instances);
  });

  after(() => instances?.dispose());

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
  let instances: TwoInstances;
  let a: Instance;
  let b: Instance;

  before(async () => {
    instances = await twoInstances('separate-memory');
    ({ a, b } = instances);
  });

  after(() => instances?.dispose());

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
