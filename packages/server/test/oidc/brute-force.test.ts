import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { type BrowserResponse, HttpBrowser } from '../support/http-browser.ts';
import {
  assertNotLogged,
  authorizationRequest,
  codeFlow,
  createUser,
  formUrl,
  isRedirectTo,
  type OidcDeployment,
  registerClient,
  signInForm,
  startEmbedded,
  type TestClient,
} from '../support/oidc-flow.ts';

/** The per-account limit of src/accounts/sign-in-throttle.ts. */
const failuresPerAccount = 5;
const shortWindowSeconds = 3;

/** One person at the sign-in page of one authorization request, typing passwords. */
async function signInPage(deployment: OidcDeployment, rp: TestClient) {
  const browser = new HttpBrowser();
  const request = await authorizationRequest(rp);
  const page = await browser.open(request.url, rp.redirectUri);
  const action = formUrl(page, '/login');
  return {
    browser,
    request,
    attempt: (email: string, password: string): Promise<BrowserResponse> =>
      browser.request(action, { form: { ...signInForm(page, { email, password }) } }),
    /** Whether this browser holds a session: prompt=none answers login_required without one. */
    async signedIn(): Promise<boolean> {
      const silent = await authorizationRequest(rp, { prompt: 'none' });
      const response = await browser.request(silent.url);
      return new URL(response.location ?? deployment.issuer).searchParams.get('code') !== null;
    },
  };
}

function assertRefusedPage(response: BrowserResponse, status: number): void {
  assert.equal(response.status, status, response.body.slice(0, 200));
  assert.equal(response.location, undefined);
  assert.ok(formUrl(response, '/login'), 'the sign-in form again');
  assert.equal(
    response.headers.getSetCookie().some((line) => line.startsWith('_session=')),
    false,
    'no session',
  );
}

describe('sign-in throttling through the real pages', () => {
  let short: OidcDeployment;
  let standard: OidcDeployment;
  const secrets: Array<string | undefined> = [];

  before(async () => {
    [short, standard] = await Promise.all([
      startEmbedded({ GUICHET_SIGNIN_WINDOW_SECONDS: String(shortWindowSeconds) }),
      startEmbedded(),
    ]);
  });
  after(async () => {
    await Promise.all([short?.stop(), standard?.stop()]);
  });

  it(`locks an account after ${failuresPerAccount} failures, even for the right password, until the window ends`, async () => {
    const [user, bystander, rp] = await Promise.all([
      createUser(short.main.admin),
      createUser(short.main.admin, 'Grace Hopper'),
      registerClient(short, { firstParty: true }),
    ]);
    secrets.push(user.password, bystander.password, rp.secret);
    const person = await signInPage(short, rp);
    for (let failure = 1; failure <= failuresPerAccount; failure += 1) {
      assertRefusedPage(await person.attempt(user.email, `wrong-${failure}`), 401);
    }

    const locked = await person.attempt(user.email, user.password);
    assertRefusedPage(locked, 429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= shortWindowSeconds,
      `Retry-After ${retryAfter}`,
    );
    assert.equal(await person.signedIn(), false, 'the right password did not sign in while locked');

    // The lock is the account's: someone else signs in from the same address meanwhile.
    const other = await codeFlow(new HttpBrowser(), rp, bystander);
    secrets.push(other.tokens.access_token, other.tokens.id_token);

    await sleep((retryAfter + 0.5) * 1000);
    const afterWindow = await person.attempt(user.email, user.password);
    assert.equal(afterWindow.status, 303, afterWindow.body.slice(0, 200));
    const back = await person.browser.follow(afterWindow, rp.redirectUri);
    assert.ok(isRedirectTo(back, rp.redirectUri));
    const tokens = await client.authorizationCodeGrant(rp.config, new URL(back.location ?? ''), {
      pkceCodeVerifier: person.request.verifier,
      expectedState: person.request.state,
      expectedNonce: person.request.nonce,
    });
    secrets.push(tokens.access_token, tokens.id_token);
    assert.equal(tokens.claims()?.sub, user.id);
  });

  it('answers an unknown address exactly like a wrong password', async () => {
    const rp = await registerClient(short, { firstParty: true });
    secrets.push(rp.secret);
    const person = await signInPage(short, rp);
    const unknown = await person.attempt('nobody-here@example.test', 'whatever-password');
    assertRefusedPage(unknown, 401);
    const user = await createUser(short.main.admin);
    secrets.push(user.password);
    const wrong = await person.attempt(user.email, 'whatever-password');
    assertRefusedPage(wrong, 401);
    const messageOf = (page: BrowserResponse) =>
      /<div class="alert"[^>]*>[\s\S]*?<\/div>/.exec(page.body)?.[0];
    assert.ok(messageOf(unknown));
    assert.equal(messageOf(unknown), messageOf(wrong));
  });

  it('keeps the default window at 15 minutes', async () => {
    const [user, rp] = await Promise.all([
      createUser(standard.main.admin),
      registerClient(standard, { firstParty: true }),
    ]);
    secrets.push(user.password, rp.secret);
    const person = await signInPage(standard, rp);
    for (let failure = 1; failure <= failuresPerAccount; failure += 1) {
      assertRefusedPage(await person.attempt(user.email, `wrong-${failure}`), 401);
    }
    const locked = await person.attempt(user.email, user.password);
    assertRefusedPage(locked, 429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter > 15 * 60 - 30 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    assert.equal(await person.signedIn(), false);
  });

  it('refuses to start with a window that is not a whole number of seconds', async () => {
    await assert.rejects(
      startEmbedded({ GUICHET_SIGNIN_WINDOW_SECONDS: '15m' }),
      /exited with[\s\S]*GUICHET_SIGNIN_WINDOW_SECONDS/,
    );
  });

  it('logs no password or token', () => {
    assertNotLogged(`${short.output()}\n${standard.output()}`, secrets);
  });
});
