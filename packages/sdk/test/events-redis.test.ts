import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  type PrivateRedis,
  privateRedisGate,
  startPrivateRedis,
} from '../../server/test/support/private-redis.ts';
import { serviceGate, testRedisUrl } from '../../server/test/support/services.ts';
import type { Guichet } from '../src/guichet.ts';
import type { GuichetEvent } from '../src/guichet-event.ts';
import { defaultSid, type FakeIssuer, startFakeIssuer } from './support/fake-issuer.ts';
import { authErrorOf, bearer, eventually, guichetFor } from './support/guichet-for.ts';

describe('events over Redis pub/sub', { skip: await serviceGate('redis') }, () => {
  // A channel of its own, so suites running in parallel never hear each other.
  const channel = `guichet-sdk-test:${randomUUID()}:events`;
  let fake: FakeIssuer;
  let guichet: Guichet;
  let publisher: Redis;
  const received: GuichetEvent[] = [];
  let connections = 0;

  before(async () => {
    fake = await startFakeIssuer();
    publisher = new Redis(testRedisUrl);
    // events left to its default: Redis, since redisUrl is set.
    guichet = guichetFor(fake, { events: undefined, redisUrl: testRedisUrl, eventsChannel: channel });
    guichet.on('event', (event) => received.push(event));
    guichet.on('connected', () => {
      connections += 1;
    });
    await eventually(() => (connections === 1 ? true : undefined));
  });
  after(async () => {
    await guichet.close();
    publisher.disconnect();
    await fake.close();
  });

  function publish(event: Record<string, unknown>): Promise<number> {
    return publisher.publish(channel, JSON.stringify({ at: new Date().toISOString(), ...event }));
  }

  it('defaults to Redis when redisUrl is given, and never opens the SSE stream', () => {
    assert.equal(fake.requests.events, 0);
  });

  it('a session.ended message rejects the cached token at once', async () => {
    const token = await fake.sign();
    await guichet.authenticate(bearer(token));
    assert.equal(await publish({ id: '1', type: 'session.ended', sid: defaultSid }), 1);
    await eventually(() => (received.some((event) => event.id === '1') ? true : undefined));
    assert.equal((await authErrorOf(guichet.authenticate(bearer(token)))).code, 'session_ended');
  });

  it('ignores messages that are not events, and duplicates', async () => {
    await publisher.publish(channel, 'not json');
    await publish({ id: '2', type: 'membership.changed', sub: 'person-7' });
    await publish({ id: '2', type: 'membership.changed', sub: 'person-7' });
    await publish({ id: '3', type: 'keys.rotated' });
    await eventually(() => (received.some((event) => event.id === '3') ? true : undefined));
    assert.deepEqual(
      received.map((event) => event.id),
      ['1', '2', '3'],
    );
  });
});

describe('events over Redis across a Redis crash', { skip: privateRedisGate() }, () => {
  let fake: FakeIssuer;
  let redis: PrivateRedis;
  let guichet: Guichet;

  before(async () => {
    fake = await startFakeIssuer();
    redis = await startPrivateRedis();
  });
  after(async () => {
    await guichet?.close();
    await redis.dispose();
    await fake.close();
  });

  it('resubscribes after Redis comes back, dropping what may have gone stale meanwhile', async () => {
    guichet = guichetFor(fake, { events: 'redis', redisUrl: redis.url });
    const errors: Error[] = [];
    const received: GuichetEvent[] = [];
    let connections = 0;
    guichet.on('error', (error) => errors.push(error));
    guichet.on('event', (event) => received.push(event));
    guichet.on('connected', () => {
      connections += 1;
    });
    await eventually(() => (connections === 1 ? true : undefined));
    const token = await fake.sign();
    await guichet.authenticate(bearer(token));
    const contextBefore = fake.requests.context;

    await redis.stop();
    await eventually(() => (errors.length > 0 ? true : undefined));
    assert.ok(
      !errors[0]?.message.includes('redis://'),
      'the URL (which may hold a password) is not repeated',
    );
    // Meanwhile the person switched business; the event was published into the void.
    const session = fake.sessions.get(defaultSid);
    assert.ok(session !== undefined);
    session.businessId = 'business-b';
    await redis.restart();
    await eventually(() => (connections === 2 ? true : undefined), 10_000);

    assert.equal((await guichet.authenticate(bearer(token))).businessId, 'business-b');
    assert.equal(fake.requests.context, contextBefore + 1);
    const publisher = new Redis(redis.url);
    try {
      await publisher.publish(
        'guichet:events',
        JSON.stringify({ id: '9', type: 'session.ended', sid: defaultSid, at: new Date().toISOString() }),
      );
    } finally {
      publisher.disconnect();
    }
    await eventually(() => (received.length === 1 ? true : undefined));
    assert.equal((await authErrorOf(guichet.authenticate(bearer(token)))).code, 'session_ended');
  });
});
