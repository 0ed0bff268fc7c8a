import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { HttpBrowser } from '../support/http-browser.ts';
import {
  assertNotLogged,
  authorizationRequest,
  codeFlow,
  createUser,
  driverVariants,
  type OidcDeployment,
  registerClient,
  type TestClient,
  type TestUser,
} from '../support/oidc-flow.ts';

for (const variant of driverVariants) {
  describe(`single sign-on (${variant.name})`, { skip: variant.skip }, () => {
    let deployment: OidcDeployment;
    let user: TestUser;
    let appA: TestClient;
    let appB: TestClient;
    let thirdParty: TestClient;
    /** One browser, signed in through app A. */
    let browser: HttpBrowser;
    const secrets: Array<string | undefined> = [];

    before(async () => {
      deployment = await variant.start();
      user = await createUser(deployment.main.admin);
      [appA, appB, thirdParty] = await Promise.all([
        registerClient(deployment, { name: 'App A', firstParty: true }),
        registerClient(deployment, { name: 'App B', firstParty: true }),
        registerClient(deployment, { name: 'Partner app' }),
      ]);
      secrets.push(user.password, appA.secret, appB.secret, thirdParty.secret);
      browser = new HttpBrowser();
      const { tokens } = await codeFlow(browser, appA, user);
      secrets.push(tokens.access_token, tokens.id_token);
    });
    after(async () => {
      await deployment?.stop();
    });

    it('gives a second first-party app a code at once with prompt=none: no page, one redirect', async () => {
      const request = await authorizationRequest(appB, { prompt: 'none' });
      const response = await browser.request(request.url);
      assert.equal(response.status, 303);
      const callback = new URL(response.location ?? '');
      assert.equal(`${callback.origin}${callback.pathname}`, appB.redirectUri, 'straight back to app B');
      assert.equal(callback.searchParams.get('error'), null);
      assert.equal(callback.searchParams.get('iss'), deployment.issuer);
      const tokens = await client.authorizationCodeGrant(appB.config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
        idTokenExpected: true,
      });
      secrets.push(callback.searchParams.get('code') ?? undefined, tokens.access_token, tokens.id_token);
      assert.equal(tokens.claims()?.sub, user.id, 'the same person in app B');
      assert.equal(tokens.claims()?.aud, appB.id);
    });

    it('also gives any other first-party app a code at once without prompt=none', async () => {
      const appC = await registerClient(deployment, { name: 'App C', firstParty: true });
      secrets.push(appC.secret);
      const request = await authorizationRequest(appC);
      const response = await browser.request(request.url);
      assert.equal(response.status, 303);
      assert.ok(
        response.location?.startsWith(appC.redirectUri),
        `straight to app C, got ${response.location}`,
      );
      assert.ok(new URL(response.location ?? '').searchParams.get('code'));
    });

    it('never grants a third-party app silently: prompt=none answers consent_required', async () => {
      const request = await authorizationRequest(thirdParty, { prompt: 'none' });
      const response = await browser.request(request.url);
      assert.equal(response.status, 303);
      const callback = new URL(response.location ?? '');
      assert.equal(`${callback.origin}${callback.pathname}`, thirdParty.redirectUri);
      assert.equal(callback.searchParams.get('error'), 'consent_required');
      assert.equal(callback.searchParams.get('code'), null);
      assert.equal(callback.searchParams.get('state'), request.state);
    });

    it('answers login_required to prompt=none from a browser that is not signed in', async () => {
      const request = await authorizationRequest(appB, { prompt: 'none' });
      const response = await new HttpBrowser().request(request.url);
      assert.equal(response.status, 303);
      const callback = new URL(response.location ?? '');
      assert.equal(callback.searchParams.get('error'), 'login_required');
      assert.equal(callback.searchParams.get('code'), null);
    });

    it('logs no token or secret', () => {
      assertNotLogged(deployment.output(), secrets);
    });
  });
}
