import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { HttpBrowser } from '../support/http-browser.ts';
import {
  assertNotLogged,
  assertOAuthError,
  codeFlow,
  createUser,
  driverVariants,
  isActive,
  type OidcDeployment,
  postForm,
  registerClient,
  type TestClient,
  type TestUser,
} from '../support/oidc-flow.ts';

for (const variant of driverVariants) {
  describe(`client credentials, introspection, revocation (${variant.name})`, { skip: variant.skip }, () => {
    let deployment: OidcDeployment;
    let service: TestClient;
    let app: TestClient;
    let user: TestUser;
    const secrets: Array<string | undefined> = [];

    before(async () => {
      deployment = await variant.start();
      [service, app, user] = await Promise.all([
        registerClient(deployment, { name: 'Billing job', service: true }),
        registerClient(deployment, { name: 'Web app', firstParty: true }),
        createUser(deployment.main.admin),
      ]);
      secrets.push(service.secret, app.secret, user.password);
    });
    after(async () => {
      await deployment?.stop();
    });

    it('gives a service an access token only, which introspects active until revoked', async () => {
      const tokens = await client.clientCredentialsGrant(service.config);
      secrets.push(tokens.access_token);
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.refresh_token, undefined);
      assert.equal(tokens.id_token, undefined);
      assert.ok(tokens.expires_in !== undefined && tokens.expires_in <= 600);

      const active = await client.tokenIntrospection(service.config, tokens.access_token);
      assert.equal(active.active, true);
      assert.equal(active.client_id, service.id);
      assert.equal(active.sub, undefined, 'a service token names no person');

      await client.tokenRevocation(service.config, tokens.access_token);
      assert.deepEqual(await client.tokenIntrospection(service.config, tokens.access_token), {
        active: false,
      });
    });

    it('revokes a person’s access token: introspection and userinfo stop accepting it', async () => {
      const { tokens } = await codeFlow(new HttpBrowser(), app, user);
      secrets.push(tokens.access_token, tokens.id_token);
      assert.equal(await isActive(app, tokens.access_token), true);
      const introspected = await client.tokenIntrospection(app.config, tokens.access_token);
      assert.equal(introspected.sub, user.id);
      assert.equal(introspected.email, undefined, 'introspection carries no personal data');

      await client.tokenRevocation(app.config, tokens.access_token);
      assert.equal(await isActive(app, tokens.access_token), false);
      const userinfo = await fetch(`${deployment.issuer}/me`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(userinfo.status, 401);
    });

    it('lets a confidential resource server introspect tokens, but not a public client', async () => {
      // RFC 7662: introspection is how an API checks tokens issued to other clients; oidc-provider's
      // policy allows it for authenticated confidential clients and refuses public ones.
      const tokens = await client.clientCredentialsGrant(service.config);
      secrets.push(tokens.access_token);
      assert.equal(await isActive(app, tokens.access_token), true);
      const publicApp = await registerClient(deployment, { name: 'Mobile app', public: true });
      assert.equal(publicApp.secret, undefined);
      assert.equal(await isActive(publicApp, tokens.access_token), false);
      assert.equal(await isActive(service, tokens.access_token), true, 'unchanged for its own client');
    });

    it('answers active:false for garbage and an OAuth error without client authentication', async () => {
      assert.equal(await isActive(service, 'not-a-token-at-all'), false);
      const anonymous = await postForm(`${deployment.issuer}/token/introspection`, { token: 'whatever' });
      // oidc-provider answers a missing client authentication with invalid_request (400), not 401.
      assertOAuthError(anonymous, 400, 'invalid_request');
      const wrongSecret = await postForm(
        `${deployment.issuer}/token/introspection`,
        { token: 'whatever' },
        { id: service.id, secret: 'not-the-secret' },
      );
      assertOAuthError(wrongSecret, 401, 'invalid_client');
      const revokeUnknown = await postForm(
        `${deployment.issuer}/token/revocation`,
        { token: 'not-a-token-at-all' },
        { id: service.id, secret: service.secret ?? '' },
      );
      assert.equal(revokeUnknown.status, 200, 'RFC 7009: unknown tokens revoke quietly');
    });

    it('keeps each kind of client to its grants', async () => {
      const serviceCode = await postForm(
        `${deployment.issuer}/token`,
        { grant_type: 'authorization_code', code: 'abc', code_verifier: 'a'.repeat(43) },
        { id: service.id, secret: service.secret ?? '' },
      );
      // oidc-provider names a grant type the client may not use invalid_request (RFC 6749 says unauthorized_client).
      assertOAuthError(serviceCode, 400, 'invalid_request');
      assert.match(String(serviceCode.body.error_description), /grant type is not allowed/);
      const appCredentials = await postForm(
        `${deployment.issuer}/token`,
        { grant_type: 'client_credentials' },
        { id: app.id, secret: app.secret ?? '' },
      );
      assertOAuthError(appCredentials, 400, 'invalid_request');
      assert.match(String(appCredentials.body.error_description), /grant type is not allowed/);
      const password = await postForm(
        `${deployment.issuer}/token`,
        { grant_type: 'password', username: user.email, password: user.password },
        { id: app.id, secret: app.secret ?? '' },
      );
      assertOAuthError(password, 400, 'unsupported_grant_type');
    });

    it('logs no token or secret', () => {
      assertNotLogged(deployment.output(), secrets);
    });
  });
}
