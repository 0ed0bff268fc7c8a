import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Guichet } from '../src/guichet.ts';
import type { GuichetEvent } from '../src/guichet-event.ts';
import { defaultSid, type FakeIssuer, startFakeIssuer } from './support/fake-issuer.ts';
import { authErrorOf, bearer, eventually, guichetFor } from './support/guichet-for.ts';

describe('events over SSE', () => {
  let fake: FakeIssuer;
  let guichet: Guichet;
  let received: GuichetEvent[];
  let backgroundErrors: Error[];

  beforeEach(async () => {
    fake = await startFakeIssuer();
    guichet = guichetFor(fake, { events: 'sse', reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
    received = [];
    backgroundErrors = [];
    guichet.on('event', (event) => received.push(event));
    guichet.on('error', (error) => backgroundErrors.push(error));
    await fake.eventConnections(1);
  });
  afterEach(async () => {
    await guichet.close();
    await fake.close();
  });

  it('connects with the service client credentials', () => {
    assert.equal(fake.requests.events, 1);
    assert.equal(fake.openStreams, 1);
  });

  it('a session.ended event rejects the cached token within 100 ms, without asking Guichet', async () => {
    const token = await fake.sign();
    await guichet.authenticate(bearer(token));
    const contextBefore = fake.requests.context;
    const sent = performance.now();
    fake.emit({ type: 'session.ended', sid: defaultSid, sub: 'person-1' });
    const error = await eventually(async () => {
      try {
        await guichet.authenticate(bearer(token));
        return undefined;
      } catch (thrown) {
        return thrown;
      }
    }, 1_000);
    const elapsed = performance.now() - sent;
    assert.ok(elapsed < 100, `rejected after ${elapsed.toFixed(1)} ms`);
    assert.equal((error as { code?: string }).code, 'session_ended');
    // The fake still calls the session active: the rejection came from the event alone.
    assert.equal(fake.requests.context, contextBefore);
  });

  it('grant.revoked rejects tokens issued before it, not a token issued after', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await fake.sign({ iat: now - 10 });
    await guichet.authenticate(bearer(old));
    fake.emit({ type: 'grant.revoked', sid: defaultSid, at: new Date((now - 5) * 1000).toISOString() });
    await eventually(() => (received.length === 1 ? true : undefined));
    assert.equal((await authErrorOf(guichet.authenticate(bearer(old)))).code, 'session_ended');
    const renewed = await guichet.authenticate(bearer(await fake.sign({ iat: now })));
    assert.equal(renewed.businessId, 'business-a');
  });

  it('business.switched makes the next request fetch the context again', async () => {
    const token = await fake.sign();
    assert.equal((await guichet.authenticate(bearer(token))).businessId, 'business-a');
    const session = fake.sessions.get(defaultSid);
    assert.ok(session !== undefined);
    session.businessId = 'business-b';
    session.roles = ['viewer'];
    // Cached: the switch is not seen until the event.
    assert.equal((await guichet.authenticate(bearer(token))).businessId, 'business-a');
    const contextBefore = fake.requests.context;
    fake.emit({ type: 'business.switched', sid: defaultSid, business_id: 'business-b' });
    await eventually(() => (received.length === 1 ? true : undefined));
    const switched = await guichet.authenticate(bearer(token));
    assert.equal(switched.businessId, 'business-b');
    assert.deepEqual(switched.roles, ['viewer']);
    assert.equal(fake.requests.context, contextBefore + 1);
  });

  it('membership.changed for a person refreshes every session of that person', async () => {
    const token = await fake.sign();
    await guichet.authenticate(bearer(token));
    const session = fake.sessions.get(defaultSid);
    assert.ok(session !== undefined);
    session.roles = [];
    fake.emit({ type: 'membership.changed', sub: 'person-1', business_id: 'business-a' });
    await eventually(() => (received.length === 1 ? true : undefined));
    assert.deepEqual((await guichet.authenticate(bearer(token))).roles, []);
  });

  it('events for other sessions or people leave the cache alone', async () => {
    const token = await fake.sign();
    await guichet.authenticate(bearer(token));
    const contextBefore = fake.requests.context;
    fake.emit({ type: 'session.ended', sid: 'sid-of-someone-else' });
    fake.emit({ type: 'membership.changed', sub: 'person-9' });
    await eventually(() => (received.length === 2 ? true : undefined));
    await guichet.authenticate(bearer(token));
    assert.equal(fake.requests.context, contextBefore);
  });

  it('resumes with Last-Event-ID after a disconnect: no event missed, none twice', async () => {
    fake.emit({ type: 'membership.changed', sub: 'p1' });
    fake.emit({ type: 'membership.changed', sub: 'p2' });
    await eventually(() => (received.length === 2 ? true : undefined));
    fake.dropEventStreams();
    // Published while the SDK is disconnected: only the replay can deliver them.
    fake.emit({ type: 'membership.changed', sub: 'p3' });
    fake.emit({ type: 'session.ended', sid: 'sid-p4' });
    await fake.eventConnections(2);
    assert.equal(fake.lastEventIds[1], '2');
    assert.match(backgroundErrors[0]?.message ?? '', /^Guichet events http:\/\/127\.0\.0\.1:\d+\/events: /);
    fake.emit({ type: 'business.switched', sid: 'sid-p5' });
    await eventually(() => (received.length >= 5 ? true : undefined));
    await sleep(50);
    assert.deepEqual(
      received.map((event) => event.id),
      ['1', '2', '3', '4', '5'],
    );
    assert.deepEqual(received[3], { id: '4', type: 'session.ended', at: received[3]?.at, sid: 'sid-p4' });
  });

  it('after a reconnection that cannot resume, cached contexts are dropped', async () => {
    const token = await fake.sign();
    await guichet.authenticate(bearer(token));
    const contextBefore = fake.requests.context;
    // No event received yet, so no Last-Event-ID to resume from: whatever happened meanwhile is unknown.
    fake.dropEventStreams();
    await fake.eventConnections(2);
    await eventually(() => (fake.openStreams === 1 ? true : undefined));
    assert.equal(fake.lastEventIds[1], undefined);
    await sleep(20);
    await guichet.authenticate(bearer(token));
    assert.equal(fake.requests.context, contextBefore + 1);
  });

  it('ignores malformed or unknown events', async () => {
    fake.emit({ type: 'something.new', sid: defaultSid });
    fake.emit({ type: 'session.ended', sid: 'sid-z' });
    await eventually(() => (received.length === 1 ? true : undefined));
    assert.equal(received[0]?.type, 'session.ended');
    const token = await fake.sign();
    assert.equal((await guichet.authenticate(bearer(token))).sub, 'person-1');
  });

  it('reopens a stream that has gone silent (no keep-alive) and resumes it', async () => {
    const watchful = guichetFor(fake, {
      events: 'sse',
      eventsIdleTimeoutMs: 150,
      reconnect: { minDelayMs: 20, maxDelayMs: 40 },
    });
    watchful.on('error', () => undefined);
    const seen: GuichetEvent[] = [];
    watchful.on('event', (event) => seen.push(event));
    try {
      const before = fake.requests.events;
      await eventually(() => (fake.requests.events >= before + 1 ? true : undefined));
      fake.emit({ type: 'membership.changed', sub: 'person-5' });
      await eventually(() => (seen.length === 1 ? true : undefined));
      // The fake sends no keep-alive: the stream is reopened, resuming after the event it saw.
      await eventually(() => (fake.requests.events >= before + 2 ? true : undefined), 2_000);
      assert.equal(fake.lastEventIds.at(-1), seen[0]?.id);
    } finally {
      await watchful.close();
    }
  });

  it('reports refused credentials on the event stream and keeps retrying', async () => {
    const wrong = guichetFor(fake, {
      events: 'sse',
      clientSecret: 'wrong',
      reconnect: { minDelayMs: 20, maxDelayMs: 40 },
    });
    const errors: Error[] = [];
    wrong.on('error', (error) => errors.push(error));
    const before = fake.requests.events;
    await eventually(() => (fake.requests.events >= before + 3 ? true : undefined));
    await wrong.close();
    assert.equal(errors.length, 1, 'reported once per outage');
    assert.match(errors[0]?.message ?? '', /answered 401/);
  });
});
