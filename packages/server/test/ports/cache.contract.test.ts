import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { openCache } from '../../src/ports/cache/open-cache.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import { type PrivateRedis, privateRedisGate, startPrivateRedis } from '../support/private-redis.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';
import { rejectsWithin, within } from '../support/settles-within.ts';
import { waitFor } from '../support/wait-for.ts';

type OpenCache = (onError: (error: Error) => void) => Promise<CachePort>;

function recorder() {
  const messages: string[] = [];
  return { messages, handler: (message: string) => void messages.push(message) };
}

/** The behaviour every driver must share: the server's code is written against this, not a driver. */
function cacheContract(open: OpenCache): void {
  let cache: CachePort;
  const errors: Error[] = [];

  before(async () => {
    cache = await open((error) => errors.push(error));
  });
  after(async () => {
    await cache?.close();
  });

  it('answers ping', async () => {
    await cache.ping();
  });

  it('returns undefined for a missing key', async () => {
    assert.equal(await cache.get('never-set'), undefined);
  });

  it('sets, overwrites, gets and deletes', async () => {
    await cache.set('plain', 'one');
    assert.equal(await cache.get('plain'), 'one');
    await cache.set('plain', 'two');
    assert.equal(await cache.get('plain'), 'two');
    await cache.delete('plain');
    assert.equal(await cache.get('plain'), undefined);
    await cache.delete('plain');
  });

  it('expires a key after its TTL and keeps one set without TTL', async () => {
    await cache.set('short', 'soon gone', 50);
    await cache.set('kept', 'stays');
    // A plain set replaces an earlier TTL, as Redis SET does.
    await cache.set('ttl-cleared', 'first', 50);
    await cache.set('ttl-cleared', 'second');
    assert.equal(await cache.get('short'), 'soon gone');
    await sleep(120);
    assert.equal(await cache.get('short'), undefined);
    assert.equal(await cache.get('kept'), 'stays');
    assert.equal(await cache.get('ttl-cleared'), 'second');
  });

  it('rejects a TTL or window that is not a positive duration', async () => {
    await assert.rejects(cache.set('bad-ttl', 'x', 0), RangeError);
    await assert.rejects(cache.set('bad-ttl', 'x', Number.NaN), RangeError);
    await assert.rejects(cache.increment('bad-window', -5), RangeError);
    assert.equal(await cache.get('bad-ttl'), undefined);
  });

  it('keeps unicode keys and values intact', async () => {
    const value = 'Café ☕ — 日本語 🙂 \u0000 end';
    await cache.set('clé-🔑', value);
    assert.equal(await cache.get('clé-🔑'), value);
  });

  it('counts 1, 2, 3', async () => {
    assert.equal(await cache.increment('counter', 10_000), 1);
    assert.equal(await cache.increment('counter', 10_000), 2);
    assert.equal(await cache.increment('counter', 10_000), 3);
  });

  it('counts 50 concurrent increments atomically', async () => {
    const counts = await Promise.all(Array.from({ length: 50 }, () => cache.increment('concurrent', 10_000)));
    assert.deepEqual(
      counts.toSorted((a, b) => a - b),
      Array.from({ length: 50 }, (_, index) => index + 1),
    );
    assert.equal(await cache.increment('concurrent', 10_000), 51);
  });

  it('resets a counter when its fixed window ends, without extending it on each increment', async () => {
    assert.equal(await cache.increment('window', 300), 1);
    await sleep(100);
    assert.equal(await cache.increment('window', 300), 2);
    // 350 ms after the first increment: a window restarted by the second one would still hold 2.
    await sleep(250);
    assert.equal(await cache.increment('window', 300), 1);
  });

  it('delivers a message to every subscriber of its channel and to no other channel', async () => {
    const first = recorder();
    const second = recorder();
    const other = recorder();
    const offFirst = await cache.subscribe('news', first.handler);
    const offSecond = await cache.subscribe('news', second.handler);
    const offOther = await cache.subscribe('other', other.handler);
    try {
      const published = cache.publish('news', 'héllo 🌍');
      // Never synchronously inside publish, so callers cannot come to rely on it.
      assert.deepEqual(first.messages, []);
      await published;
      // Both channels go through one ordered stream: once 'other' got its marker, 'news' was dispatched.
      await cache.publish('other', 'marker');
      await waitFor('the marker on the other channel', () => other.messages.length === 1);
      await waitFor(
        'both news subscribers',
        () => first.messages.length === 1 && second.messages.length === 1,
      );
      assert.deepEqual(first.messages, ['héllo 🌍']);
      assert.deepEqual(second.messages, ['héllo 🌍']);
      assert.deepEqual(other.messages, ['marker']);
    } finally {
      await Promise.all([offFirst(), offSecond(), offOther()]);
    }
  });

  it('stops delivering after unsubscribe', async () => {
    const leaving = recorder();
    const staying = recorder();
    const marker = recorder();
    const offLeaving = await cache.subscribe('topic', leaving.handler);
    const offStaying = await cache.subscribe('topic', staying.handler);
    const offMarker = await cache.subscribe('topic-marker', marker.handler);
    try {
      await offLeaving();
      await offLeaving();
      await cache.publish('topic', 'to the one left');
      await waitFor('the remaining subscriber', () => staying.messages.length === 1);
      await offStaying();
      await cache.publish('topic', 'to nobody');
      await cache.publish('topic-marker', 'done');
      await waitFor('the marker', () => marker.messages.length === 1);
      assert.deepEqual(leaving.messages, []);
      assert.deepEqual(staying.messages, ['to the one left']);
    } finally {
      await offMarker();
    }
  });

  it('keeps delivering to other handlers when one throws', async () => {
    const healthy = recorder();
    const before = errors.length;
    const offThrowing = await cache.subscribe('fragile', () => {
      throw new Error('handler failure');
    });
    const offHealthy = await cache.subscribe('fragile', healthy.handler);
    try {
      await cache.publish('fragile', 'one');
      await cache.publish('fragile', 'two');
      await waitFor('both messages', () => healthy.messages.length === 2);
      assert.deepEqual(healthy.messages, ['one', 'two']);
      assert.deepEqual(
        errors.slice(before).map((error) => error.message),
        ['handler failure', 'handler failure'],
      );
    } finally {
      await Promise.all([offThrowing(), offHealthy()]);
    }
  });

  it('rejects every call once closed', async () => {
    const closing = await open(() => {});
    await closing.set('closing', 'x');
    await closing.close();
    await assert.rejects(closing.get('closing'), /closed/);
    await assert.rejects(closing.set('closing', 'y'), /closed/);
    await assert.rejects(closing.delete('closing'), /closed/);
    await assert.rejects(closing.increment('closing-counter', 1_000), /closed/);
    await assert.rejects(closing.publish('closing', 'x'), /closed/);
    await assert.rejects(
      closing.subscribe('closing', () => {}),
      /closed/,
    );
    await assert.rejects(closing.ping(), /closed/);
    await closing.close();
  });
}

