import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Guichet } from '../src/guichet.ts';
import type { GuichetEvent } from '../src/guichet-event.ts';
import { type FakeIssuer, startFakeIssuer } from './support/fake-issuer.ts';
import { authErrorOf, bearer, eventually, guichetFor } from './support/guichet-for.ts';

describe('signing key rotation', () => {
  let fake: FakeIssuer;
  let guichet: Guichet | undefined;

  beforeEach(async () => {
    fake = await startFakeIssuer();
  });
  afterEach(async () => {
    await guichet?.close();
    await fake.close();
  });

  it('a token with a new kid makes exactly one JWKS refetch once the cooldown has passed', async () => {
    guichet = guichetFor(fake, { jwksCooldownMs: 200 });
    await guichet.authenticate(bearer(await fake.sign()));
    assert.equal(fake.requests.jwks, 1);
    const next = await fake.addKey('EdDSA');
    await sleep(250);
    const result = await guichet.authenticate(bearer(await fake.sign({}, { key: next })));
    assert.equal(result.sub, 'person-1');
    assert.equal(fake.requests.jwks, 2);
    // Both keys verify from now on, with no further fetch.
    await guichet.authenticate(bearer(await fake.sign()));
    await guichet.authenticate(bearer(await fake.sign({ jti: 'other' }, { key: next })));
    assert.equal(fake.requests.jwks, 2);
  });

  it('follows RS256 keys too', async () => {
    guichet = guichetFor(fake, { jwksCooldownMs: 0 });
    const rsa = await fake.addKey('RS256');
    const result = await guichet.authenticate(bearer(await fake.sign({}, { key: rsa })));
    assert.equal(result.sub, 'person-1');
  });

  it('a flood of unknown kids costs at most one refetch per cooldown', async () => {
    const client = guichetFor(fake, { jwksCooldownMs: 200 });
    guichet = client;
    await client.authenticate(bearer(await fake.sign()));
    await sleep(250);
    const strangers = await Promise.all(Array.from({ length: 10 }, () => fake.addKey('ES256', false)));
    const forged = await Promise.all(strangers.map((key) => fake.sign({}, { key })));
    // 50 concurrent, then 50 one after the other.
    const concurrent = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        authErrorOf(client.authenticate(bearer(forged[index % 10] ?? ''))),
      ),
    );
    assert.ok(concurrent.every((error) => error.code === 'invalid_token'));
    for (let index = 0; index < 50; index += 1) {
      const error = await authErrorOf(client.authenticate(bearer(forged[index % 10] ?? '')));
      assert.equal(error.message, 'the access token is signed with an unknown key');
    }
    assert.equal(fake.requests.jwks, 2, 'one initial fetch, one refetch for the whole flood');
  });

  it('within the cooldown a new kid is refused, and accepted once the cooldown is over', async () => {
    guichet = guichetFor(fake, { jwksCooldownMs: 300 });
    await guichet.authenticate(bearer(await fake.sign()));
    const next = await fake.addKey('ES256');
    const token = await fake.sign({}, { key: next });
    assert.equal((await authErrorOf(guichet.authenticate(bearer(token)))).code, 'invalid_token');
    assert.equal(fake.requests.jwks, 1);
    await sleep(350);
    assert.equal((await guichet.authenticate(bearer(token))).sub, 'person-1');
    assert.equal(fake.requests.jwks, 2);
  });

  it('a keys.rotated event refreshes the JWKS at once, cooldown or not', async () => {
    guichet = guichetFor(fake, { events: 'sse' });
    const received: GuichetEvent[] = [];
    guichet.on('event', (event) => received.push(event));
    await fake.eventConnections(1);
    await guichet.authenticate(bearer(await fake.sign()));
    assert.equal(fake.requests.jwks, 1);
    const next = await fake.addKey('ES256');
    fake.emit({ type: 'keys.rotated' });
    await eventually(() => (received.length > 0 && fake.requests.jwks === 2 ? true : undefined));
    const result = await guichet.authenticate(bearer(await fake.sign({}, { key: next })));
    assert.equal(result.sub, 'person-1');
    assert.equal(fake.requests.jwks, 2);
    // The event also lets the next unknown kid refetch immediately (the rotation may still be spreading
    // across Guichet instances), but only once: the cooldown then applies again.
    const late = await fake.addKey('ES256');
    assert.equal((await guichet.authenticate(bearer(await fake.sign({}, { key: late })))).sub, 'person-1');
    assert.equal(fake.requests.jwks, 3);
    const later = await fake.addKey('ES256');
    const refused = await authErrorOf(guichet.authenticate(bearer(await fake.sign({}, { key: later }))));
    assert.equal(refused.code, 'invalid_token');
    assert.equal(fake.requests.jwks, 3);
  });

  it('Guichet unreachable and no keys yet: 503 unavailable; keys kept when a later refresh fails', async () => {
    guichet = guichetFor(fake, { jwksMaxAgeMs: 100 });
    const errors: Error[] = [];
    guichet.on('error', (error) => errors.push(error));
    fake.outage = 503;
    const token = await fake.sign();
    const error = await authErrorOf(guichet.authenticate(bearer(token)));
    assert.equal(error.code, 'unavailable');
    assert.equal(error.httpStatus, 503);
    assert.equal(errors.length, 1);
    fake.outage = undefined;
    assert.equal((await guichet.authenticate(bearer(token))).sub, 'person-1');
    fake.outage = 500;
    await sleep(150);
    // The JWKS is stale and cannot be refreshed, the context is cached: the token is still served.
    assert.equal((await guichet.authenticate(bearer(await fake.sign({ jti: 'fresh' })))).sub, 'person-1');
  });
});
