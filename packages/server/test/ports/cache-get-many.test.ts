import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import { type PrivateRedis, privateRedisGate, startPrivateRedis } from '../support/private-redis.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';
import { rejectsWithin, within } from '../support/settles-within.ts';
import { waitFor } from '../support/wait-for.ts';

const succeeds = (promise: Promise<unknown>) =>
  promise.then(
    () => true,
    () => false,
  );

/** What every driver promises for getMany: one value per key, in the keys' order. */
function getManyContract(open: () => Promise<CachePort>): void {
  let cache: CachePort;

  before(async () => {
    cache = await open();
  });
  after(async () => {
    await cache?.close();
  });

  it('answers one value per key in the keys order, undefined for missing keys', async () => {
    await cache.set('gm-a', 'alpha');
    await cache.set('gm-c', 'gamma');
    await cache.set('gm-empty', '');
    assert.deepEqual(await cache.getMany(['gm-c', 'gm-missing', 'gm-a', 'gm-empty', 'gm-other-missing']), [
      'gamma',
      undefined,
      'alpha',
      '',
      undefined,
    ]);
    assert.deepEqual(await cache.getMany(['gm-a', 'gm-c']), ['alpha', 'gamma']);
    assert.deepEqual(await cache.getMany(['gm-c', 'gm-a']), ['gamma', 'alpha']);
  });

  it('answers an empty list for no keys and repeats a value for a key asked twice', async () => {
    assert.deepEqual(await cache.getMany([]), []);
    await cache.set('gm-twice', 'same');
    assert.deepEqual(await cache.getMany(['gm-twice', 'gm-none', 'gm-twice']), ['same', undefined, 'same']);
  });

  it('answers undefined for an expired key while the others stay', async () => {
    await cache.set('gm-short', 'soon gone', 50);
    await cache.set('gm-long', 'stays', 10_000);
    await cache.set('gm-forever', 'stays too');
    assert.deepEqual(await cache.getMany(['gm-short', 'gm-long']), ['soon gone', 'stays']);
    await sleep(120);
    assert.deepEqual(await cache.getMany(['gm-short', 'gm-long', 'gm-forever']), [
      undefined,
      'stays',
      'stays too',
    ]);
  });

  it('agrees with get, and sees a deleted or overwritten key at once', async () => {
    await cache.set('gm-changing', 'first');
    assert.deepEqual(await cache.getMany(['gm-changing']), [await cache.get('gm-changing')]);
    await cache.set('gm-changing', 'second');
    assert.deepEqual(await cache.getMany(['gm-changing']), ['second']);
    await cache.delete('gm-changing');
    assert.deepEqual(await cache.getMany(['gm-changing']), [undefined]);
  });

  it('keeps unicode keys and values, and a thousand keys in order', async () => {
    const value = 'Café ☕ — 日本語 🙂 \u0000 end';
    await cache.set('gm-clé-🔑', value);
    const keys = Array.from({ length: 1_000 }, (_, index) => `gm-many-${index}`);
    await Promise.all(keys.map((key, index) => (index % 3 === 0 ? undefined : cache.set(key, `v${index}`))));
    const values = await cache.getMany(['gm-clé-🔑', ...keys]);
    assert.equal(values.length, 1_001);
    assert.equal(values[0], value);
    keys.forEach((_, index) => {
      assert.equal(values[index + 1], index % 3 === 0 ? undefined : `v${index}`, `key ${index}`);
    });
  });

  it('gives each of many concurrent calls its own answer', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, index) => cache.set(`gm-own-${index}`, `own ${index}`)));
    // Issued in one turn: with Redis they leave in one pipelined write, and replies must not be mixed up.
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) => {
        const n = index % 50;
        return index % 2 === 0
          ? cache.getMany([`gm-own-${n}`, `gm-own-missing-${n}`, `gm-own-${(n + 1) % 50}`])
          : cache.get(`gm-own-${n}`).then((single) => [single]);
      }),
    );
    answers.forEach((answer, index) => {
      const n = index % 50;
      const expected = index % 2 === 0 ? [`own ${n}`, undefined, `own ${(n + 1) % 50}`] : [`own ${n}`];
      assert.deepEqual(answer, expected, `call ${index}`);
    });
  });

  it('rejects once closed', async () => {
    const closing = await open();
    await closing.set('gm-closing', 'x');
    await closing.close();
    await assert.rejects(closing.getMany(['gm-closing']), /closed/);
  });
}

describe('cache getMany: memory', () => {
  getManyContract(async () => createMemoryCache());
});

const redisSkip = await serviceGate('redis');

