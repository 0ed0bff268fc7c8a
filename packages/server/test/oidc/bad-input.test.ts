import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { type BrowserResponse, HttpBrowser } from '../support/http-browser.ts';
import {
  type AuthorizationRequest,
  assertNotLogged,
  assertOAuthError,
  authorizationRequest,
  authorize,
  codeFlow,
  createUser,
  formUrl,
  isActive,
  type OidcDeployment,
  postForm,
  registerClient,
  signInForm,
  startEmbedded,
  type TestClient,
  type TestUser,
} from '../support/oidc-flow.ts';

/** What a browser sends when it follows a link: it wants a page, not JSON. */
const htmlAccept = { accept: 'text/html,application/xhtml+xml' };

function assertErrorPage(response: BrowserResponse, status: number): void {
  assert.equal(response.status, status, response.body.slice(0, 300));
  assert.equal(response.location, undefined, 'no redirect anywhere');
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(response.body, /<!doctype html>/i);
}

/** The authorization error redirect (RFC 6749 section 4.1.2.1): to the registered URI, with state and iss. */
function assertErrorRedirect(
  response: BrowserResponse,
  rp: TestClient,
  request: AuthorizationRequest,
  error: string,
  issuer: string,
): void {
  assert.equal(response.status, 303);
  const target = new URL(response.location ?? '');
  assert.equal(`${target.origin}${target.pathname}`, rp.redirectUri);
  assert.equal(target.searchParams.get('error'), error);
  assert.ok(target.searchParams.get('error_description'));
  assert.equal(target.searchParams.get('state'), request.state);
  assert.equal(target.searchParams.get('iss'), issuer);
  assert.equal(target.searchParams.get('code'), null);
  assert.equal(target.hash, '');
}

