import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureSigningKeys } from '../../src/keys/ensure-signing-keys.ts';
import type { KeysContext } from '../../src/keys/keys-context.ts';
import { keysChannel } from '../../src/keys/keys-events.ts';
import { loadProviderJwks, type PrivateJwks } from '../../src/keys/provider-jwks.ts';
import { retireExpiredKeys } from '../../src/keys/retire-expired-keys.ts';
import { rotateSigningKeys } from '../../src/keys/rotate-signing-keys.ts';
import { watchSigningKeys } from '../../src/keys/watch-signing-keys.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';
import { firstCall, newMasterKey, sqlDrivers, type TestSql } from './keys-test-support.ts';

after(removeFreshPgliteDirs);

/** Long enough that polling cannot explain a change seen within the test's one second. */
const noPollingMs = 60_000;

function kidsOf(jwks: PrivateJwks): string[] {
  return jwks.keys.map((key) => key.kid);
}

for (const driver of sqlDrivers) {
  describe(`watching signing keys on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    /** The second instance's own SQL connection (PGlite has a single session, so it is shared there). */
    let otherSql: SqlPort;
    const masterKey = newMasterKey();
    const caches: CachePort[] = [];

    function context(sql: SqlPort, cache: CachePort): KeysContext {
      return { ports: { sql, cache }, masterKey };
    }

    function memoryCache(): CachePort {
      const cache = createMemoryCache();
      caches.push(cache);
      return cache;
    }

    before(async () => {
      database = await driver.fresh();
      otherSql = database.url === undefined ? database.sql : await openPostgresSql(database.url);
      await ensureSigningKeys(context(database.sql, memoryCache()));
    });

    after(async () => {
      await Promise.all(caches.map((cache) => cache.close()));
      if (otherSql !== database?.sql) await otherSql?.close();
      await database?.dispose();
    });

    it('reloads within a second of a rotation announced on the shared cache', async () => {
      const shared = memoryCache();
      const changed = firstCall<PrivateJwks>();
      const watcher = await watchSigningKeys(context(otherSql, shared), changed.callback, {
        pollIntervalMs: noPollingMs,
      });
      try {
        const result = await rotateSigningKeys(context(database.sql, shared), { keepPreviousForSeconds: 60 });
        const jwks = await changed.within(1_000);
        assert.deepEqual(
          kidsOf(jwks).slice(0, 3),
          result.rotated.map((key) => key.kid),
        );
        assert.deepEqual(kidsOf(jwks), kidsOf(await loadProviderJwks(context(database.sql, shared))));
        assert.ok(jwks.keys.every((key) => key.d));
      } finally {
        await watcher.stop();
      }
    });

    it('reloads by polling when no event ever arrives', async () => {
      // The watcher listens on a cache nobody publishes to: only polling can tell it.
      const deaf = memoryCache();
      const changed = firstCall<PrivateJwks>();
      const watcher = await watchSigningKeys(context(otherSql, deaf), changed.callback, {
        pollIntervalMs: 100,
      });
      try {
        const result = await rotateSigningKeys(context(database.sql, memoryCache()), {
          keepPreviousForSeconds: 0,
        });
        const jwks = await changed.within(1_000);
        assert.deepEqual(
          kidsOf(jwks).slice(0, 3),
          result.rotated.map((key) => key.kid),
        );
      } finally {
        await watcher.stop();
      }
    });

    it('reloads when a retirement removes keys, and says nothing while nothing changes', async () => {
      const calls: PrivateJwks[] = [];
      const watcher = await watchSigningKeys(context(otherSql, memoryCache()), (jwks) => calls.push(jwks), {
        pollIntervalMs: 50,
      });
      try {
        await sleep(300);
        assert.equal(calls.length, 0);
        // The previous test's rotation kept its old keys for 0 s.
        const retired = await retireExpiredKeys(database.sql);
        assert.equal(retired.length, 3);
        const deadline = Date.now() + 1_000;
        while (calls.length === 0 && Date.now() < deadline) await sleep(20);
        assert.equal(calls.length, 1);
        for (const kid of retired) assert.equal(kidsOf(calls[0] ?? { keys: [] }).includes(kid), false);
        await sleep(300);
        assert.equal(calls.length, 1);
      } finally {
        await watcher.stop();
      }
    });

    it('offers a change again when applying it failed, and stops for good', async () => {
      const shared = memoryCache();
      const errors: Error[] = [];
      const calls: PrivateJwks[] = [];
      const watcher = await watchSigningKeys(
        context(otherSql, shared),
        (jwks) => {
          calls.push(jwks);
          if (calls.length === 1) throw new Error('provider rebuild failed');
        },
        { pollIntervalMs: 100, onError: (error) => errors.push(error) },
      );
      await rotateSigningKeys(context(database.sql, shared), { keepPreviousForSeconds: 60 });
      const deadline = Date.now() + 2_000;
      while (calls.length < 2 && Date.now() < deadline) await sleep(20);
      assert.equal(calls.length, 2);
      assert.deepEqual(kidsOf(calls[1] ?? { keys: [] }), kidsOf(calls[0] ?? { keys: [] }));
      assert.equal(errors[0]?.message, 'provider rebuild failed');

      await watcher.stop();
      await rotateSigningKeys(context(database.sql, shared), { keepPreviousForSeconds: 60 });
      await sleep(300);
      assert.equal(calls.length, 2);
    });

    it('rotates even when the event cannot be sent', async () => {
      const closed = createMemoryCache();
      await closed.close();
      const result = await rotateSigningKeys(context(database.sql, closed), { keepPreviousForSeconds: 60 });
      assert.equal(result.announced, false);
      assert.deepEqual(
        kidsOf(await loadProviderJwks(context(database.sql, memoryCache()))).slice(0, 3),
        result.rotated.map((key) => key.kid),
      );
    });

    it('publishes keys.rotated on the keys channel', async () => {
      const shared = memoryCache();
      const message = firstCall<string>();
      const unsubscribe = await shared.subscribe(keysChannel, message.callback);
      try {
        const before = Date.now();
        await rotateSigningKeys(context(database.sql, shared), { keepPreviousForSeconds: 60 });
        const event = JSON.parse(await message.within(1_000)) as { type: string; at: string };
        assert.equal(event.type, 'keys.rotated');
        assert.ok(Math.abs(Date.parse(event.at) - before) < 60_000, event.at);
      } finally {
        await unsubscribe();
      }
    });
  });
}

const postgres = sqlDrivers.find((driver) => driver.name === 'postgres');
const redisSkip = postgres?.skip || (await serviceGate('redis'));

describe('two instances over PostgreSQL and Redis', { skip: redisSkip }, () => {
  let database: TestSql;
  let otherSql: SqlPort;
  let caches: CachePort[] = [];
  const masterKey = newMasterKey();

  before(async () => {
    database = await (postgres?.fresh() ?? Promise.reject(new Error('no postgres')));
    assert.ok(database.url);
    otherSql = await openPostgresSql(database.url);
    // One deployment's prefix, shared by both instances and by no other test.
    const keyPrefix = `guichet-test-${randomBytes(4).toString('hex')}:`;
    caches = [
      await createRedisCache(testRedisUrl, { keyPrefix }),
      await createRedisCache(testRedisUrl, { keyPrefix }),
    ];
  });

  after(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await otherSql?.close();
    await database?.dispose();
  });

  it('the second instance reloads within a second of the first one rotating', async () => {
    const [first, second] = caches;
    assert.ok(first && second);
    const one: KeysContext = { ports: { sql: database.sql, cache: first }, masterKey };
    const two: KeysContext = { ports: { sql: otherSql, cache: second }, masterKey };
    await Promise.all([ensureSigningKeys(one), ensureSigningKeys(two)]);

    const changed = firstCall<PrivateJwks>();
    const watcher = await watchSigningKeys(two, changed.callback, { pollIntervalMs: noPollingMs });
    try {
      const result = await rotateSigningKeys(one, { keepPreviousForSeconds: 60 });
      assert.equal(result.announced, true);
      const jwks = await changed.within(1_000);
      assert.deepEqual(
        kidsOf(jwks).slice(0, 3),
        result.rotated.map((key) => key.kid),
      );
      assert.deepEqual(
        kidsOf(jwks).slice(3),
        result.previous.map((key) => key.kid),
      );
    } finally {
      await watcher.stop();
    }
  });
});
