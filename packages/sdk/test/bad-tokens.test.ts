import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base64url, SignJWT } from 'jose';
import type { Guichet } from '../src/guichet.ts';
import { type FakeIssuer, startFakeIssuer } from './support/fake-issuer.ts';
import { authErrorOf, bearer, guichetFor } from './support/guichet-for.ts';

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/** Replaces the last characters of a base64url segment while keeping it valid base64url. */
function flipLast(segment: string): string {
  const last = segment.at(-2) === 'A' ? 'B' : 'A';
  return `${segment.slice(0, -2)}${last}${segment.at(-1)}`;
}

describe('bad tokens', () => {
  let fake: FakeIssuer;
  let guichet: Guichet;

  before(async () => {
    fake = await startFakeIssuer();
    guichet = guichetFor(fake);
    // Warm the JWKS so that a bad token's own effect on requests can be measured from here.
    await guichet.authenticate(bearer(await fake.sign()));
  });
  after(async () => {
    await guichet.close();
    await fake.close();
  });

  /** Every bad token: the expected code, a 401 with a Bearer challenge, and no fetch of anything. */
  async function refused(authorization: string | undefined, code: string, allowRequests = false) {
    const before = { ...fake.requests };
    const error = await authErrorOf(guichet.authenticate(authorization));
    assert.equal(error.code, code, `${error.code}: ${error.message}`);
    assert.equal(error.httpStatus, 401);
    assert.match(error.wwwAuthenticate, /^Bearer realm="guichet"/);
    if (code !== 'missing_token') {
      assert.match(error.wwwAuthenticate, /error="invalid_token"/);
      assert.ok(
        !error.wwwAuthenticate.includes(authorization?.slice(7, 40) ?? '\0'),
        'challenge echoes input',
      );
    }
    if (!allowRequests) assert.deepEqual(fake.requests, before, 'a bad token caused a request to Guichet');
    return error;
  }

  it('missing or non-bearer credentials: missing_token, a challenge without an error code', async () => {
    const error = await refused(undefined, 'missing_token');
    assert.equal(error.wwwAuthenticate, 'Bearer realm="guichet"');
    await refused('', 'missing_token');
    await refused('Basic dXNlcjpwYXNz', 'missing_token');
    await refused('Bearer', 'missing_token');
    await refused('Bearer    ', 'missing_token');
  });

  it('alg none', async () => {
    const [header, payload] = (await fake.sign()).split('.');
    assert.ok(header !== undefined && payload !== undefined);
    const kid = fake.published[0]?.kid;
    const none = `${encodeJson({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`;
    await refused(bearer(none), 'invalid_token');
  });

  it('HS256 signed with the public key bytes (algorithm confusion)', async () => {
    const key = fake.published[0];
    assert.ok(key !== undefined);
    const now = Math.floor(Date.now() / 1000);
    for (const secret of [key.publicPem, JSON.stringify(key.publicJwk)]) {
      const forged = await new SignJWT({
        iss: fake.issuer,
        aud: fake.audience,
        sub: 'person-1',
        sid: 'sid-x',
        client_id: 'web-app',
        jti: 'forged',
        iat: now,
        exp: now + 300,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })
        .sign(new TextEncoder().encode(secret));
      await refused(bearer(forged), 'invalid_token');
    }
  });

  it('a key that is not in the JWKS (within the refetch cooldown: no refetch)', async () => {
    const stranger = await fake.addKey('ES256', false);
    await refused(bearer(await fake.sign({}, { key: stranger })), 'invalid_token');
  });

  it('a signature by another key under a known kid', async () => {
    const stranger = await fake.addKey('ES256', false);
    const kid = fake.published[0]?.kid;
    await refused(bearer(await fake.sign({}, { key: stranger, header: { kid } })), 'invalid_token');
  });

  it('a tampered payload', async () => {
    const [header, , signature] = (await fake.sign()).split('.');
    const payload = encodeJson({ iss: fake.issuer, aud: fake.audience, sub: 'admin', exp: 2e9, iat: 1 });
    await refused(bearer(`${header}.${payload}.${signature}`), 'invalid_token');
  });

  it('wrong audience, wrong issuer', async () => {
    const error = await refused(bearer(await fake.sign({ aud: 'https://other.example' })), 'invalid_token');
    assert.equal(error.message, 'the access token is not meant for this resource server');
    await refused(bearer(await fake.sign({ iss: 'https://evil.example' })), 'invalid_token');
  });

  it('expired beyond the clock tolerance: expired_token; within it: accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await refused(bearer(await fake.sign({ iat: now - 600, exp: now - 60 })), 'expired_token');
    assert.match(
      error.wwwAuthenticate,
      /error="invalid_token", error_description="the access token expired"/,
    );
    const withinTolerance = await guichet.authenticate(
      bearer(await fake.sign({ iat: now - 600, exp: now - 2 })),
    );
    assert.equal(withinTolerance.sub, 'person-1');
  });

  it('nbf in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await refused(bearer(await fake.sign({ nbf: now + 120 })), 'invalid_token');
    assert.equal(error.message, 'the access token is not valid yet');
  });

  it('wrong typ: an ID token or a plain JWT is not an access token', async () => {
    await refused(bearer(await fake.sign({}, { header: { typ: 'JWT' } })), 'invalid_token');
    await refused(bearer(await fake.sign({}, { header: { typ: undefined } })), 'invalid_token');
  });

  it('missing required claims', async () => {
    await refused(bearer(await fake.sign({ sub: undefined })), 'invalid_token');
    await refused(bearer(await fake.sign({ client_id: undefined })), 'invalid_token');
    await refused(bearer(await fake.sign({ exp: undefined })), 'invalid_token');
  });

  it('truncated tokens', async () => {
    const token = await fake.sign();
    await refused(bearer(token.slice(0, -10)), 'invalid_token');
    await refused(bearer(token.slice(0, token.lastIndexOf('.') + 1)), 'invalid_token');
    // Cut inside the header: still three parts, now garbage JSON.
    const [header, payload, signature] = token.split('.');
    await refused(bearer(`${header?.slice(0, 10)}.${payload}.${signature}`), 'invalid_token');
    // Two parts: not a JWT, so an opaque handle Guichet does not know.
    await refused(bearer(token.slice(0, token.lastIndexOf('.'))), 'invalid_token', true);
  });

  it('a 1 MB token is refused before parsing, at once', async () => {
    const huge = `${(await fake.sign()).slice(0, 100)}${'A'.repeat(1024 * 1024)}`;
    const started = performance.now();
    const error = await refused(bearer(huge), 'invalid_token');
    assert.equal(error.message, 'the access token is too long');
    assert.ok(performance.now() - started < 50, 'rejection was not immediate');
  });

  it('characters a bearer token cannot contain', async () => {
    await refused('Bearer abc def', 'invalid_token');
    await refused('Bearer {"alg":"none"}', 'invalid_token');
  });

  it('a JWE with a wrong authentication tag, or for another key, or without cty JWT', async () => {
    const jwe = await fake.encrypt(await fake.sign());
    const parts = jwe.split('.');
    const tag = parts[4];
    assert.ok(tag !== undefined);
    parts[4] = flipLast(tag);
    const error = await refused(bearer(parts.join('.')), 'invalid_token');
    assert.equal(error.message, 'the access token cannot be decrypted');
    const [header] = jwe.split('.');
    parts[0] = header ?? '';
    const { exportJWK, generateKeyPair } = await import('jose');
    const other = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
    await refused(
      bearer(await fake.encrypt(await fake.sign(), { toJwk: await exportJWK(other.publicKey) })),
      'invalid_token',
    );
    await refused(
      bearer(await fake.encrypt(await fake.sign(), { header: { cty: undefined } })),
      'invalid_token',
    );
  });

  it('a JWE whose inner token is unsigned or expired', async () => {
    const [, payload] = (await fake.sign()).split('.');
    const unsigned = `${encodeJson({ alg: 'none', typ: 'at+jwt', kid: fake.published[0]?.kid })}.${payload}.`;
    await refused(bearer(await fake.encrypt(unsigned)), 'invalid_token');
    const now = Math.floor(Date.now() / 1000);
    await refused(
      bearer(await fake.encrypt(await fake.sign({ iat: now - 600, exp: now - 60 }))),
      'expired_token',
    );
  });

  it('after all of that, a valid token is still accepted', async () => {
    const result = await guichet.authenticate(bearer(await fake.sign()));
    assert.equal(result.sub, 'person-1');
  });
});
