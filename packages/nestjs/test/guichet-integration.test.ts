import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { HttpBrowser, hiddenInput } from '../../server/test/support/http-browser.ts';
import {
  authorizationRequest,
  authorize,
  createUser,
  type OidcDeployment,
  registerClient,
  startEmbedded,
  type TestClient,
  type TestUser,
  walk,
} from '../../server/test/support/oidc-flow.ts';

// The app under test is written with decorator syntax, which Node's type stripping cannot run,
// so `npm run build:test-apps` compiles it with tsc first (npm runs it before `test:unit`).
const compiledApp = new URL('../.build/test-app/main.js', import.meta.url);
if (!existsSync(compiledApp)) {
  throw new Error('The NestJS test app is not built: run `npm run build:test-apps` from the repository root');
}

type AdapterName = 'express' | 'fastify';
interface RunningApp {
  url: string;
  close(): Promise<void>;
}
interface TestAppEntry {
  startApp(adapter: AdapterName, name: 'async-module'): Promise<RunningApp>;
}
const { startApp } = (await import(compiledApp.href)) as TestAppEntry;

interface Business {
  id: string;
  name: string;
}

interface Answer {
  status: number;
  wwwAuthenticate: string | null;
  body: Record<string, unknown>;
}

/** What the test app's event-feed health check reports (test-app/events-health-controller.ts). */
interface EventsHealth {
  connections: number;
  events: Record<string, number>;
}

/** A person signed in through Guichet's pages: the browser holds the session cookie. */
interface SignedIn {
  browser: HttpBrowser;
  accessToken: string;
  idToken: string;
  sid: string;
}

const audience = 'https://orders.nestjs.example.test';
// How soon a sign-out or business switch made in Guichet must reach the app (through SSE events).
const propagationBudgetMs = 1_000;

