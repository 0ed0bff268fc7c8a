import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import { checkEncryptionKey, privateJwkMembers } from '../../src/resources/encryption-key.ts';
import { checkAudience } from '../../src/resources/resource-audience.ts';
import { checkResourceScopes } from '../../src/resources/resource-scopes.ts';
import { ResourceServerInputError } from '../../src/resources/resource-server-errors.ts';
import { resourceKeyPair } from './resource-keys.ts';

const p256 = await resourceKeyPair();

function refusedWith(pattern: RegExp) {
  return (error: unknown) => error instanceof ResourceServerInputError && pattern.test(error.message);
}

describe('resource server encryption key', () => {
  it('keeps only the public members, names the key by its RFC 7638 thumbprint and binds it to enc', async () => {
    const checked = await checkEncryptionKey({ ...p256.publicJwk, ext: true, key_ops: ['deriveBits'] });
    assert.equal(checked.alg, 'ECDH-ES+A256KW');
    assert.equal(checked.enc, 'A256GCM');
    assert.deepEqual(Object.keys(checked.jwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.equal(checked.jwk.kid, await calculateJwkThumbprint(p256.publicJwk));
    assert.equal(checked.jwk.use, 'enc');
    assert.equal(checked.jwk.alg, 'ECDH-ES+A256KW');
  });

  it('keeps a kid the resource server chose', async () => {
    const checked = await checkEncryptionKey({ ...p256.publicJwk, kid: 'rs-2025-01' });
    assert.equal(checked.jwk.kid, 'rs-2025-01');
    await assert.rejects(checkEncryptionKey({ ...p256.publicJwk, kid: '' }), refusedWith(/kid must be 1 to/));
  });

  for (const member of privateJwkMembers) {
    it(`refuses a key with private member ${member}, saying it must be public`, async () => {
      const secretValue = 'c2VjcmV0LXZhbHVlLW5ldmVyLWVjaG9lZA';
      await assert.rejects(
        checkEncryptionKey({ ...p256.publicJwk, [member]: secretValue }),
        (error: unknown) =>
          refusedWith(new RegExp(`must be a PUBLIC key, but it has private member ${member}:`))(error) &&
          !(error as Error).message.includes(secretValue),
      );
    });
  }

  it('refuses a whole private JWK, naming every private member it found', async () => {
    const rsa = await resourceKeyPair('RSA-OAEP-256', { modulusLength: 2048 });
    await assert.rejects(
      checkEncryptionKey(rsa.privateJwk),
      refusedWith(/private members d, p, q, dp, dq, qi:/),
    );
    await assert.rejects(checkEncryptionKey(p256.privateJwk), refusedWith(/private member d:/));
  });

  it('accepts P-384, P-521 and X25519 for key agreement, and RSA 2048 for RSA-OAEP-256', async () => {
    for (const crv of ['P-384', 'P-521', 'X25519']) {
      const pair = await resourceKeyPair('ECDH-ES+A256KW', { crv });
      const checked = await checkEncryptionKey(pair.publicJwk);
      assert.equal(checked.alg, 'ECDH-ES+A256KW', crv);
    }
    const rsa = await resourceKeyPair('RSA-OAEP-256', { modulusLength: 2048 });
    const checked = await checkEncryptionKey(rsa.publicJwk);
    // An RSA key without alg gets RSA-OAEP-256, the only RSA algorithm offered.
    assert.equal(checked.alg, 'RSA-OAEP-256');
    assert.deepEqual(Object.keys(checked.jwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('refuses RSA keys under 2048 bits', async () => {
    // jose will not even generate one; node:crypto still can.
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    await assert.rejects(checkEncryptionKey(small), refusedWith(/has 1024 bits; at least 2048 are required/));
  });

  it('refuses a key whose type does not fit the algorithm', async () => {
    const rsa = await resourceKeyPair('RSA-OAEP-256', { modulusLength: 2048 });
    await assert.rejects(
      checkEncryptionKey(rsa.publicJwk, { alg: 'ECDH-ES+A256KW' }),
      refusedWith(
        /ECDH-ES\+A256KW needs an EC key on P-256, P-384 or P-521, or an OKP key on X25519; got kty RSA/,
      ),
    );
    await assert.rejects(
      checkEncryptionKey(p256.publicJwk, { alg: 'RSA-OAEP-256' }),
      refusedWith(/RSA-OAEP-256 needs an RSA key; got kty EC/),
    );
    const ed25519 = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    await assert.rejects(checkEncryptionKey(ed25519), refusedWith(/got kty OKP crv Ed25519/));
    await assert.rejects(
      checkEncryptionKey({ kty: 'oct', alg: 'A256KW' }),
      refusedWith(/encryption alg A256KW is not supported/),
    );
  });

  it('refuses an alg that disagrees with the key, a signing key, and unknown algorithms', async () => {
    await assert.rejects(
      checkEncryptionKey({ ...p256.publicJwk, alg: 'ECDH-ES' }, { alg: 'ECDH-ES+A128KW' }),
      refusedWith(/is for alg ECDH-ES, but ECDH-ES\+A128KW was asked for/),
    );
    await assert.rejects(checkEncryptionKey({ ...p256.publicJwk, use: 'sig' }), refusedWith(/use sig/));
    await assert.rejects(
      checkEncryptionKey(p256.publicJwk, { enc: 'A256CTR' }),
      refusedWith(/enc A256CTR is not supported/),
    );
    const named = await checkEncryptionKey({ ...p256.publicJwk, alg: 'ECDH-ES' }, { enc: 'A128CBC-HS256' });
    assert.equal(named.alg, 'ECDH-ES');
    assert.equal(named.enc, 'A128CBC-HS256');
  });

  it('refuses a point that is not on the curve, proven by importing it', async () => {
    const other = await resourceKeyPair();
    await assert.rejects(
      checkEncryptionKey({ ...p256.publicJwk, y: other.publicJwk.y }),
      refusedWith(/cannot be used with ECDH-ES\+A256KW/),
    );
    await assert.rejects(
      checkEncryptionKey({ ...p256.publicJwk, x: 'not base64url!' }),
      refusedWith(/"x" must be a base64url string/),
    );
  });

  it('refuses what is not a JWK', async () => {
    for (const value of [null, 'a string', [p256.publicJwk], 42]) {
      await assert.rejects(checkEncryptionKey(value), refusedWith(/must be a JWK/));
    }
  });
});

describe('resource server audience', () => {
  it('accepts https and loopback http URIs, with path and query, unchanged', () => {
    for (const audience of [
      'https://api.example.com',
      'https://api.example.com/v1/',
      'https://api.example.com/v1?tenant=x',
      'http://localhost:4000',
      'http://127.0.0.1:8080/api',
      'http://[::1]:9000',
    ]) {
      assert.equal(checkAudience(audience), audience);
    }
  });

  it('refuses relative, non-https, fragment and wildcard audiences', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['api.example.com', /is not an absolute URL/],
      ['urn:example:api', /is not an absolute URL/],
      ['http://api.example.com', /must use https/],
      ['ftp://api.example.com', /must use https/],
      ['https://api.example.com/#top', /must not contain a fragment/],
      ['https://*.example.com', /must not contain a wildcard/],
      ['https://api.example.com/a b', /printable ASCII without spaces/],
      ['', /must be 1 to/],
      [42, /audience must be a string/],
    ];
    for (const [audience, message] of cases) {
      assert.throws(() => checkAudience(audience), refusedWith(message), String(audience));
    }
  });
});

describe('resource server scopes', () => {
  it('accepts RFC 6749 scope tokens and drops duplicates', () => {
    assert.deepEqual(checkResourceScopes(['orders:read', 'orders:write', 'orders:read', '!#[]~']), [
      'orders:read',
      'orders:write',
      '!#[]~',
    ]);
    assert.deepEqual(checkResourceScopes(undefined), []);
  });

  it('refuses spaces, quotes, backslashes, empty and overlong scopes, and too many', () => {
    for (const scope of ['two words', 'quo"te', 'back\\slash', '', 'x'.repeat(129), 'é']) {
      assert.throws(() => checkResourceScopes([scope]), refusedWith(/is not a valid scope/), scope);
    }
    assert.equal(checkResourceScopes(['x'.repeat(128)]).length, 1);
    const many = Array.from({ length: 101 }, (_, index) => `s${index}`);
    assert.throws(() => checkResourceScopes(many), refusedWith(/at most 100 scopes/));
    assert.equal(checkResourceScopes(many.slice(0, 100)).length, 100);
  });
});
