import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ExpressLikeRequest, guichetExpress } from '../src/express.ts';
import { guichetFastify } from '../src/fastify.ts';
import type { Guichet } from '../src/guichet.ts';
import { type FakeIssuer, startFakeIssuer } from './support/fake-issuer.ts';
import { bearer, guichetFor } from './support/guichet-for.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

describe('framework glue', () => {
  let fake: FakeIssuer;
  let guichet: Guichet;

  before(async () => {
    fake = await startFakeIssuer();
    guichet = guichetFor(fake);
  });
  after(async () => {
    await guichet.close();
    await fake.close();
  });

  describe('guichetExpress (on a plain node:http server, as Express runs it)', () => {
    let server: http.Server;
    let base: string;

    before(async () => {
      const protect = guichetExpress(guichet);
      const protectOrders = guichetExpress(guichet, { scopes: ['orders:write'] });
      server = http.createServer((req: http.IncomingMessage & ExpressLikeRequest, res) => {
        const middleware = req.url === '/orders' ? protectOrders : protect;
        middleware(req, res, (error?: unknown) => {
          if (error !== undefined) {
            res.statusCode = 500;
            res.end();
            return;
          }
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ sub: req.guichet?.sub, businessId: req.guichet?.businessId }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    async function call(path: string, authorization?: string): Promise<Answer> {
      const response = await fetch(`${base}${path}`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: (await response.json()) as Record<string, unknown>,
      };
    }

    it('lets an authenticated request through with req.guichet set', async () => {
      const answer = await call('/me', bearer(await fake.sign()));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { sub: 'person-1', businessId: 'business-a' });
    });

    it('answers 401 with a bare Bearer challenge when there is no token', async () => {
      const answer = await call('/me');
      assert.equal(answer.status, 401);
      assert.equal(answer.headers['www-authenticate'], 'Bearer realm="guichet"');
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.equal(answer.body.error, 'missing_token');
    });

    it('answers 401 error="invalid_token" for a bad token', async () => {
      const answer = await call('/me', bearer(await fake.sign({ aud: 'https://elsewhere.example' })));
      assert.equal(answer.status, 401);
      assert.equal(
        answer.headers['www-authenticate'],
        'Bearer realm="guichet", error="invalid_token", error_description="the access token is not meant for this resource server"',
      );
      assert.deepEqual(answer.body, {
        error: 'invalid_token',
        error_description: 'the access token is not meant for this resource server',
      });
    });

    it('answers 403 insufficient_scope when a required scope is missing', async () => {
      const answer = await call('/orders', bearer(await fake.sign()));
      assert.equal(answer.status, 403);
      assert.match(
        String(answer.headers['www-authenticate']),
        /error="insufficient_scope".*scope="orders:write"/,
      );
    });

    it('answers 503 with Retry-After when Guichet is unreachable and nothing is cached', async () => {
      guichet.on('error', () => undefined);
      fake.outage = 503;
      try {
        const answer = await call('/me', bearer(await fake.sign({ sid: 'sid-not-cached' })));
        assert.equal(answer.status, 503);
        assert.equal(answer.headers['retry-after'], '5');
        assert.equal(answer.headers['www-authenticate'], undefined);
        assert.equal(answer.body.error, 'unavailable');
      } finally {
        fake.outage = undefined;
      }
    });
  });

  describe('guichetFastify', () => {
    let app: FastifyInstance;

    before(async () => {
      app = Fastify();
      app.get('/public', async () => ({ open: true }));
      await app.register(async (api) => {
        await api.register(guichetFastify, { guichet });
        api.get('/me', async (request) => ({ sub: request.guichet.sub, roles: request.guichet.roles }));
      });
      await app.register(async (orders) => {
        await orders.register(guichetFastify, { guichet, scopes: ['orders:write'] });
        orders.get('/orders', async () => ({ ok: true }));
      });
      await app.ready();
    });
    after(async () => {
      await app.close();
    });

    it('sets request.guichet on routes of its scope and leaves other routes alone', async () => {
      const me = await app.inject({ url: '/me', headers: { authorization: bearer(await fake.sign()) } });
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json(), { sub: 'person-1', roles: ['admin'] });
      const open = await app.inject({ url: '/public' });
      assert.equal(open.statusCode, 200);
    });

    it('answers 401 with WWW-Authenticate for a missing or invalid token', async () => {
      const missing = await app.inject({ url: '/me' });
      assert.equal(missing.statusCode, 401);
      assert.equal(missing.headers['www-authenticate'], 'Bearer realm="guichet"');
      const now = Math.floor(Date.now() / 1000);
      const expired = await app.inject({
        url: '/me',
        headers: { authorization: bearer(await fake.sign({ iat: now - 900, exp: now - 300 })) },
      });
      assert.equal(expired.statusCode, 401);
      assert.equal(
        expired.headers['www-authenticate'],
        'Bearer realm="guichet", error="invalid_token", error_description="the access token expired"',
      );
      assert.deepEqual(expired.json(), {
        error: 'expired_token',
        error_description: 'the access token expired',
      });
    });

    it('answers 403 for a missing scope', async () => {
      const answer = await app.inject({
        url: '/orders',
        headers: { authorization: bearer(await fake.sign()) },
      });
      assert.equal(answer.statusCode, 403);
      assert.match(String(answer.headers['www-authenticate']), /error="insufficient_scope"/);
    });

    it('protects routes declared next to it when registered at the root', async () => {
      const root = Fastify();
      await root.register(guichetFastify, { guichet });
      root.get('/me', async (request) => ({ sub: request.guichet.sub }));
      try {
        assert.equal((await root.inject({ url: '/me' })).statusCode, 401);
        const ok = await root.inject({ url: '/me', headers: { authorization: bearer(await fake.sign()) } });
        assert.deepEqual(ok.json(), { sub: 'person-1' });
      } finally {
        await root.close();
      }
    });
  });
});