describe('memory cache', () => {
  describe('contract', () => {
    cacheContract(async (onError) => createMemoryCache({ onError }));
  });

  it('evicts the least recently written key past maxEntries', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    try {
      await cache.set('a', '1');
      await cache.set('b', '2');
      await cache.set('c', '3');
      await cache.set('a', '1 again');
      await cache.set('d', '4');
      assert.equal(await cache.get('b'), undefined);
      assert.equal(await cache.get('a'), '1 again');
      assert.equal(await cache.get('c'), '3');
      assert.equal(await cache.get('d'), '4');
    } finally {
      await cache.close();
    }
  });

  it('sweeps expired keys that nobody reads, so they do not push live keys out', async () => {
    const cache = createMemoryCache({ maxEntries: 2, sweepIntervalMs: 20 });
    try {
      await cache.set('live', 'kept');
      await cache.set('expired', 'gone', 10);
      await sleep(80);
      // Without the sweep the expired key still fills a slot and the oldest, live key is evicted.
      await cache.set('new', 'fits');
      assert.equal(await cache.get('live'), 'kept');
      assert.equal(await cache.get('new'), 'fits');
    } finally {
      await cache.close();
    }
  });
});

describe('openCache', () => {
  it('opens the memory driver without a Redis URL', async () => {
    for (const redisUrl of [undefined, '', '  ']) {
      const cache = await openCache({ redisUrl });
      assert.equal(cache.driver, 'memory');
      await cache.close();
    }
  });

  it('rejects a malformed Redis URL without repeating it', async () => {
    for (const redisUrl of ['http://user:hunter2@cache:6379', 'not a url hunter2']) {
      await assert.rejects(openCache({ redisUrl }), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    }
  });
});

const redisSkip = await serviceGate('redis');

describe('redis cache', { skip: redisSkip }, () => {
  const keyPrefix = `guichet-test:${randomUUID()}:`;
  let raw: Redis;

  before(() => {
    raw = new Redis(testRedisUrl);
  });
  after(async () => {
    // Leave the shared Redis as found, whatever the tests did.
    const keys: string[] = [];
    for await (const batch of raw.scanStream({ match: `${keyPrefix}*`, count: 500 })) keys.push(...batch);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
  });

  describe('contract', () => {
    cacheContract((onError) => createRedisCache(testRedisUrl, { keyPrefix, onError }));
  });

  it('puts the prefix before keys and channels', async () => {
    const cache = await openCache({ redisUrl: testRedisUrl, keyPrefix });
    const received = recorder();
    try {
      assert.equal(cache.driver, 'redis');
      await cache.set('prefixed', 'value');
      assert.equal(await raw.get(`${keyPrefix}prefixed`), 'value');
      assert.equal(await raw.get('prefixed'), null);
      await raw.set(`${keyPrefix}written-outside`, 'seen');
      assert.equal(await cache.get('written-outside'), 'seen');
      const off = await cache.subscribe('prefixed-channel', received.handler);
      await raw.publish('prefixed-channel', 'unprefixed: not for us');
      await raw.publish(`${keyPrefix}prefixed-channel`, 'for us');
      await waitFor('the prefixed message', () => received.messages.length > 0);
      assert.deepEqual(received.messages, ['for us']);
      await off();
    } finally {
      await cache.close();
    }
  });

  it('sets the TTL in Redis and gives a counter its window once', async () => {
    const cache = await createRedisCache(testRedisUrl, { keyPrefix });
    try {
      await cache.set('with-ttl', 'v', 5_000);
      const ttl = await raw.pttl(`${keyPrefix}with-ttl`);
      assert.ok(ttl > 4_000 && ttl <= 5_000, `pttl ${ttl}`);
      await cache.set('no-ttl', 'v');
      assert.equal(await raw.pttl(`${keyPrefix}no-ttl`), -1);
      await cache.increment('windowed', 5_000);
      await sleep(50);
      await cache.increment('windowed', 5_000);
      const window = await raw.pttl(`${keyPrefix}windowed`);
      assert.ok(window > 0 && window <= 4_960, `pttl ${window}`);
    } finally {
      await cache.close();
    }
  });

  it('starts, fails fast and never crashes while Redis is unreachable', async () => {
    const errors: Error[] = [];
    const started = Date.now();
    // Startup must not depend on Redis: the driver resolves and reports the outage instead.
    const cache = await within(
      3_500,
      createRedisCache('redis://:hunter2@127.0.0.1:1', { keyPrefix, onError: (error) => errors.push(error) }),
    );
    try {
      assert.ok(Date.now() - started < 3_500);
      assert.equal(cache.driver, 'redis');
      const pingError = await rejectsWithin(2_000, cache.ping());
      assert.match(pingError.message, /127\.0\.0\.1:1/);
      await rejectsWithin(2_000, cache.get('anything'));
      await rejectsWithin(2_000, cache.set('anything', 'x'));
      await rejectsWithin(2_000, cache.increment('anything', 1_000));
      await rejectsWithin(2_000, cache.publish('anything', 'x'));
      // Remembered for when Redis comes back, so a booting instance is not held up.
      const off = await within(
        3_500,
        cache.subscribe('anything', () => {}),
      );
      // Let several reconnection attempts fail: their 'error' events must not reach the process.
      await sleep(400);
      await off();
      assert.ok(errors.length > 0, 'the outage is reported');
      for (const error of errors) {
        assert.match(error.message, /127\.0\.0\.1:1/);
        assert.doesNotMatch(error.message, /hunter2/);
      }
      assert.doesNotMatch(pingError.message, /hunter2/);
    } finally {
      await within(2_000, cache.close());
    }
  });

  describe('restart of Redis', () => {
    const missing = privateRedisGate();
    let redis: PrivateRedis | undefined;
    after(async () => {
      await redis?.dispose();
    });

    it('reconnects and resubscribes by itself when Redis comes back', { skip: missing }, async () => {
      redis = await startPrivateRedis();
      const cache = await createRedisCache(redis.url, { onError: () => {} });
      try {
        const early = recorder();
        await cache.subscribe('events', early.handler);
        await cache.publish('events', 'before');
        await waitFor('the message before the crash', () => early.messages.length === 1);

        await redis.stop();
        await waitFor(
          'ping to fail',
          async () =>
            await cache.ping().then(
              () => false,
              () => true,
            ),
          2_000,
        );
        await rejectsWithin(2_000, cache.ping());
        await rejectsWithin(2_000, cache.get('key'));
        const late = recorder();
        await within(3_500, cache.subscribe('late', late.handler));

        await redis.restart();
        await waitFor(
          'ping to succeed again',
          () =>
            cache.ping().then(
              () => true,
              () => false,
            ),
          5_000,
        );
        await cache.set('key', 'after restart');
        assert.equal(await cache.get('key'), 'after restart');

        // The subscriber connection heals on its own schedule: publish until a message gets through.
        await waitFor(
          'a message on the channel subscribed before the crash',
          async () => {
            await cache.publish('events', 'after');
            return early.messages.includes('after');
          },
          5_000,
        );
        await waitFor(
          'a message on the channel subscribed during the outage',
          async () => {
            await cache.publish('late', 'after');
            return late.messages.includes('after');
          },
          5_000,
        );
      } finally {
        await cache.close();
      }
    });
  });
});
