import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { HttpBrowser } from '../support/http-browser.ts';
import {
  assertNotLogged,
  codeFlow,
  configurationFor,
  createUser,
  eventually,
  isActive,
  type OidcDeployment,
  type OidcInstance,
  offlineParameters,
  postForm,
  postgresVariant,
  registerClient,
  type TestClient,
  type TestUser,
} from '../support/oidc-flow.ts';

async function publishedKids(instance: OidcInstance): Promise<string[]> {
  const response = await fetch(`${instance.url}/jwks`);
  const jwks = (await response.json()) as { keys: Array<{ kid: string }> };
  return jwks.keys.map((key) => key.kid);
}

describe('two instances on one PostgreSQL and Redis', { skip: postgresVariant.skip }, () => {
  let deployment: OidcDeployment;
  let first: OidcInstance;
  let second: OidcInstance;
  let user: TestUser;
  /** The app as the first instance sees it; `onSecond` is the same app talking to the second. */
  let app: TestClient;
  let onSecond: client.Configuration;
  const secrets: Array<string | undefined> = [];

  before(async () => {
    deployment = await postgresVariant.start({ instances: 2 });
    [first, second] = deployment.instances as [OidcInstance, OidcInstance];
    user = await createUser(first.admin);
    app = await registerClient(deployment, { firstParty: true });
    onSecond = await configurationFor(deployment, app.id, app.secret, second);
    secrets.push(user.password, app.secret);
  });
  after(async () => {
    await deployment?.stop();
  });

  function refreshOn(instance: OidcInstance, refreshToken: string) {
    return postForm(
      `${instance.url}/token`,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { id: app.id, secret: app.secret ?? '' },
    );
  }

  it('serves one issuer from both instances', async () => {
    for (const instance of deployment.instances) {
      const response = await fetch(`${instance.url}/.well-known/openid-configuration`);
      assert.equal(((await response.json()) as { issuer: string }).issuer, deployment.issuer);
    }
    assert.notEqual(first.url, second.url);
  });

  it('signs in on the first instance and refreshes, reads userinfo and introspects on the second', async () => {
    const { tokens } = await codeFlow(new HttpBrowser(), app, user, offlineParameters());
    secrets.push(tokens.access_token, tokens.refresh_token, tokens.id_token);
    const refreshed = await client.refreshTokenGrant(onSecond, tokens.refresh_token ?? '');
    secrets.push(refreshed.access_token, refreshed.refresh_token, refreshed.id_token);
    assert.equal(refreshed.claims()?.sub, user.id);
    assert.equal(refreshed.claims()?.iss, deployment.issuer);
    const info = await client.fetchUserInfo(onSecond, refreshed.access_token, user.id);
    assert.equal(info.email, user.email);
    assert.equal((await client.tokenIntrospection(onSecond, refreshed.access_token)).active, true);

    // Revoked on the first, inactive on the second at once (cached entries are invalidated in Redis).
    await client.tokenRevocation(app.config, refreshed.access_token);
    assert.equal((await client.tokenIntrospection(onSecond, refreshed.access_token)).active, false);
  });

  it('revokes the grant when one refresh token is raced on both instances', async () => {
    const { tokens } = await codeFlow(new HttpBrowser(), app, user, offlineParameters());
    secrets.push(tokens.access_token, tokens.refresh_token, tokens.id_token);
    const refreshToken = tokens.refresh_token ?? '';
    const answers = await Promise.all([refreshOn(first, refreshToken), refreshOn(second, refreshToken)]);
    for (const answer of answers)
      secrets.push(answer.body.access_token as string, answer.body.refresh_token as string);
    const statuses = answers.map((answer) => answer.status).sort();
    // Whichever wins, the other use is a reuse: at most one success, and the grant is gone either way.
    assert.ok(statuses[1] === 400, `at least one refusal, got ${statuses.join(', ')}`);
    assert.ok(answers.every((answer) => answer.status === 200 || answer.body.error === 'invalid_grant'));
    for (const answer of answers.filter((a) => a.status === 200)) {
      assert.equal(await isActive(app, String(answer.body.access_token)), false);
      const again = await refreshOn(second, String(answer.body.refresh_token));
      assert.equal(again.body.error, 'invalid_grant');
    }
    assert.equal(await isActive(app, tokens.access_token), false);
  });

  it('publishes a rotated key on both instances and signs with it on the second', async () => {
    const { tokens } = await codeFlow(new HttpBrowser(), app, user, offlineParameters());
    secrets.push(tokens.access_token, tokens.refresh_token, tokens.id_token);
    const oldKid = decodeProtectedHeader(tokens.id_token ?? '').kid;

    const rotation = await first.admin.request<{ rotated: Array<{ alg: string; kid: string }> }>(
      'POST',
      '/keys/rotate',
      {},
    );
    const newKid = rotation.rotated.find((key) => key.alg === 'ES256')?.kid;
    assert.ok(newKid !== undefined && oldKid !== undefined && newKid !== oldKid);
    for (const instance of deployment.instances) {
      const kids: string[] = await eventually(
        () => publishedKids(instance),
        (list: string[]): boolean => list.includes(newKid),
        5_000,
      );
      assert.ok(kids.includes(newKid), `${instance.url} publishes the new key within 5 s`);
      assert.ok(kids.includes(oldKid), 'and still the previous one, for tokens it signed');
    }

    // A fresh configuration: openid-client caches the JWKS per configuration.
    const fresh = await configurationFor(deployment, app.id, app.secret, second);
    const refreshed = await client.refreshTokenGrant(fresh, tokens.refresh_token ?? '');
    secrets.push(refreshed.access_token, refreshed.refresh_token, refreshed.id_token);
    const idToken = refreshed.id_token ?? '';
    assert.equal(decodeProtectedHeader(idToken).kid, newKid);
    for (const instance of deployment.instances) {
      const jwks = createRemoteJWKSet(new URL(`${instance.url}/jwks`));
      await jwtVerify(idToken, jwks, { issuer: deployment.issuer, audience: app.id, algorithms: ['ES256'] });
      // The token signed before the rotation still verifies.
      await jwtVerify(tokens.id_token ?? '', jwks, { issuer: deployment.issuer, audience: app.id });
    }
  });

  it('logs no token or secret on either instance', () => {
    assertNotLogged(deployment.output(), secrets);
  });
});
