import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, ConsoleMessage, Page, Response } from 'playwright-core';
import { adminApiOf, type CreatedClient } from '../support/admin-api.ts';
import { chromiumGate, launchChromium } from '../support/chromium.ts';
import { freshDataDir } from '../support/embedded-data-dir.ts';
import { type GuichetProcess, startGuichet } from '../support/guichet-process.ts';

// At the repository root, git-ignored: a person looks at these after a run.
const screenshotDir = fileURLToPath(new URL('../../../../test-artifacts/screenshots/', import.meta.url));
const desktop = { width: 1280, height: 800 };
const mobile = { width: 390, height: 844 };

const person = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery staple' };
const scope = 'openid profile email';

/** The app's side of the redirect: a real page, so the browser lands somewhere and stops. */
async function startCallbackServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end('callback received');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface RelyingParty {
  config: oidc.Configuration;
  redirectUri: string;
}

async function relyingPartyOf(issuer: string, created: CreatedClient): Promise<RelyingParty> {
  const config = await oidc.discovery(new URL(issuer), created.client_id, created.client_secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const redirectUri = created.redirect_uris[0];
  assert.ok(redirectUri, 'the client has a redirect URI');
  return { config, redirectUri };
}

interface AuthorizationRequest {
  url: URL;
  verifier: string;
  state: string;
}

async function authorizationRequest(rp: RelyingParty): Promise<AuthorizationRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  return { url, verifier, state };
}

/** Checks the redirect the browser landed on and redeems its code, proving the code is valid. */
async function redeemLanding(page: Page, rp: RelyingParty, request: AuthorizationRequest, issuer: string) {
  const landed = new URL(page.url());
  assert.equal(`${landed.origin}${landed.pathname}`, rp.redirectUri);
  assert.ok(landed.searchParams.get('code'), 'the redirect carries a code');
  assert.equal(landed.searchParams.get('iss'), issuer);
  assert.equal(landed.searchParams.get('state'), request.state);
  assert.equal(await page.locator('body').textContent(), 'callback received');
  const tokens = await oidc.authorizationCodeGrant(rp.config, landed, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
  });
  const subject = tokens.claims()?.sub;
  assert.ok(subject, 'the ID token names a subject');
  const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, subject);
  return { tokens, subject, userinfo };
}

function isOnRedirectUri(rp: RelyingParty): (url: URL) => boolean {
  return (url) => `${url.origin}${url.pathname}` === rp.redirectUri;
}

/**
 * Chrome logs every document answered with a 4xx as a console error. A wrong password is answered
 * 401 on purpose (the sign-in page again, with its alert), so that one line is expected.
 */
function isWrongPasswordStatus(message: ConsoleMessage): boolean {
  const { pathname } = new URL(message.location().url || 'about:blank');
  return (
    message.text().startsWith('Failed to load resource: the server responded with a status of 401') &&
    /^\/interaction\/[^/]+\/login$/.test(pathname)
  );
}

/** Console errors, uncaught page errors and CSP violations, from every page of a context. */
async function watchForProblems(context: BrowserContext, problems: string[]): Promise<void> {
  context.on('console', (message) => {
    if (message.type() === 'error' && !isWrongPasswordStatus(message)) {
      problems.push(`console error on ${message.location().url}: ${message.text()}`);
    }
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  // DevTools-injected scripts run despite the pages' script-free CSP; the event catches violations
  // even if Chrome ever stops logging them to the console.
  await context.exposeFunction('reportCspViolation', (violation: string) => {
    problems.push(`CSP violation: ${violation}`);
  });
  await context.addInitScript(
    "addEventListener('securitypolicyviolation', (e) => reportCspViolation(e.violatedDirective + ' blocked ' + e.blockedURI + ' on ' + location.href));",
  );
}

/** The stylesheet arrived and applies: the card is constrained and the primary button is painted. */
async function assertStyled(page: Page): Promise<void> {
  const styles = await page.evaluate<{ sheets: number; cardMaxWidth: string; buttonBackground: string }>(`({
    sheets: document.styleSheets.length,
    cardMaxWidth: getComputedStyle(document.querySelector('.card')).maxWidth,
    buttonBackground: getComputedStyle(document.querySelector('.button-primary') ?? document.body).backgroundColor,
  })`);
  assert.equal(styles.sheets, 1, `one stylesheet on ${page.url()}`);
  assert.notEqual(styles.cardMaxWidth, 'none', `the stylesheet applies on ${page.url()}`);
  assert.notEqual(
    styles.buttonBackground,
    'rgba(0, 0, 0, 0)',
    `the primary button is painted on ${page.url()}`,
  );
}

/** Which element has focus, as `tag#id` or `tag[type]`. */
function focused(page: Page): Promise<string> {
  return page.evaluate<string>(
    `(() => { const e = document.activeElement; return e === null ? '' : e.id ? e.tagName.toLowerCase() + '#' + e.id : e.tagName.toLowerCase() + '[' + (e.getAttribute('type') ?? '') + ']'; })()`,
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), animations: 'disabled' });
}