async function call(app: RunningApp, method: string, path: string, token?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${app.url}${path}`, { method, headers });
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function eventsHealth(app: RunningApp): Promise<EventsHealth> {
  const answer = await call(app, 'GET', '/health/events');
  assert.equal(answer.status, 200);
  return answer.body as unknown as EventsHealth;
}

/**
 * Polls `probe` until `accept` holds; returns the last answer and how long it took. Keeps going
 * past the budget (up to a hard limit) so a slow propagation fails with its real delay.
 */
async function timeUntil(
  probe: () => Promise<Answer>,
  accept: (answer: Answer) => boolean,
): Promise<{ answer: Answer; elapsedMs: number }> {
  const started = performance.now();
  let answer = await probe();
  while (!accept(answer) && performance.now() - started < 5 * propagationBudgetMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    answer = await probe();
  }
  return { answer, elapsedMs: performance.now() - started };
}

describe('@guichet/nestjs against a running Guichet', () => {
  let deployment: OidcDeployment | undefined;
  let issuer: string;
  let shop: TestClient;
  let ada: TestUser;
  let acme: Business;
  let globex: Business;

  before(async () => {
    deployment = await startEmbedded();
    issuer = deployment.issuer;
    const admin = deployment.main.admin;
    [acme, globex] = (await Promise.all(
      ['Acme', 'Globex'].map((name) => admin.request<Business>('POST', '/businesses', { name })),
    )) as [Business, Business];
    ada = await createUser(admin, 'Ada Lovelace');
    await admin.request('POST', `/businesses/${acme.id}/members`, { email: ada.email, roles: ['admin'] });
    await admin.request('POST', `/businesses/${globex.id}/members`, { email: ada.email, roles: ['member'] });
    await admin.request('POST', '/resources', {
      audience,
      format: 'jwt',
      scopes: ['orders:read', 'orders:write'],
    });
    shop = await registerClient(deployment, { firstParty: true, name: 'Shop' });
    const api = await registerClient(deployment, { service: true, name: 'Orders API' });
    assert.ok(api.secret, 'a service client has a secret');

    // What the test app's ConfigService hands to GuichetModule.forRootAsync when it boots.
    process.env.GUICHET_ISSUER = issuer;
    process.env.GUICHET_AUDIENCE = audience;
    process.env.GUICHET_CLIENT_ID = api.id;
    process.env.GUICHET_CLIENT_SECRET = api.secret;
    process.env.GUICHET_EVENTS = 'sse';
  });
  after(async () => {
    // Killed rather than stopped gracefully: once the SDK aborts its event stream, fetch may leave a
    // connection that never sends a request, and a graceful stop waits ~70 s for Node to drop it.
    // Shutdown is not what this suite tests; the data dir is removed all the same.
    for (const instance of deployment?.instances ?? []) await instance.process.stop('SIGKILL');
    await deployment?.stop();
  });

  /** Signs Ada in through the pages, choosing Acme, and gets an access token for the orders API. */
  async function signIn(): Promise<SignedIn> {
    const browser = new HttpBrowser();
    // Only orders:read: the token must lack orders:write for the @Scopes() check.
    const request = await authorizationRequest(shop, { scope: 'openid orders:read', resource: audience });
    const callback = await authorize(browser, shop, request, ada, [], { businessId: acme.id });
    const tokens = await client.authorizationCodeGrant(shop.config, new URL(callback.location ?? ''), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    assert.ok(tokens.id_token, 'an ID token, to end the session with');
    const sid = decodeJwt(tokens.access_token).sid;
    assert.equal(typeof sid, 'string', 'the access token names its session');
    return { browser, accessToken: tokens.access_token, idToken: tokens.id_token, sid: String(sid) };
  }

  /** Signs out through Guichet's pages: the end-session request, then its confirmation form. */
  async function signOut(person: SignedIn): Promise<void> {
    const endSession = client.buildEndSessionUrl(shop.config, { id_token_hint: person.idToken });
    const confirm = await walk(person.browser, await person.browser.request(endSession), 'http://never');
    const xsrf = hiddenInput(confirm.body, 'xsrf');
    assert.ok(xsrf, `the sign-out confirmation page, got ${confirm.status}`);
    const done = await person.browser.request(new URL('/session/end/confirm', issuer), {
      form: { xsrf, logout: 'yes' },
    });
    assert.ok(done.status < 400, `sign-out confirmed, got ${done.status}`);
  }

  for (const adapter of ['express', 'fastify'] as const) {
    describe(`the test app on ${adapter}`, () => {
      let app: RunningApp | undefined;
      let session: SignedIn;
      const running = () => {
        assert.ok(app, 'the app started');
        return app;
      };

      before(async () => {
        app = await startApp(adapter, 'async-module');
        // Events are not replayed to a first connection: wait for the feed before changing anything.
        const deadline = Date.now() + 5_000;
        while ((await eventsHealth(app)).connections === 0) {
          assert.ok(Date.now() < deadline, 'the SDK connected to the event stream of Guichet');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        session = await signIn();
      });
      after(async () => {
        await app?.close();
      });

      it('refuses a request without a token: 401 with a Bearer challenge', async () => {
        const answer = await call(running(), 'GET', '/orders/me');
        assert.equal(answer.status, 401);
        assert.match(answer.wwwAuthenticate ?? '', /^Bearer realm="guichet"/);
        assert.equal(answer.body.error, 'missing_token');
      });

      it('resolves the real token: @CurrentUser() and @CurrentBusiness() show the session', async () => {
        const me = await call(running(), 'GET', '/orders/me', session.accessToken);
        assert.equal(me.status, 200, JSON.stringify(me.body));
        assert.deepEqual(me.body, {
          sub: ada.id,
          sid: session.sid,
          businessId: acme.id,
          roles: ['admin'],
          scopes: ['orders:read'],
        });
        const business = await call(running(), 'GET', '/orders/business', session.accessToken);
        assert.equal(business.status, 200);
        assert.deepEqual(business.body, { id: acme.id, roles: ['admin'] });
      });

      it('refuses a route whose @Scopes() the token lacks: 403 insufficient_scope', async () => {
        const answer = await call(running(), 'POST', '/orders', session.accessToken);
        assert.equal(answer.status, 403);
        assert.equal(answer.body.error, 'insufficient_scope');
        assert.match(answer.wwwAuthenticate ?? '', /error="insufficient_scope"/);
        assert.match(answer.wwwAuthenticate ?? '', /scope="orders:read orders:write"/);
      });

      it('allows @Roles("admin") in the admin business, and refuses it once the session switches', async () => {
        const allowed = await call(running(), 'GET', '/orders/admin', session.accessToken);
        assert.equal(allowed.status, 200);
        assert.deepEqual(allowed.body, { admin: true, roles: ['admin'] });

        const switched = await fetch(`${issuer}/session/business`, {
          method: 'POST',
          headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ business_id: globex.id }),
        });
        assert.equal(switched.status, 200);
        assert.deepEqual(await switched.json(), {
          sid: session.sid,
          business_id: globex.id,
          roles: ['member'],
        });

        // Same token, no new sign-in: the app learns of the switch from Guichet's events.
        const { answer, elapsedMs } = await timeUntil(
          () => call(running(), 'GET', '/orders/admin', session.accessToken),
          (candidate) => candidate.status === 403,
        );
        assert.equal(answer.status, 403, 'the switch reached the app');
        assert.ok(
          elapsedMs < propagationBudgetMs,
          `the switch took ${Math.round(elapsedMs)} ms to reach the app`,
        );
        assert.equal(answer.body.error, 'insufficient_role');
        assert.equal(answer.wwwAuthenticate, null, 'the token is fine: no Bearer challenge');

        const business = await call(running(), 'GET', '/orders/business', session.accessToken);
        assert.deepEqual(business.body, { id: globex.id, roles: ['member'] });
        assert.ok(((await eventsHealth(running())).events['business.switched'] ?? 0) >= 1);
      });

      it('refuses the same token within 1 s once the person signs out', async () => {
        // Cached by the SDK a moment before the sign-out: only the event can make it stale.
        assert.equal((await call(running(), 'GET', '/orders/me', session.accessToken)).status, 200);
        await signOut(session);
        const { answer, elapsedMs } = await timeUntil(
          () => call(running(), 'GET', '/orders/me', session.accessToken),
          (candidate) => candidate.status === 401,
        );
        assert.equal(answer.status, 401, 'the sign-out reached the app');
        assert.ok(
          elapsedMs < propagationBudgetMs,
          `the sign-out took ${Math.round(elapsedMs)} ms to reach the app`,
        );
        assert.equal(answer.body.error, 'session_ended');
        assert.match(answer.wwwAuthenticate ?? '', /^Bearer .*error="invalid_token"/);
        assert.ok(((await eventsHealth(running())).events['session.ended'] ?? 0) >= 1);
      });
    });
  }
});
