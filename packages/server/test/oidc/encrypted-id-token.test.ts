import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  compactDecrypt,
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from 'jose';
import { HttpBrowser } from '../support/http-browser.ts';
import {
  authorizationRequest,
  authorize,
  configurationFor,
  createUser,
  type OidcDeployment,
  postForm,
  startEmbedded,
  type TestClient,
  type TestUser,
} from '../support/oidc-flow.ts';

describe('ID tokens for a client that registered an encryption key', () => {
  let deployment: OidcDeployment;
  let user: TestUser;
  let rp: TestClient;
  let appKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  before(async () => {
    deployment = await startEmbedded();
    user = await createUser(deployment.main.admin, 'Grace Hopper');
    const pair = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
    appKey = pair.privateKey;
    const redirectUri = 'http://127.0.0.1:9/callback';
    const created = await deployment.main.admin.request<{ client_id: string; client_secret: string }>(
      'POST',
      '/clients',
      {
        name: 'Encrypted app',
        redirectUris: [redirectUri],
        firstParty: true,
        idTokenEncryptionKey: await exportJWK(pair.publicKey),
      },
    );
    rp = {
      id: created.client_id,
      secret: created.client_secret,
      redirectUri,
      config: await configurationFor(deployment, created.client_id, created.client_secret),
    };
  });
  after(async () => {
    await deployment?.stop();
  });

  it('encrypts the ID token to the app, which alone reads the profile inside', async () => {
    const request = await authorizationRequest(rp, { scope: 'openid email profile' });
    const callback = new URL((await authorize(new HttpBrowser(), rp, request, user)).location ?? '');
    const response = await postForm(
      `${deployment.issuer}/token`,
      {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: rp.redirectUri,
        code_verifier: request.verifier,
      },
      { id: rp.id, secret: rp.secret ?? '' },
    );
    assert.equal(response.status, 200, response.text);
    const idToken = String(response.body.id_token);
    assert.equal(idToken.split('.').length, 5, 'a JWE');
    const header = decodeProtectedHeader(idToken);
    assert.equal(header.alg, 'ECDH-ES+A256KW');
    assert.ok(!JSON.stringify(header).includes(user.email));

    const other = await generateKeyPair('ECDH-ES+A256KW');
    await assert.rejects(compactDecrypt(idToken, other.privateKey));
    const { plaintext } = await compactDecrypt(idToken, appKey);
    const { payload } = await jwtVerify(
      new TextDecoder().decode(plaintext),
      createRemoteJWKSet(new URL(`${deployment.issuer}/jwks`)),
      { issuer: deployment.issuer, audience: rp.id },
    );
    assert.equal(payload.sub, user.id);
    assert.equal(payload.email, user.email);
    assert.equal(payload.name, user.name);
  });

  it('refuses a private key or a service client with a key, storing nothing', async () => {
    const pair = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
    for (const body of [
      {
        name: 'Leaky',
        redirectUris: ['http://127.0.0.1:9/cb'],
        idTokenEncryptionKey: await exportJWK(pair.privateKey),
      },
      { name: 'Service', service: true, idTokenEncryptionKey: await exportJWK(pair.publicKey) },
    ]) {
      await assert.rejects(deployment.main.admin.request('POST', '/clients', body), /400/);
    }
    const list = await deployment.main.admin.request<{ clients: Array<{ name: string }> }>('GET', '/clients');
    assert.deepEqual(
      list.clients.map((client) => client.name).filter((name) => name === 'Leaky' || name === 'Service'),
      [],
    );
  });
});