describe('bad input to the OpenID Connect endpoints', () => {
  let deployment: OidcDeployment;
  let user: TestUser;
  let rp: TestClient;
  /** Signed in once: authorization requests then come straight back with a code. */
  let browser: HttpBrowser;
  const secrets: Array<string | undefined> = [];

  before(async () => {
    deployment = await startEmbedded();
    user = await createUser(deployment.main.admin);
    rp = await registerClient(deployment, {
      firstParty: true,
      postLogoutRedirectUris: ['http://127.0.0.1:9/bye'],
    });
    secrets.push(user.password, rp.secret);
    browser = new HttpBrowser();
    const { tokens } = await codeFlow(browser, rp, user);
    secrets.push(tokens.access_token, tokens.id_token);
  });
  after(async () => {
    await deployment?.stop();
  });

  /** A fresh code for `rp` (the browser is signed in), not yet redeemed. */
  async function freshCode(): Promise<{ code: string; request: AuthorizationRequest }> {
    const request = await authorizationRequest(rp);
    const code = new URL((await authorize(browser, rp, request)).location ?? '').searchParams.get('code');
    assert.ok(code);
    secrets.push(code);
    return { code, request };
  }

  function redeem(
    code: string,
    verifier: string,
    options: { id?: string; secret?: string; redirectUri?: string } = {},
  ) {
    return postForm(
      `${deployment.issuer}/token`,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: options.redirectUri ?? rp.redirectUri,
        code_verifier: verifier,
      },
      { id: options.id ?? rp.id, secret: options.secret ?? rp.secret ?? '' },
    );
  }

  function keepSecrets(response: { body: Record<string, unknown> }): void {
    secrets.push(
      response.body.access_token as string | undefined,
      response.body.id_token as string | undefined,
    );
  }

  async function _authorizationQuery(parameters: Record<string, string>): Promise<BrowserResponse> {
    return browser.request(`${deployment.issuer}/auth?${new URLSearchParams(parameters)}`, {
      headers: htmlAccept,
    });
  }

  it('shows an error page, never a redirect, for an unknown client or an unregistered redirect URI', async () => {
    const request = await authorizationRequest(rp);
    const unknown = new URL(request.url);
    unknown.searchParams.set('client_id', 'no-such-client');
    assertErrorPage(await browser.request(unknown, { headers: htmlAccept }), 400);

    for (const redirectUri of [
      'https://attacker.example/cb',
      `${rp.redirectUri}/extra`,
      `${rp.redirectUri}?next=https://attacker.example`,
    ]) {
      const mismatch = new URL(request.url);
      mismatch.searchParams.set('redirect_uri', redirectUri);
      const page = await browser.request(mismatch, { headers: htmlAccept });
      assertErrorPage(page, 400);
      assert.doesNotMatch(page.body, /attacker\.example\/cb"/, 'no link to the bad URI');
    }
    // Nothing changed: the same request with the registered URI still works.
    assert.ok(new URL((await authorize(browser, rp, request)).location ?? '').searchParams.get('code'));
  });

  it('sends the app invalid_request for a missing PKCE challenge or the plain method', async () => {
    const request = await authorizationRequest(rp);
    const withoutChallenge = new URL(request.url);
    withoutChallenge.searchParams.delete('code_challenge');
    withoutChallenge.searchParams.delete('code_challenge_method');
    assertErrorRedirect(
      await browser.request(withoutChallenge),
      rp,
      request,
      'invalid_request',
      deployment.issuer,
    );

    const plain = new URL(request.url);
    plain.searchParams.set('code_challenge_method', 'plain');
    plain.searchParams.set('code_challenge', request.verifier);
    assertErrorRedirect(await browser.request(plain), rp, request, 'invalid_request', deployment.issuer);
  });

  it('refuses response_type=token (no implicit flow) and leaks no token', async () => {
    const request = await authorizationRequest(rp);
    const implicit = new URL(request.url);
    implicit.searchParams.set('response_type', 'token');
    const response = await browser.request(implicit);
    assert.equal(response.status, 303);
    assert.doesNotMatch(response.location ?? '', /access_token|code=/);
    const target = new URL(response.location ?? '');
    assert.equal(`${target.origin}${target.pathname}`, rp.redirectUri);
    // A token response type defaults to the fragment response mode, so the error travels there.
    assert.equal(new URLSearchParams(target.hash.slice(1)).get('error'), 'unsupported_response_type');
  });

  it('answers invalid_client (401) for an unknown client or a wrong secret, and the code still works', async () => {
    const { code, request } = await freshCode();
    assertOAuthError(await redeem(code, request.verifier, { id: 'no-such-client' }), 401, 'invalid_client');
    const wrongSecret = await redeem(code, request.verifier, { secret: 'not-the-secret' });
    assertOAuthError(wrongSecret, 401, 'invalid_client');
    assert.ok(wrongSecret.headers.get('www-authenticate'), 'a 401 names the scheme to use');
    const redeemed = await redeem(code, request.verifier);
    keepSecrets(redeemed);
    assert.equal(redeemed.status, 200, redeemed.text);
  });

  it('refuses a code redeemed by another client', async () => {
    const other = await registerClient(deployment, { firstParty: true, redirectUris: [rp.redirectUri] });
    secrets.push(other.secret);
    const { code, request } = await freshCode();
    const stolen = await redeem(code, request.verifier, { id: other.id, secret: other.secret ?? '' });
    assertOAuthError(stolen, 400, 'invalid_grant');
    const own = await redeem(code, request.verifier);
    keepSecrets(own);
    assert.equal(own.status, 200, `the code still works for its own client: ${own.text}`);
  });

  it('refuses a wrong PKCE verifier without spending the code', async () => {
    const { code, request } = await freshCode();
    const wrong = await redeem(code, client.randomPKCECodeVerifier());
    assertOAuthError(wrong, 400, 'invalid_grant');
    // oidc-provider checks the verifier before it consumes the code, so a wrong guess spends nothing:
    // the holder of the right verifier still gets the tokens. (An attacker without the verifier gains nothing.)
    const right = await redeem(code, request.verifier);
    keepSecrets(right);
    assert.equal(right.status, 200, right.text);
  });

  it('refuses a redirect_uri at the token endpoint that differs from the authorization request', async () => {
    const { code, request } = await freshCode();
    const other = await redeem(code, request.verifier, { redirectUri: `${rp.redirectUri}/other` });
    assertOAuthError(other, 400, 'invalid_grant');
    const right = await redeem(code, request.verifier);
    keepSecrets(right);
    assert.equal(right.status, 200, right.text);
  });

  it('refuses a reused code and revokes the tokens issued for it', async () => {
    const { code, request } = await freshCode();
    const firstUse = await redeem(code, request.verifier);
    keepSecrets(firstUse);
    assert.equal(firstUse.status, 200, firstUse.text);
    const accessToken = String(firstUse.body.access_token);
    assert.equal(await isActive(rp, accessToken), true);

    assertOAuthError(await redeem(code, request.verifier), 400, 'invalid_grant');
    assert.equal(await isActive(rp, accessToken), false, 'the first tokens die with the grant');
  });

  it('refuses a malformed id_token_hint or an unregistered post-logout URI without crashing', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none' })}.${b64({
      iss: deployment.issuer,
      aud: rp.id,
      sub: user.id,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    })}.`;
    const hints: Array<[string, string]> = [
      ['not-a-jwt', 'invalid_request'],
      ['a.b.c', 'invalid_request'],
      ['x'.repeat(4000), 'invalid_request'],
      // An unsigned token naming no client: oidc-provider says it cannot tell which client it is for.
      [`${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`, 'invalid_client'],
      // An unsigned token naming this client must not pass for one it signed.
      [unsigned, 'invalid_request'],
    ];
    for (const [hint, error] of hints) {
      const url = `${deployment.issuer}/session/end?${new URLSearchParams({ id_token_hint: hint })}`;
      assertErrorPage(await browser.request(url, { headers: htmlAccept }), 400);
      // An API client asking for JSON gets the OAuth error format instead of the page.
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      const text = await response.text();
      assertOAuthError(
        { status: response.status, headers: response.headers, body: JSON.parse(text), text },
        400,
        error,
      );
    }
    const { tokens } = await codeFlow(browser, rp);
    secrets.push(tokens.access_token, tokens.id_token);
    const unregistered = client.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'https://attacker.example/bye',
    });
    assertErrorPage(await browser.request(unregistered, { headers: htmlAccept }), 400);
    assert.equal((await fetch(`${deployment.issuer}/healthz`)).status, 200);
  });

  it('answers oversized requests with a clean 4xx and keeps serving', async () => {
    // A 100 KB state does not fit in Node's 16 KB header limit: refused before any code runs.
    const request = await authorizationRequest(rp, { state: 'x'.repeat(100_000) });
    const huge = await fetch(request.url, { redirect: 'manual' });
    assert.equal(huge.status, 431);
    await huge.text();

    const bigToken = await postForm(`${deployment.issuer}/token`, {
      grant_type: 'authorization_code',
      code: 'x'.repeat(2_000_000),
      code_verifier: 'y'.repeat(43),
    });
    assertOAuthError(bigToken, 400, 'invalid_request');

    const bigIntrospection = await postForm(
      `${deployment.issuer}/token/introspection`,
      { token: 'x'.repeat(2_000_000) },
      { id: rp.id, secret: rp.secret ?? '' },
    );
    assertOAuthError(bigIntrospection, 400, 'invalid_request');

    // The sign-in form has a small body limit of its own.
    const signIn = new HttpBrowser();
    const page = await signIn.open((await authorizationRequest(rp)).url, rp.redirectUri);
    const bigForm = await signIn.request(formUrl(page, '/login'), {
      form: { ...signInForm(page, user), password: 'p'.repeat(2_000_000) },
    });
    assert.equal(bigForm.status, 413);

    // Still healthy, and a whole flow still works.
    assert.equal((await fetch(`${deployment.issuer}/healthz`)).status, 200);
    const { tokens } = await codeFlow(new HttpBrowser(), rp, user);
    secrets.push(tokens.access_token, tokens.id_token);
  });

  it('refuses a sign-in post without the right CSRF token (403), then signs in with it', async () => {
    const fresh = new HttpBrowser();
    const request = await authorizationRequest(rp);
    const page = await fresh.open(request.url, rp.redirectUri);
    const form = signInForm(page, user);
    const action = formUrl(page, '/login');
    for (const csrf of [undefined, '', 'forged', form.csrf.slice(0, -1)]) {
      const attempt = { email: form.email, password: form.password, ...(csrf === undefined ? {} : { csrf }) };
      const refused = await fresh.request(action, { form: attempt });
      assert.equal(refused.status, 403, `csrf ${String(csrf)}`);
      assert.equal(refused.location, undefined);
      assert.ok(formUrl(refused, '/login'), 'the sign-in form again');
      assert.equal(
        refused.headers.getSetCookie().some((line) => line.startsWith('_session=')),
        false,
      );
    }
    const signedIn = await fresh.request(action, { form });
    assert.equal(signedIn.status, 303);
    const back = await fresh.follow(signedIn, rp.redirectUri);
    const callback = new URL(back.location ?? '');
    const tokens = await client.authorizationCodeGrant(rp.config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    secrets.push(tokens.access_token, tokens.id_token);
  });

  it('logs no token, code, password or secret', () => {
    assertNotLogged(deployment.output(), secrets);
  });
});
