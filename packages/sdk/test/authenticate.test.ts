import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Guichet } from '../src/guichet.ts';
import { defaultSid, type FakeIssuer, startFakeIssuer } from './support/fake-issuer.ts';
import { authErrorOf, bearer, guichetFor } from './support/guichet-for.ts';

describe('authenticate', () => {
  let fake: FakeIssuer;
  let guichet: Guichet;

  before(async () => {
    fake = await startFakeIssuer();
    guichet = guichetFor(fake);
  });
  after(async () => {
    await guichet.close();
    await fake.close();
  });

  it('accepts a valid JWT and resolves the session context from its sid', async () => {
    const token = await fake.sign();
    const contextBefore = fake.requests.context;
    const result = await guichet.authenticate(bearer(token));
    assert.equal(result.sub, 'person-1');
    assert.equal(result.sid, defaultSid);
    assert.equal(result.businessId, 'business-a');
    assert.deepEqual(result.roles, ['admin']);
    assert.deepEqual(result.scopes, ['openid', 'orders:read']);
    assert.equal(result.clientId, 'web-app');
    assert.equal(result.format, 'jwt');
    assert.equal(result.token, token);
    assert.ok(result.expiresAt > Date.now() / 1000);
    assert.equal(fake.requests.context, contextBefore + 1);
    assert.deepEqual(fake.contextQueries.at(-1), { sid: defaultSid });
  });

  it('serves a warm token from memory: the second call makes no HTTP request', async () => {
    const token = await fake.sign();
    await guichet.authenticate(bearer(token));
    const before = { ...fake.requests };
    const again = await guichet.authenticate(bearer(token));
    assert.equal(again.businessId, 'business-a');
    assert.deepEqual(fake.requests, before);
  });

  it('shares the context of a session between its tokens', async () => {
    await guichet.authenticate(bearer(await fake.sign()));
    const contextBefore = fake.requests.context;
    const other = await guichet.authenticate(bearer(await fake.sign({ scope: 'openid' })));
    assert.deepEqual(other.scopes, ['openid']);
    assert.equal(fake.requests.context, contextBefore);
  });

  it('accepts the case-insensitive scheme and trailing spaces', async () => {
    const token = await fake.sign();
    const result = await guichet.authenticate(`bearer ${token}  `);
    assert.equal(result.token, token);
  });

  it('answers a client-credentials token (no sid) without any context request', async () => {
    const contextBefore = fake.requests.context;
    const result = await guichet.authenticate(bearer(await fake.sign({ sid: undefined, sub: 'service-x' })));
    assert.equal(result.sub, 'service-x');
    assert.equal(result.sid, null);
    assert.equal(result.businessId, null);
    assert.deepEqual(result.roles, []);
    assert.equal(fake.requests.context, contextBefore);
  });

  it('decrypts a JWE, verifies the signed token inside and resolves its session', async () => {
    const inner = await fake.sign({ business_id: 'business-a', roles: ['admin'] });
    const result = await guichet.authenticate(bearer(await fake.encrypt(inner)));
    assert.equal(result.format, 'jwe');
    assert.equal(result.sub, 'person-1');
    assert.equal(result.businessId, 'business-a');
    assert.deepEqual(result.roles, ['admin']);
  });

  it('resolves an opaque token with the context endpoint, once', async () => {
    const token = 'opaque-token-abcdefghijklmnopqrstuvwxyz0123456';
    fake.opaqueTokens.set(token, {
      sub: 'person-2',
      sid: 'sid-opaque-2',
      businessId: 'business-b',
      roles: ['clerk'],
      scope: 'orders:write',
      exp: Math.floor(Date.now() / 1000) + 300,
      active: true,
    });
    const first = await guichet.authenticate(bearer(token));
    assert.equal(first.format, 'opaque');
    assert.equal(first.sub, 'person-2');
    assert.equal(first.sid, 'sid-opaque-2');
    assert.equal(first.businessId, 'business-b');
    assert.deepEqual(first.roles, ['clerk']);
    assert.deepEqual(first.scopes, ['orders:write']);
    assert.deepEqual(fake.contextQueries.at(-1), { token });
    const before = { ...fake.requests };
    await guichet.authenticate(bearer(token));
    assert.deepEqual(fake.requests, before);
  });

  it('refuses an opaque token Guichet does not know, or one meant for another audience', async () => {
    const unknown = await authErrorOf(guichet.authenticate(bearer('not-a-real-token-0123456789abcdef')));
    assert.equal(unknown.code, 'invalid_token');
    const foreign = 'opaque-for-another-api-0123456789abcdef';
    fake.opaqueTokens.set(foreign, {
      sub: 'person-2',
      sid: null,
      businessId: null,
      roles: [],
      scope: '',
      exp: Math.floor(Date.now() / 1000) + 300,
      active: true,
      aud: 'https://other.example',
    });
    assert.equal((await authErrorOf(guichet.authenticate(bearer(foreign)))).code, 'invalid_token');
  });

  it('requires the scopes asked for: 403 insufficient_scope naming them', async () => {
    const token = await fake.sign({ scope: 'openid' });
    const error = await authErrorOf(guichet.authenticate(bearer(token), { scopes: ['orders:read'] }));
    assert.equal(error.code, 'insufficient_scope');
    assert.equal(error.httpStatus, 403);
    assert.equal(
      error.wwwAuthenticate,
      'Bearer realm="guichet", error="insufficient_scope", error_description="the access token lacks a required scope", scope="orders:read"',
    );
    const ok = await guichet.authenticate(bearer(await fake.sign()), { scopes: ['orders:read'] });
    assert.deepEqual(ok.scopes, ['openid', 'orders:read']);
  });

  it('rejects with session_ended when Guichet says the session is over', async () => {
    fake.sessions.set('sid-ended', {
      sub: 'person-1',
      businessId: null,
      roles: [],
      scope: 'openid',
      exp: Math.floor(Date.now() / 1000) + 60,
      active: false,
    });
    const error = await authErrorOf(guichet.authenticate(bearer(await fake.sign({ sid: 'sid-ended' }))));
    assert.equal(error.code, 'session_ended');
    assert.equal(error.httpStatus, 401);
    assert.match(error.wwwAuthenticate, /error="invalid_token"/);
  });

  it('rejects a token whose subject is not the person of its session', async () => {
    const error = await authErrorOf(guichet.authenticate(bearer(await fake.sign({ sub: 'intruder' }))));
    assert.equal(error.code, 'invalid_token');
  });

  it('rejects everything once closed', async () => {
    const closing = guichetFor(fake);
    const token = await fake.sign();
    await closing.authenticate(bearer(token));
    await closing.close();
    assert.equal((await authErrorOf(closing.authenticate(bearer(token)))).code, 'unavailable');
  });
});
