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
  offlineParameters,
  postForm,
  registerClient,
  type TestClient,
  type TestUser,
} from '../support/oidc-flow.ts';

for (const variant of driverVariants) {
  describe(`refresh tokens (${variant.name})`, { skip: variant.skip }, () => {
    let deployment: OidcDeployment;
    let user: TestUser;
    let rp: TestClient;
    const secrets: Array<string | undefined> = [];

    /** A fresh sign-in with offline_access: a new grant each time. */
    async function offlineTokens() {
      const { tokens } = await codeFlow(new HttpBrowser(), rp, user, offlineParameters());
      assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
      secrets.push(tokens.access_token, tokens.refresh_token, tokens.id_token);
      return tokens;
    }

    function refreshRaw(refreshToken: string, as: TestClient = rp) {
      return postForm(
        `${deployment.issuer}/token`,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        { id: as.id, secret: as.secret ?? '' },
      );
    }

    before(async () => {
      deployment = await variant.start();
      user = await createUser(deployment.main.admin);
      rp = await registerClient(deployment, { firstParty: true });
      secrets.push(user.password, rp.secret);
    });
    after(async () => {
      await deployment?.stop();
    });

    it('rotates the refresh token on every use and issues a fresh ID token', async () => {
      const first = await offlineTokens();
      const second = await client.refreshTokenGrant(rp.config, first.refresh_token ?? '');
      const third = await client.refreshTokenGrant(rp.config, second.refresh_token ?? '');
      secrets.push(second.access_token, second.refresh_token, third.access_token, third.refresh_token);
      assert.ok(second.refresh_token && third.refresh_token);
      assert.equal(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size, 3);
      assert.notEqual(second.access_token, first.access_token);
      assert.equal(third.claims()?.sub, user.id);
      assert.equal(await isActive(rp, third.access_token), true);
      assert.equal(await isActive(rp, third.refresh_token), true);
      assert.equal(await isActive(rp, first.refresh_token ?? ''), false, 'a used refresh token is spent');
    });

    it('revokes the whole grant when an old refresh token comes back', async () => {
      const first = await offlineTokens();
      const second = await client.refreshTokenGrant(rp.config, first.refresh_token ?? '');
      secrets.push(second.access_token, second.refresh_token);
      assert.equal(await isActive(rp, second.access_token), true, 'alive before the reuse');
      assert.equal(await isActive(rp, first.access_token), true, 'the first access token too');

      assertOAuthError(await refreshRaw(first.refresh_token ?? ''), 400, 'invalid_grant');

      assertOAuthError(await refreshRaw(second.refresh_token ?? ''), 400, 'invalid_grant');
      assert.equal(await isActive(rp, second.access_token), false);
      assert.equal(await isActive(rp, first.access_token), false);
      assert.equal(await isActive(rp, second.refresh_token ?? ''), false);
      const userinfo = await fetch(`${deployment.issuer}/me`, {
        headers: { authorization: `Bearer ${second.access_token}` },
      });
      assert.equal(userinfo.status, 401);
    });

    it("refuses another client's refresh token and leaves it usable by its own client", async () => {
      const tokens = await offlineTokens();
      const other = await registerClient(deployment, { firstParty: true });
      secrets.push(other.secret);
      assertOAuthError(await refreshRaw(tokens.refresh_token ?? '', other), 400, 'invalid_grant');
      const refreshed = await client.refreshTokenGrant(rp.config, tokens.refresh_token ?? '');
      secrets.push(refreshed.access_token, refreshed.refresh_token);
      assert.ok(refreshed.refresh_token);
    });

    it('issues no refresh token without offline_access', async () => {
      const { tokens } = await codeFlow(new HttpBrowser(), rp, user);
      secrets.push(tokens.access_token, tokens.id_token);
      assert.equal(tokens.refresh_token, undefined);
    });

    it('logs no token or secret', () => {
      assertNotLogged(deployment.output(), secrets);
    });
  });
}
