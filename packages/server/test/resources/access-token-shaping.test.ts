import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64url, compactDecrypt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { encryptAccessToken } from '../../src/resources/encrypt-access-token.ts';
import { checkEncryptionKey } from '../../src/resources/encryption-key.ts';
import {
  encryptedAccessTokenClaims,
  type JwtAccessTokenInput,
  jwtAccessTokenClaimNames,
  jwtAccessTokenClaims,
} from '../../src/resources/jwt-access-token-claims.ts';
import type { ResourceServerForToken } from '../../src/resources/resource-server-for-token.ts';
import { resourceKeyPair } from './resource-keys.ts';

const audience = 'https://api.example.com';
const now = Math.floor(Date.now() / 1000);

const personToken: JwtAccessTokenInput = {
  kind: 'AccessToken',
  iss: 'https://id.example.com',
  sub: 'acct_123',
  aud: audience,
  iat: now,
  exp: now + 600,
  jti: 'jti-1',
  scope: 'openid orders:read',
  client_id: 'shop',
  sid: 'sess_abc',
};

/** The issuer's signing key; oidc-provider holds the real one. */
const signing = await generateKeyPair('ES256');

async function signAccessToken(claims: object): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .sign(signing.privateKey);
}

async function jweResource(alg?: string, options?: { crv?: string; modulusLength?: number }) {
  const pair = await resourceKeyPair(alg, options);
  const encryptionKey = await checkEncryptionKey(pair.publicJwk);
  const resource: ResourceServerForToken = { audience, format: 'jwe', scopes: [], ttl: 600, encryptionKey };
  return { pair, resource };
}

describe('JWT access token claims (RFC 9068)', () => {
  it('are exactly iss sub aud exp iat jti scope client_id sid for a person', () => {
    const claims = jwtAccessTokenClaims(personToken);
    assert.deepEqual(Object.keys(claims).sort(), [...jwtAccessTokenClaimNames].sort());
    assert.deepEqual(claims, {
      iss: 'https://id.example.com',
      sub: 'acct_123',
      aud: audience,
      exp: now + 600,
      iat: now,
      jti: 'jti-1',
      scope: 'openid orders:read',
      client_id: 'shop',
      sid: 'sess_abc',
    });
  });

  it('leave out sid only for a client-credentials token', () => {
    const { sid: _sid, ...rest } = personToken;
    const claims = jwtAccessTokenClaims({ ...rest, kind: 'ClientCredentials', sub: 'shop' });
    assert.deepEqual(
      Object.keys(claims).sort(),
      jwtAccessTokenClaimNames.filter((name) => name !== 'sid').sort(),
    );
    assert.throws(
      () => jwtAccessTokenClaims({ ...rest, kind: 'AccessToken' } as unknown as JwtAccessTokenInput),
      /claim sid must be a non-empty string/,
    );
    assert.throws(
      () =>
        jwtAccessTokenClaims({ ...personToken, kind: 'ClientCredentials' } as unknown as JwtAccessTokenInput),
      /client-credentials access token has no session/,
    );
  });

  it('carry nothing else, whatever the input object holds', () => {
    // What an upstream payload could carry by mistake: none of it may reach a readable token.
    const polluted = {
      ...personToken,
      email: 'ada@example.com',
      name: 'Ada',
      business_id: 'biz_1',
      roles: ['owner'],
      cnf: { jkt: 'x' },
    };
    const claims = jwtAccessTokenClaims(polluted);
    assert.deepEqual(Object.keys(claims).sort(), [...jwtAccessTokenClaimNames].sort());
    assert.equal(JSON.stringify(claims).includes('ada@example.com'), false);
    assert.equal(JSON.stringify(claims).includes('biz_1'), false);
  });

  it('refuse missing or malformed claims', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ iss: '' }, /claim iss must be a non-empty string/],
      [{ aud: [audience] }, /claim aud must be a non-empty string/],
      [{ exp: now }, /exp must come after iat/],
      [{ iat: 1.5 }, /claim iat must be a positive whole number/],
      [{ scope: undefined }, /claim scope must be a string/],
      [{ client_id: undefined }, /claim client_id must be a non-empty string/],
      [{ kind: 'RefreshToken' }, /unknown access token kind RefreshToken/],
    ];
    for (const [change, message] of cases) {
      assert.throws(
        () => jwtAccessTokenClaims({ ...personToken, ...change } as JwtAccessTokenInput),
        message,
        JSON.stringify(change),
      );
    }
  });

  it('may add business_id and roles only inside an encrypted token', () => {
    const claims = encryptedAccessTokenClaims({ ...personToken, business_id: 'biz_1', roles: ['owner'] });
    assert.deepEqual(
      Object.keys(claims).sort(),
      [...jwtAccessTokenClaimNames, 'business_id', 'roles'].sort(),
    );
    assert.equal(claims.business_id, 'biz_1');
    assert.deepEqual(claims.roles, ['owner']);
    assert.deepEqual(
      Object.keys(encryptedAccessTokenClaims(personToken)).sort(),
      [...jwtAccessTokenClaimNames].sort(),
    );
    assert.throws(
      () => encryptedAccessTokenClaims({ ...personToken, roles: ['owner', ''] }),
      /roles must be a list of non-empty strings/,
    );
  });
});

