import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { HttpBrowser, hiddenInput } from '../support/http-browser.ts';
import {
  assertCookiesHardened,
  assertNotLogged,
  authorizationRequest,
  codeFlow,
  createUser,
  driverVariants,
  formUrl,
  isActive,
  type OidcDeployment,
  registerClient,
  startTestRelyingParty,
  type TestClient,
  type TestRelyingParty,
  type TestUser,
  type Tokens,
  unusedRedirectUri,
} from '../support/oidc-flow.ts';

const logoutEvent = 'http://schemas.openid.net/event/backchannel-logout';

for (const variant of driverVariants) {
  describe(`RP-initiated and back-channel logout (${variant.name})`, { skip: variant.skip }, () => {
    let deployment: OidcDeployment;
    let user: TestUser;
    let serverA: TestRelyingParty;
    let serverB: TestRelyingParty;
    let appA: TestClient;
    let appB: TestClient;
    const postLogoutUri = unusedRedirectUri('signed-out');
    const secrets: Array<string | undefined> = [];

    before(async () => {
      deployment = await variant.start();
      [serverA, serverB, user] = await Promise.all([
        startTestRelyingParty(),
        startTestRelyingParty(),
        createUser(deployment.main.admin),
      ]);
      [appA, appB] = await Promise.all([
        registerClient(deployment, {
          name: 'App A',
          firstParty: true,
          postLogoutRedirectUris: [postLogoutUri],
          backchannelLogoutUri: serverA.backchannelLogoutUri,
        }),
        registerClient(deployment, {
          name: 'App B',
          firstParty: true,
          backchannelLogoutUri: serverB.backchannelLogoutUri,
        }),
      ]);
      secrets.push(user.password, appA.secret, appB.secret);
    });
    after(async () => {
      await deployment?.stop();
      await serverA?.close();
      await serverB?.close();
    });

    /** Checks a logout token as an app must (OIDC Back-Channel Logout 1.0, section 2.6). */
    async function verifyLogoutToken(logoutToken: string, app: TestClient, idTokens: Tokens) {
      const jwks = createRemoteJWKSet(new URL(`${deployment.issuer}/jwks`));
      const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, {
        issuer: deployment.issuer,
        audience: app.id,
        typ: 'logout+jwt',
        algorithms: ['ES256'],
        requiredClaims: ['iat', 'jti', 'events'],
      });
      assert.ok(protectedHeader.kid);
      assert.deepEqual(Object.keys((payload.events ?? {}) as object), [logoutEvent]);
      assert.equal(typeof (payload.events as Record<string, unknown>)[logoutEvent], 'object');
      assert.equal('nonce' in payload, false, 'a logout token has no nonce');
      const idClaims = idTokens.claims();
      assert.ok(payload.sid !== undefined || payload.sub !== undefined, 'sid or sub');
      // Both are sent: the app finds the session it must end by either.
      assert.equal(payload.sid, idClaims?.sid, 'the sid of the ID token the app holds');
      assert.equal(payload.sub, idClaims?.sub);
      for (const claim of ['email', 'name']) assert.equal(claim in payload, false, `no ${claim}`);
    }

    it('signs out of every app: confirm page, redirect to the app, logout tokens, session gone', async () => {
      const browser = new HttpBrowser();
      const inA = await codeFlow(browser, appA, user);
      const inB = await codeFlow(browser, appB, undefined, { prompt: 'none' });
      secrets.push(
        inA.tokens.access_token,
        inA.tokens.id_token,
        inB.tokens.access_token,
        inB.tokens.id_token,
      );
      assert.equal(await isActive(appA, inA.tokens.access_token), true);

      const state = client.randomState();
      const endSession = client.buildEndSessionUrl(appA.config, {
        id_token_hint: inA.tokens.id_token ?? '',
        post_logout_redirect_uri: postLogoutUri,
        state,
      });
      const confirmPage = await browser.open(endSession, postLogoutUri);
      assert.equal(confirmPage.status, 200);
      assert.match(confirmPage.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(serverA.received.length, 0, 'nothing happens before the person confirms');
      const xsrf = hiddenInput(confirmPage.body, 'xsrf');
      assert.ok(xsrf, 'the confirm form carries its anti-forgery token');

      const confirmed = await browser.request(formUrl(confirmPage, '/session/end/confirm'), {
        form: { xsrf, logout: 'yes' },
      });
      assert.equal(confirmed.status, 303);
      const landing = new URL(confirmed.location ?? '');
      assert.equal(`${landing.origin}${landing.pathname}`, postLogoutUri);
      assert.equal(landing.searchParams.get('state'), state);
      assertCookiesHardened([confirmed]);
      assert.ok(
        confirmed.headers.getSetCookie().some((line) => /^_session=;/.test(line)),
        'the session cookie is cleared',
      );

      // The logout tokens were sent before the redirect; both apps were signed in through this session.
      const [toA, toB] = await Promise.all([serverA.nextLogout(), serverB.nextLogout()]);
      assert.match(toA.contentType, /^application\/x-www-form-urlencoded/);
      secrets.push(toA.logoutToken, toB.logoutToken);
      await verifyLogoutToken(toA.logoutToken, appA, inA.tokens);
      await verifyLogoutToken(toB.logoutToken, appB, inB.tokens);
      assert.notEqual(decodeJwt(toA.logoutToken).jti, decodeJwt(toB.logoutToken).jti);

      const silent = await authorizationRequest(appA, { prompt: 'none' });
      const afterLogout = await browser.request(silent.url);
      assert.equal(afterLogout.status, 303);
      const callback = new URL(afterLogout.location ?? '');
      assert.equal(callback.searchParams.get('error'), 'login_required');
      assert.equal(callback.searchParams.get('code'), null);
      assert.equal(await isActive(appA, inA.tokens.access_token), false, "the grant's tokens are revoked");
      assert.equal(await isActive(appB, inB.tokens.access_token), false);
    });

    it('refuses a forged confirmation and stays signed in', async () => {
      const browser = new HttpBrowser();
      const signedIn = await codeFlow(browser, appA, user);
      secrets.push(signedIn.tokens.access_token, signedIn.tokens.id_token);
      const endSession = client.buildEndSessionUrl(appA.config, {
        id_token_hint: signedIn.tokens.id_token ?? '',
        post_logout_redirect_uri: postLogoutUri,
      });
      const confirmPage = await browser.open(endSession, postLogoutUri);
      const forged = await browser.request(formUrl(confirmPage, '/session/end/confirm'), {
        form: { xsrf: 'forged', logout: 'yes' },
      });
      assert.equal(forged.status, 400);
      assert.equal(forged.location, undefined);
      const silent = await authorizationRequest(appA, { prompt: 'none' });
      const still = await browser.request(silent.url);
      assert.ok(new URL(still.location ?? '').searchParams.get('code'), 'still signed in');
    });

    it('logs no token or secret', () => {
      assertNotLogged(deployment.output(), secrets);
    });
  });
}