describe('cache getMany: redis', { skip: redisSkip }, () => {
  const keyPrefix = `guichet-test:${randomUUID()}:`;
  let raw: Redis;

  before(() => {
    raw = new Redis(testRedisUrl);
  });
  after(async () => {
    // Leave the shared Redis as found.
    const keys: string[] = [];
    for await (const batch of raw.scanStream({ match: `${keyPrefix}*`, count: 500 })) keys.push(...batch);
    for await (const batch of raw.scanStream({ match: `other-${keyPrefix}*`, count: 500 }))
      keys.push(...batch);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
  });

  describe('contract', () => {
    getManyContract(() => createRedisCache(testRedisUrl, { keyPrefix }));
  });

  it('reads only keys under its own prefix', async () => {
    const cache = await createRedisCache(testRedisUrl, { keyPrefix });
    const neighbour = await createRedisCache(testRedisUrl, { keyPrefix: `other-${keyPrefix}` });
    try {
      await raw.set(`${keyPrefix}written-outside`, 'ours');
      await raw.set('written-outside', 'unprefixed: not ours');
      await cache.set('shared-name', 'mine');
      await neighbour.set('shared-name', 'theirs');
      assert.deepEqual(await cache.getMany(['written-outside', 'shared-name']), ['ours', 'mine']);
      assert.deepEqual(await neighbour.getMany(['written-outside', 'shared-name']), [undefined, 'theirs']);
      assert.equal(await raw.get(`${keyPrefix}shared-name`), 'mine');
    } finally {
      await raw.del('written-outside');
      await Promise.all([cache.close(), neighbour.close()]);
    }
  });

  it('answers undefined for a key holding another Redis type, and does not fail the calls sent with it', async () => {
    const cache = await createRedisCache(testRedisUrl, { keyPrefix });
    try {
      await raw.rpush(`${keyPrefix}a-list`, 'item');
      await cache.set('plain', 'value');
      // One turn, so one pipeline: the GET that Redis refuses must fail its own caller only.
      const [many, wrongType, plain] = await Promise.allSettled([
        cache.getMany(['plain', 'a-list']),
        cache.get('a-list'),
        cache.get('plain'),
      ]);
      assert.deepEqual(many, { status: 'fulfilled', value: ['value', undefined] });
      assert.equal(wrongType?.status, 'rejected');
      assert.deepEqual(plain, { status: 'fulfilled', value: 'value' });
    } finally {
      await cache.close();
    }
  });

  it('rejects promptly, never hangs, while Redis is unreachable', async () => {
    const errors: Error[] = [];
    const cache = await createRedisCache('redis://127.0.0.1:1', {
      keyPrefix,
      onError: (e) => errors.push(e),
    });
    try {
      const error = await rejectsWithin(1_000, cache.getMany(['anything', 'else']));
      assert.match(error.message, /127\.0\.0\.1:1/);
    } finally {
      await within(2_000, cache.close());
    }
  });

  describe('outages of a private Redis', () => {
    const missing = privateRedisGate();
    let redis: PrivateRedis | undefined;
    after(async () => {
      await redis?.dispose();
    });

    it('rejects during a crash and answers again once Redis is back', { skip: missing }, async () => {
      redis = await startPrivateRedis();
      const cache = await createRedisCache(redis.url, { onError: () => {} });
      try {
        await cache.set('survivor', 'before');
        assert.deepEqual(await cache.getMany(['survivor', 'missing']), ['before', undefined]);

        await redis.stop();
        await waitFor('getMany to fail', async () => !(await succeeds(cache.getMany(['survivor']))), 2_000);
        await rejectsWithin(2_000, cache.getMany(['survivor', 'missing']));

        await redis.restart();
        await waitFor('getMany to answer again', () => succeeds(cache.getMany(['survivor'])), 5_000);
        // The private Redis keeps nothing across a crash (no persistence): a miss, never stale data.
        assert.deepEqual(await cache.getMany(['survivor', 'missing']), [undefined, undefined]);
        await cache.set('survivor', 'after');
        assert.deepEqual(await cache.getMany(['survivor', 'missing']), ['after', undefined]);
      } finally {
        await cache.close();
      }
    });

    it('rejects within the command timeout when Redis stops answering', { skip: missing }, async () => {
      redis ??= await startPrivateRedis();
      const cache = await createRedisCache(redis.url, { onError: () => {} });
      // The process id as Redis reports it: the server this test started, frozen rather than killed.
      const info = execFileSync('redis-cli', ['-p', String(redis.port), 'info', 'server'], {
        encoding: 'utf8',
      });
      const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
      assert.ok(pid > 0, 'redis-server pid');
      try {
        await cache.set('frozen', 'value');
        process.kill(pid, 'SIGSTOP');
        try {
          const started = Date.now();
          // A batch issued in one turn, as concurrent requests would.
          const outcomes = await within(
            3_000,
            Promise.allSettled([
              cache.getMany(['frozen', 'x']),
              cache.getMany(['frozen']),
              cache.get('frozen'),
            ]),
          );
          assert.ok(
            outcomes.every((outcome) => outcome.status === 'rejected'),
            JSON.stringify(outcomes),
          );
          assert.ok(Date.now() - started < 2_500, `rejected after ${Date.now() - started} ms`);
        } finally {
          process.kill(pid, 'SIGCONT');
        }
        await waitFor('getMany to answer again', () => succeeds(cache.getMany(['frozen'])), 5_000);
        assert.deepEqual(await cache.getMany(['frozen', 'x']), ['value', undefined]);
      } finally {
        await cache.close();
      }
    });
  });
});