describe('encrypted access tokens', () => {
  it('open with the resource server private key only, and hold the signed token', async () => {
    const { pair, resource } = await jweResource();
    const signedJwt = await signAccessToken(
      encryptedAccessTokenClaims({ ...personToken, business_id: 'biz_1', roles: ['owner'] }),
    );
    const jwe = await encryptAccessToken({ signedJwt, resource });
    assert.equal(jwe.split('.').length, 5);
    assert.equal(jwe.includes(signedJwt), false);

    const { plaintext, protectedHeader } = await compactDecrypt(jwe, pair.privateKey);
    assert.equal(protectedHeader.cty, 'JWT');
    const inner = new TextDecoder().decode(plaintext);
    assert.equal(inner, signedJwt);
    const { payload, protectedHeader: innerHeader } = await jwtVerify(inner, signing.publicKey, {
      issuer: 'https://id.example.com',
      audience,
      typ: 'at+jwt',
    });
    assert.equal(innerHeader.typ, 'at+jwt');
    assert.equal(payload.business_id, 'biz_1');
    assert.deepEqual(payload.roles, ['owner']);
    assert.equal(payload.sid, 'sess_abc');

    const stranger = await resourceKeyPair();
    await assert.rejects(compactDecrypt(jwe, stranger.privateKey));
  });

  it('reveal nothing in the header but how to open them', async () => {
    const { resource } = await jweResource();
    const signedJwt = await signAccessToken(jwtAccessTokenClaims(personToken));
    const jwe = await encryptAccessToken({ signedJwt, resource });
    const header = decodeProtectedHeader(jwe);
    // epk is ECDH-ES's ephemeral public key: fresh random for every token, it says nothing about it.
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'cty', 'enc', 'epk', 'kid']);
    assert.deepEqual(
      { alg: header.alg, enc: header.enc, kid: header.kid, cty: header.cty },
      { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: resource.encryptionKey?.jwk.kid, cty: 'JWT' },
    );
    assert.deepEqual(Object.keys(header.epk ?? {}).sort(), ['crv', 'kty', 'x', 'y']);
    const headerText = new TextDecoder().decode(base64url.decode(jwe.split('.')[0] ?? ''));
    for (const secret of ['acct_123', 'sess_abc', 'id.example.com', 'api.example.com', 'shop']) {
      assert.equal(headerText.includes(secret), false, secret);
    }
    // Another token to the same server gets another ephemeral key.
    const again = decodeProtectedHeader(await encryptAccessToken({ signedJwt, resource }));
    assert.notDeepEqual(again.epk, header.epk);
  });

  it('work with X25519 and with RSA-OAEP-256, whose header then has no epk', async () => {
    const x25519 = await jweResource('ECDH-ES+A256KW', { crv: 'X25519' });
    const signedJwt = await signAccessToken(jwtAccessTokenClaims(personToken));
    const okp = await encryptAccessToken({ signedJwt, resource: x25519.resource });
    assert.equal(
      new TextDecoder().decode((await compactDecrypt(okp, x25519.pair.privateKey)).plaintext),
      signedJwt,
    );

    const rsa = await jweResource('RSA-OAEP-256', { modulusLength: 2048 });
    const jwe = await encryptAccessToken({ signedJwt, resource: rsa.resource });
    assert.deepEqual(Object.keys(decodeProtectedHeader(jwe)).sort(), ['alg', 'cty', 'enc', 'kid']);
    assert.equal(decodeProtectedHeader(jwe).alg, 'RSA-OAEP-256');
    assert.equal(
      new TextDecoder().decode((await compactDecrypt(jwe, rsa.pair.privateKey)).plaintext),
      signedJwt,
    );
    await assert.rejects(
      compactDecrypt(jwe, (await resourceKeyPair('RSA-OAEP-256', { modulusLength: 2048 })).privateKey),
    );
  });

  it('are made only from a signed JWT, only for a resource server with a key', async () => {
    const { resource } = await jweResource();
    const unsecured = `${base64url.encode('{"alg":"none"}')}.${base64url.encode('{"sub":"x"}')}.`;
    for (const signedJwt of [unsecured, '{"sub":"x"}', 'a.b', '']) {
      await assert.rejects(encryptAccessToken({ signedJwt, resource }), /only a signed JWT in compact form/);
    }
    const signedJwt = await signAccessToken(jwtAccessTokenClaims(personToken));
    await assert.rejects(
      encryptAccessToken({ signedJwt, resource: { audience, encryptionKey: undefined } }),
      /has no encryption key: its tokens are not JWEs/,
    );
  });

  it('use the alg and enc the resource server chose', async () => {
    const pair = await resourceKeyPair('ECDH-ES');
    const encryptionKey = await checkEncryptionKey(pair.publicJwk, { alg: 'ECDH-ES', enc: 'A128CBC-HS256' });
    const signedJwt = await signAccessToken(jwtAccessTokenClaims(personToken));
    const jwe = await encryptAccessToken({ signedJwt, resource: { audience, encryptionKey } });
    const header = decodeProtectedHeader(jwe);
    assert.equal(header.alg, 'ECDH-ES');
    assert.equal(header.enc, 'A128CBC-HS256');
    const { plaintext } = await compactDecrypt(jwe, pair.privateKey);
    assert.equal(new TextDecoder().decode(plaintext), signedJwt);
  });
});