async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
}

/** HTML pages the issuer answered 200 with while watching: none means the flow never stopped. */
function htmlPagesFrom(page: Page, issuer: string): { seen: string[]; stop(): void } {
  const seen: string[] = [];
  const listener = (response: Response) => {
    const isDocument = response.request().resourceType() === 'document';
    if (isDocument && response.url().startsWith(issuer) && response.status() === 200) {
      seen.push(new URL(response.url()).pathname);
    }
  };
  page.on('response', listener);
  return { seen, stop: () => page.off('response', listener) };
}

describe('sign-in pages in Chromium', { skip: await chromiumGate() }, () => {
  let data: { dir: string; remove: () => Promise<void> };
  let server: GuichetProcess;
  let callback: { origin: string; close(): Promise<void> };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let partner: RelyingParty;
  let shop: RelyingParty;
  let issuer: string;
  // Each test reports (and clears) the problems seen during it.
  const problems: string[] = [];
  const identity: { subject?: string; idToken?: string } = {};

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    data = await freshDataDir();
    [server, callback, browser] = await Promise.all([
      startGuichet({ GUICHET_DATA_DIR: data.dir }),
      startCallbackServer(),
      launchChromium(),
    ]);
    issuer = server.url;
    const admin = await adminApiOf(server.url, data.dir);
    const [partnerClient, shopClient] = await Promise.all([
      admin.request<CreatedClient>('POST', '/clients', {
        name: 'Partner Notes',
        redirectUris: [`${callback.origin}/partner/callback`],
      }),
      admin.request<CreatedClient>('POST', '/clients', {
        name: 'Acme Shop',
        redirectUris: [`${callback.origin}/shop/callback`],
        firstParty: true,
      }),
    ]);
    [partner, shop] = await Promise.all([
      relyingPartyOf(issuer, partnerClient),
      relyingPartyOf(issuer, shopClient),
    ]);
    context = await browser.newContext({ viewport: desktop, locale: 'en-US' });
    // A page that never shows up fails in seconds, not after Playwright's default 30 s.
    context.setDefaultTimeout(10_000);
    await watchForProblems(context, problems);
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await callback?.close();
    await server?.stop();
    await data?.remove();
  });

  it('signs up from a third-party app, consents, and lands on its redirect URI with a valid code', async () => {
    const request = await authorizationRequest(partner);
    await page.goto(request.url.href);
    assert.match(new URL(page.url()).pathname, /^\/interaction\/[^/]+$/);
    assert.equal(await heading(page), 'Sign in');
    assert.equal(await page.locator('.subtitle').textContent(), 'Continue to Partner Notes');
    assert.match(await page.title(), /^Sign in · Guichet$/);
    await assertStyled(page);
    assert.equal(await focused(page), 'input#email', 'the email field has focus on load');
    await screenshot(page, 'sign-in');
    await page.setViewportSize(mobile);
    await screenshot(page, 'sign-in-mobile');
    await page.setViewportSize(desktop);

    // From the top of the page (a click on empty space moves Chrome's sequential focus starting
    // point there), Tab walks email, password, then the submit button.
    await page.mouse.click(4, 4);
    const order: string[] = [];
    for (let step = 0; step < 3; step += 1) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    assert.deepEqual(order, ['input#email', 'input#password', 'button[submit]']);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/interaction\/[^/]+\/signup$/);
    assert.equal(await heading(page), 'Create your account');
    await assertStyled(page);
    assert.equal(await focused(page), 'input#name', 'the name field has focus on load');
    await page.keyboard.type(person.name);
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    assert.equal(await page.getByLabel('Full name', { exact: true }).inputValue(), person.name);
    await screenshot(page, 'sign-up');
    await page.getByLabel('Password', { exact: true }).press('Enter');

    await page
      .getByRole('heading', { level: 1, name: 'Partner Notes wants to access your account' })
      .waitFor();
    await assertStyled(page);
    assert.equal(await page.locator('.account-text').textContent(), `Signed in as ${person.email}`);
    assert.deepEqual(await page.locator('.permissions li').allInnerTexts(), [
      'Confirm who you are',
      'See your name and profile',
      'See your email address',
    ]);
    await screenshot(page, 'consent');
    await page.setViewportSize(mobile);
    await screenshot(page, 'consent-mobile');
    await page.setViewportSize(desktop);

    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.waitForURL(isOnRedirectUri(partner));
    const { tokens, subject, userinfo } = await redeemLanding(page, partner, request, issuer);
    assert.equal(userinfo.email, person.email);
    assert.equal(userinfo.name, person.name);
    identity.subject = subject;
    identity.idToken = tokens.id_token;
    assert.deepEqual(problems.splice(0), [], 'no console error, page error or CSP violation');
  });

  it('signs out through the end-session endpoint after a confirmation', async () => {
    assert.ok(identity.idToken, 'the first test signed in');
    await page.goto(oidc.buildEndSessionUrl(partner.config, { id_token_hint: identity.idToken }).href);
    assert.equal(await heading(page), 'Sign out of all apps?');
    assert.match(
      (await page.locator('.body').textContent()) ?? '',
      /signed out of Partner Notes and every other app/,
    );
    await assertStyled(page);
    await screenshot(page, 'sign-out-confirm');
    await page.getByRole('button', { name: 'Yes, sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/session/end/success');
    assert.equal(await heading(page), 'You’re signed out');
    assert.match(await page.title(), /^Signed out · Guichet$/);
    await assertStyled(page);
    await screenshot(page, 'signed-out');
    assert.deepEqual(problems.splice(0), [], 'no console error, page error or CSP violation');
  });

  it('signs in again: a wrong password shows an alert and keeps the email, the right one gets through', async () => {
    const request = await authorizationRequest(partner);
    await page.goto(request.url.href);
    assert.equal(await heading(page), 'Sign in', 'signing out ended the session');
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByLabel('Password', { exact: true }).press('Enter');

    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'Incorrect email or password.');
    assert.match(await page.title(), /^Error: Sign in · Guichet$/);
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), person.email);
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
    assert.equal(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await focused(page), 'input#password', 'focus is where typing resumes');
    await assertStyled(page);
    await screenshot(page, 'sign-in-error');

    await page.keyboard.type(person.password);
    await page.keyboard.press('Enter');
    // Signing out ended the session, and the grant with it: the app asks again.
    await page
      .getByRole('heading', { level: 1, name: 'Partner Notes wants to access your account' })
      .waitFor();
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.waitForURL(isOnRedirectUri(partner));
    const { subject } = await redeemLanding(page, partner, request, issuer);
    assert.equal(subject, identity.subject, 'the same person signed in again');
    assert.deepEqual(problems.splice(0), [], 'no console error, page error or CSP violation');
  });

  it('remembers the grant within the session: the same scopes go straight back to the app', async () => {
    const pages = htmlPagesFrom(page, issuer);
    const request = await authorizationRequest(partner);
    await page.goto(request.url.href);
    await page.waitForURL(isOnRedirectUri(partner));
    assert.deepEqual(pages.seen, [], 'no sign-in or consent page was shown');
    await redeemLanding(page, partner, request, issuer);
    pages.stop();
    assert.deepEqual(problems.splice(0), [], 'no console error, page error or CSP violation');
  });

  it('lets a first-party app through on the existing session without any page', async () => {
    const pages = htmlPagesFrom(page, issuer);
    const request = await authorizationRequest(shop);
    await page.goto(request.url.href);
    await page.waitForURL(isOnRedirectUri(shop));
    assert.deepEqual(pages.seen, [], 'no sign-in or consent page was shown');
    const { subject, userinfo } = await redeemLanding(page, shop, request, issuer);
    assert.equal(subject, identity.subject, 'single sign-on: the same person');
    assert.equal(userinfo.email, person.email);
    pages.stop();
    assert.deepEqual(problems.splice(0), [], 'no console error, page error or CSP violation');
  });

  it('shows the sign-in page in French to a French browser', async () => {
    const french = await browser.newContext({ viewport: desktop, locale: 'fr-FR' });
    french.setDefaultTimeout(10_000);
    try {
      await watchForProblems(french, problems);
      const frenchPage = await french.newPage();
      const request = await authorizationRequest(partner);
      const first = await frenchPage.goto(request.url.href);
      assert.match((await first?.request().allHeaders())?.['accept-language'] ?? '', /^fr/);
      assert.equal(await frenchPage.locator('html').getAttribute('lang'), 'fr');
      assert.equal(await heading(frenchPage), 'Connexion');
      assert.match(await frenchPage.title(), /^Connexion · Guichet$/);
      assert.equal(await frenchPage.locator('.subtitle').textContent(), 'Continuer vers Partner Notes');
      assert.equal(await frenchPage.getByLabel('Adresse e-mail', { exact: true }).count(), 1);
      assert.equal(await frenchPage.getByLabel('Mot de passe', { exact: true }).count(), 1);
      assert.equal(await frenchPage.getByRole('button', { name: 'Se connecter' }).count(), 1);
      assert.equal(await frenchPage.getByRole('link', { name: 'Créer un compte' }).count(), 1);
      await assertStyled(frenchPage);
      await screenshot(frenchPage, 'sign-in-fr');
    } finally {
      await french.close();
    }
    assert.deepEqual(problems.splice(0), [], 'no console error, page error or CSP violation');
  });
});
