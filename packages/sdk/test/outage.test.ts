import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Guichet } from '../src/guichet.ts';
import { type FakeIssuer, startFakeIssuer } from './support/fake-issuer.ts';
import { authErrorOf, bearer, guichetFor } from './support/guichet-for.ts';

describe('when Guichet cannot answer', () => {
  let fake: FakeIssuer;
  let guichet: Guichet | undefined;

  beforeEach(async () => {
    fake = await startFakeIssuer();
  });
  afterEach(async () => {
    await guichet?.close();
    await fake.close();
  });

  it('asks again after the context TTL, and serves the last context while Guichet is down', async () => {
    const client = guichetFor(fake, { contextTtlMs: 50 });
    guichet = client;
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const token = await fake.sign();
    await client.authenticate(bearer(token));
    const contextBefore = fake.requests.context;
    await sleep(80);
    fake.sessions.set('sid-0123456789abcdef0123456789abcdef', {
      sub: 'person-1',
      businessId: 'business-b',
      roles: ['clerk'],
      scope: 'openid',
      exp: Math.floor(Date.now() / 1000) + 3600,
      active: true,
    });
    assert.equal((await client.authenticate(bearer(token))).businessId, 'business-b');
    assert.equal(fake.requests.context, contextBefore + 1, 'the expired context was asked again');
    await sleep(80);
    fake.outage = 503;
    const stale = await client.authenticate(bearer(token));
    assert.equal(stale.businessId, 'business-b');
    await sleep(80);
    await client.authenticate(bearer(token));
    assert.equal(errors.length, 1, 'the outage is reported once');
    assert.match(errors[0]?.message ?? '', /context endpoint answered 503/);
  });

  it('answers 503 when nothing is cached, or when stale answers are disabled', async () => {
    const client = guichetFor(fake, { contextTtlMs: 50, staleIfErrorMs: 0 });
    guichet = client;
    client.on('error', () => undefined);
    const token = await fake.sign();
    await client.authenticate(bearer(token));
    fake.outage = 502;
    await sleep(80);
    const error = await authErrorOf(client.authenticate(bearer(token)));
    assert.equal(error.code, 'unavailable');
    assert.equal(error.httpStatus, 503);
    const fresh = await authErrorOf(client.authenticate(bearer(await fake.sign({ sid: 'sid-never-seen' }))));
    assert.equal(fresh.code, 'unavailable');
  });

  it("uses a JWE's own business claims while Guichet is unreachable", async () => {
    const client = guichetFor(fake);
    guichet = client;
    client.on('error', () => undefined);
    await client.authenticate(bearer(await fake.sign())); // JWKS now cached
    fake.outage = 503;
    const jwe = await fake.encrypt(
      await fake.sign({ sid: 'sid-jwe-only', business_id: 'business-z', roles: ['owner'] }),
    );
    const result = await client.authenticate(bearer(jwe));
    assert.equal(result.businessId, 'business-z');
    assert.deepEqual(result.roles, ['owner']);
    const readable = await authErrorOf(client.authenticate(bearer(await fake.sign({ sid: 'sid-jws-only' }))));
    assert.equal(readable.code, 'unavailable');
  });

  it('reports refused client credentials as unavailable, with a hint for the operator', async () => {
    const client = guichetFor(fake, { clientSecret: 'wrong secret' });
    guichet = client;
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const error = await authErrorOf(client.authenticate(bearer(await fake.sign())));
    assert.equal(error.code, 'unavailable');
    assert.ok(!error.message.includes('secret'), 'the caller is told nothing about configuration');
    assert.match(errors[0]?.message ?? '', /answered 401: check clientId and clientSecret/);
  });

  it('treats 429 from the context endpoint as unavailable', async () => {
    const client = guichetFor(fake);
    guichet = client;
    client.on('error', () => undefined);
    await client.authenticate(bearer(await fake.sign({ sid: undefined })));
    fake.outage = 429;
    const error = await authErrorOf(client.authenticate(bearer(await fake.sign())));
    assert.equal(error.code, 'unavailable');
  });

  it('an unreachable issuer (nothing listening) is unavailable, not a crash', async () => {
    const client = guichetFor(fake, { issuer: 'http://127.0.0.1:9', requestTimeoutMs: 1000 });
    guichet = client;
    client.on('error', () => undefined);
    const error = await authErrorOf(client.authenticate(bearer(await fake.sign())));
    assert.equal(error.code, 'unavailable');
  });
});
