import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import pg from 'pg';
import { tokenLifetimes } from '../../src/oidc/token-lifetimes.ts';
import type { BrowserResponse } from '../support/http-browser.ts';
import { HttpBrowser } from '../support/http-browser.ts';
import {
  assertCookiesHardened,
  assertNotLogged,
  assertOAuthError,
  authorizationRequest,
  authorize,
  codeFlow,
  createUser,
  driverVariants,
  type OidcDeployment,
  postForm,
  registerClient,
  type TestUser,
} from '../support/oidc-flow.ts';

/** Personal data that must never sit in a readable token (the brief's first invariant). */
const personalClaims = ['email', 'email_verified', 'name', 'phone_number', 'given_name', 'family_name'];

for (const variant of driverVariants) {
  describe(`authorization code + PKCE flow (${variant.name})`, { skip: variant.skip }, () => {
    let deployment: OidcDeployment;
    let user: TestUser;
    /** Every token, code and secret seen, to look for in the server's log at the end. */
    const secrets: Array<string | undefined> = [];

    before(async () => {
      deployment = await variant.start();
      user = await createUser(deployment.main.admin);
      // The address too: personal data has no business in the log either.
      secrets.push(user.password, user.email);
    });
    after(async () => {
      await deployment?.stop();
    });

    it('advertises only code, S256, the three grants, iss in responses and back-channel logout', async () => {
      const response = await fetch(`${deployment.issuer}/.well-known/openid-configuration`);
      assert.equal(response.status, 200);
      const discovery = (await response.json()) as Record<string, unknown>;
      assert.equal(discovery.issuer, deployment.issuer);
      assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(discovery.grant_types_supported, [
        'authorization_code',
        'refresh_token',
        'client_credentials',
      ]);
      assert.deepEqual(discovery.response_types_supported, ['code']);
      assert.equal(discovery.backchannel_logout_supported, true);
      assert.equal(discovery.authorization_response_iss_parameter_supported, true);
    });

    it('signs in through the pages, consents, and gets tokens whose ID token verifies', async () => {
      // A third-party client: the flow goes through sign-in and the consent page.
      const rp = await registerClient(deployment, { name: 'Third-party app' });
      secrets.push(rp.secret);
      const browser = new HttpBrowser();
      const trail: BrowserResponse[] = [];
      const request = await authorizationRequest(rp);
      const back = await authorize(browser, rp, request, user, trail);
      assert.ok(
        trail.some((page) => page.body.includes('/consent')),
        'the consent page was shown',
      );

      const callback = new URL(back.location ?? '');
      assert.equal(`${callback.origin}${callback.pathname}`, rp.redirectUri);
      assert.equal(callback.searchParams.get('iss'), deployment.issuer, 'RFC 9207 iss in the response');
      assert.equal(callback.searchParams.get('state'), request.state);
      const code = callback.searchParams.get('code');
      assert.ok(code);
      secrets.push(code);

      // openid-client checks iss, state, the PKCE verifier, and the ID token: signature (JWKS), iss, aud, nonce.
      const tokens = await client.authorizationCodeGrant(rp.config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
        idTokenExpected: true,
      });
      secrets.push(tokens.access_token, tokens.id_token);
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.expires_in !== undefined && tokens.expires_in > 0 && tokens.expires_in <= 600);
      assert.equal(tokens.refresh_token, undefined, 'no refresh token without offline_access');

      // The same checks again, independently of openid-client.
      const idToken = tokens.id_token ?? '';
      const jwks = createRemoteJWKSet(new URL(`${deployment.issuer}/jwks`));
      const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
        issuer: deployment.issuer,
        audience: rp.id,
        algorithms: ['ES256'],
      });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.ok(protectedHeader.kid, 'the ID token names its key');
      assert.equal(payload.nonce, request.nonce);
      assert.equal(payload.sub, user.id);
      for (const claim of personalClaims)
        assert.equal(claim in payload, false, `no ${claim} in the ID token`);

      // The claims of the granted scopes come from userinfo only.
      const info = await client.fetchUserInfo(rp.config, tokens.access_token, user.id);
      assert.equal(info.sub, user.id);
      assert.equal(info.email, user.email);
      assert.equal(info.name, user.name);
      assert.equal(typeof info.email_verified, 'boolean');

      const cookies = assertCookiesHardened(trail);
      assert.ok(cookies.includes('_session'), `a session cookie was set (got ${cookies.join(', ')})`);
      assert.ok(cookies.includes('_interaction'), 'an interaction cookie was set');
    });

    it('releases only the claims of the scopes asked for', async () => {
      const rp = await registerClient(deployment, { firstParty: true });
      secrets.push(rp.secret);
      const browser = new HttpBrowser();
      const openidOnly = await codeFlow(browser, rp, user, { scope: 'openid' });
      secrets.push(openidOnly.tokens.access_token, openidOnly.tokens.id_token);
      assert.deepEqual(await client.fetchUserInfo(rp.config, openidOnly.tokens.access_token, user.id), {
        sub: user.id,
      });

      const emailOnly = await codeFlow(browser, rp, undefined, { scope: 'openid email' });
      secrets.push(emailOnly.tokens.access_token, emailOnly.tokens.id_token);
      const info = await client.fetchUserInfo(rp.config, emailOnly.tokens.access_token, user.id);
      assert.equal(info.email, user.email);
      assert.equal(info.name, undefined, 'no profile scope, no name');
    });

    // Registered on PostgreSQL only: reading the code row needs a database the test can open too.
    const onPostgres = variant.name === 'postgres' ? it : () => undefined;
    onPostgres('keeps a code at most 60 s and refuses it once expired', async () => {
      assert.ok(tokenLifetimes.AuthorizationCode <= 60, 'configured code lifetime');
      const rp = await registerClient(deployment, { firstParty: true });
      const browser = new HttpBrowser();
      const request = await authorizationRequest(rp);
      const code = new URL((await authorize(browser, rp, request, user)).location ?? '').searchParams.get(
        'code',
      );
      assert.ok(code);
      secrets.push(code, rp.secret);
      const database = new pg.Client({ connectionString: deployment.databaseUrl });
      await database.connect();
      try {
        const { rows } = await database.query<{ left: number; lifetime: number }>(
          `select extract(epoch from expires_at - now())::float8 as left,
                    ((payload->>'exp')::int - (payload->>'iat')::int) as lifetime
               from oidc_payload where model = 'AuthorizationCode' and id = $1`,
          [code],
        );
        const [row] = rows;
        assert.ok(row, 'the code is stored under its value');
        assert.ok(row.lifetime > 0 && row.lifetime <= 60, `code lifetime ${row.lifetime} s`);
        assert.ok(row.left > 0 && row.left <= 60, `code expires in ${row.left} s`);
        // Sixty seconds pass for this row only: the server reads expiry from the database's clock.
        await database.query(
          `update oidc_payload set expires_at = now() - interval '1 second'
              where model = 'AuthorizationCode' and id = $1`,
          [code],
        );
      } finally {
        await database.end();
      }
      const redeemed = await postForm(
        `${deployment.issuer}/token`,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: rp.redirectUri,
          code_verifier: request.verifier,
        },
        { id: rp.id, secret: rp.secret ?? '' },
      );
      assertOAuthError(redeemed, 400, 'invalid_grant');
    });

    it('logs no token, code, password or client secret', () => {
      assertNotLogged(deployment.output(), secrets);
    });
  });
}
