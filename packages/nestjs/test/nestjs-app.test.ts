import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startFakeIssuer } from './support/fake-issuer.ts';

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
  startApp(adapter: AdapterName, name: 'async-module' | 'guarded-routes'): Promise<RunningApp>;
}

const issuer = await startFakeIssuer({
  clientId: 'shop-api',
  clientSecret: 'shop-api-secret',
  tokens: {
    'alice-token': {
      sub: 'alice',
      sid: 'sid-alice',
      business_id: 'biz-north',
      roles: ['member'],
      scope: 'openid orders:read',
    },
    'bob-token': {
      sub: 'bob',
      sid: 'sid-bob',
      business_id: 'biz-south',
      roles: ['owner'],
      scope: 'openid orders:read orders:write',
    },
    'carol-token': { sub: 'carol', sid: 'sid-carol', business_id: null, roles: [], scope: 'orders:read' },
    'revoked-token': 'inactive',
    'outage-token': 'unreachable',
  },
});
after(() => issuer.close());

// What the app's ConfigService (forRootAsync) and its inline forRoot options read.
process.env.GUICHET_ISSUER = issuer.url;
process.env.GUICHET_AUDIENCE = 'https://shop.example/api';
process.env.GUICHET_CLIENT_ID = 'shop-api';
process.env.GUICHET_CLIENT_SECRET = 'shop-api-secret';
const { startApp } = (await import(compiledApp.href)) as TestAppEntry;

interface Answer {
  status: number;
  wwwAuthenticate: string | null;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(app: RunningApp, method: string, path: string, token?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${app.url}${path}`, { method, headers });
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

for (const adapter of ['express', 'fastify'] as const) {
  describe(`forRootAsync app with the global guard on ${adapter}`, () => {
    let app: RunningApp;
    before(async () => {
      app = await startApp(adapter, 'async-module');
    });
    after(() => app.close());

    it('lets a @Public() route through without a token', async () => {
      const answer = await call(app, 'GET', '/health');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { ok: true, authenticated: false });
    });

    it('refuses a protected route without a token: 401 and a Bearer challenge', async () => {
      const answer = await call(app, 'GET', '/orders/me');
      assert.equal(answer.status, 401);
      assert.match(answer.wwwAuthenticate ?? '', /^Bearer realm="guichet"/);
      assert.equal(answer.body.error, 'missing_token');
      assert.equal(typeof answer.body.error_description, 'string');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
    });

    it('refuses a token Guichet says is inactive: 401 invalid_token', async () => {
      const answer = await call(app, 'GET', '/orders/me', 'revoked-token');
      assert.equal(answer.status, 401);
      assert.match(answer.wwwAuthenticate ?? '', /^Bearer .*error="invalid_token"/);
      assert.equal(answer.body.error, 'invalid_token');
    });

    it('refuses a non-Bearer Authorization header with 401', async () => {
      const response = await fetch(`${app.url}/orders/me`, {
        headers: { authorization: 'Basic YWxpY2U6cHc=' },
      });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
      await response.body?.cancel();
    });

    it('injects the caller with @CurrentUser()', async () => {
      const answer = await call(app, 'GET', '/orders/me', 'alice-token');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        sub: 'alice',
        sid: 'sid-alice',
        businessId: 'biz-north',
        roles: ['member'],
        scopes: ['openid', 'orders:read'],
      });
      const field = await call(app, 'GET', '/orders/subject', 'alice-token');
      assert.deepEqual(field.body, { sub: 'alice' });
    });

    it('injects the active business with @CurrentBusiness()', async () => {
      const alice = await call(app, 'GET', '/orders/business', 'alice-token');
      assert.equal(alice.status, 200);
      assert.deepEqual(alice.body, { id: 'biz-north', roles: ['member'] });
      const bob = await call(app, 'GET', '/orders/business', 'bob-token');
      assert.deepEqual(bob.body, { id: 'biz-south', roles: ['owner'] });
    });

    it('refuses @CurrentBusiness() without an active business, unless optional', async () => {
      const refused = await call(app, 'GET', '/orders/business', 'carol-token');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'no_active_business');
      const optional = await call(app, 'GET', '/orders/maybe-business', 'carol-token');
      assert.equal(optional.status, 200);
      assert.deepEqual(optional.body, { business: null });
    });

    it('answers 403 insufficient_scope when the token lacks a @Scopes() scope', async () => {
      const answer = await call(app, 'POST', '/orders', 'alice-token');
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error, 'insufficient_scope');
      assert.match(answer.wwwAuthenticate ?? '', /^Bearer .*error="insufficient_scope"/);
      // Controller and handler scopes add up.
      assert.match(answer.wwwAuthenticate ?? '', /scope="orders:read orders:write"/);
      const allowed = await call(app, 'POST', '/orders', 'bob-token');
      assert.equal(allowed.status, 201);
      assert.deepEqual(allowed.body, { created: true, businessId: 'biz-south' });
    });

    it('answers 403 when the person has none of the @Roles() roles', async () => {
      const refused = await call(app, 'GET', '/orders/admin', 'alice-token');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'insufficient_role');
      assert.equal(refused.wwwAuthenticate, null, 'the token itself is fine: no Bearer challenge');
      const noBusiness = await call(app, 'GET', '/orders/admin', 'carol-token');
      assert.equal(noBusiness.status, 403);
      const allowed = await call(app, 'GET', '/orders/admin', 'bob-token');
      assert.equal(allowed.status, 200);
      assert.deepEqual(allowed.body, { admin: true, roles: ['owner'] });
    });

    it('answers 503 when Guichet cannot be reached', async () => {
      const before = issuer.contextRequests;
      const answer = await call(app, 'GET', '/orders/me', 'outage-token');
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error, 'unavailable');
      assert.equal(answer.headers.get('retry-after'), '5');
      assert.ok(issuer.contextRequests > before, 'the SDK did try the context endpoint');
    });

    it('keeps a @Public() route anonymous even with a token', async () => {
      const answer = await call(app, 'GET', '/health', 'alice-token');
      assert.deepEqual(answer.body, { ok: true, authenticated: false });
    });
  });

  describe(`forRoot app with @UseGuards(GuichetGuard) on ${adapter}`, () => {
    let app: RunningApp;
    before(async () => {
      app = await startApp(adapter, 'guarded-routes');
    });
    after(() => app.close());

    it('leaves routes without the guard open (globalGuard: false)', async () => {
      const answer = await call(app, 'GET', '/open');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { open: true });
    });

    it('protects the routes of a guarded controller', async () => {
      const refused = await call(app, 'GET', '/reports');
      assert.equal(refused.status, 401);
      assert.match(refused.wwwAuthenticate ?? '', /^Bearer realm="guichet"/);
      const allowed = await call(app, 'GET', '/reports', 'alice-token');
      assert.equal(allowed.status, 200);
      assert.deepEqual(allowed.body, { sub: 'alice' });
    });

    it('enforces @Roles() under @UseGuards', async () => {
      assert.equal((await call(app, 'GET', '/reports/owners', 'alice-token')).status, 403);
      const owner = await call(app, 'GET', '/reports/owners', 'bob-token');
      assert.equal(owner.status, 200);
      assert.deepEqual(owner.body, { businessId: 'biz-south' });
    });
  });
}
