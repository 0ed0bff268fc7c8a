import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { resourceServerForToken } from '../../src/resources/resource-server-store.ts';
import { resourcesAdminRoutes } from '../../src/resources/resources-admin-routes.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest } from '../support/admin-app.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { problemOf } from '../support/problem-response.ts';
import { resourceKeyPair } from './resource-keys.ts';

after(removeFreshPgliteDirs);

const keys = await resourceKeyPair();

interface ResourceJson {
  audience: string;
  name: string | null;
  format: string;
  scopes: string[];
  access_token_ttl: number;
  encryption_key?: Record<string, unknown>;
  encryption_alg?: string;
  encryption_enc?: string;
  created_at: string;
  updated_at: string;
}

function pathOf(audience: string): string {
  return `/admin/v1/resources/${encodeURIComponent(audience)}`;
}

for (const driver of sqlDrivers) {
  describe(`resources admin routes on ${driver.name}`, { skip: driver.skip }, () => {
    let under: AdminAppUnderTest;
    let context: ServerContext;
    let app: FastifyInstance;

    before(async () => {
      // Above the routes' own limits, so that those are what a large body meets.
      under = await adminAppUnderTest(driver, resourcesAdminRoutes, { bodyLimit: 1024 * 1024 });
      ({ context, app } = under);
    });

    after(() => under?.close());

    async function create(body: unknown): Promise<LightMyRequestResponse> {
      return app.inject({ method: 'POST', url: '/admin/v1/resources', payload: body as object });
    }

    it('creates, shows, lists and deletes a jwe resource server', async () => {
      const audience = 'https://api.example.com/v1';
      const response = await create({
        audience,
        format: 'jwe',
        name: 'Orders',
        scopes: ['orders:read'],
        accessTokenTtl: 900,
        encryptionKey: keys.publicJwk,
      });
      assert.equal(response.statusCode, 201, response.body);
      const created = response.json<ResourceJson>();
      assert.equal(created.audience, audience);
      assert.equal(created.format, 'jwe');
      assert.equal(created.name, 'Orders');
      assert.deepEqual(created.scopes, ['orders:read']);
      assert.equal(created.access_token_ttl, 900);
      assert.equal(created.encryption_alg, 'ECDH-ES+A256KW');
      assert.equal(created.encryption_enc, 'A256GCM');
      assert.deepEqual(Object.keys(created.encryption_key ?? {}).sort(), [
        'alg',
        'crv',
        'kid',
        'kty',
        'use',
        'x',
        'y',
      ]);
      assert.equal((await resourceServerForToken(context, audience))?.format, 'jwe');

      // The audience travels URL-encoded, slashes included.
      const shown = await app.inject({ method: 'GET', url: pathOf(audience) });
      assert.equal(shown.statusCode, 200, shown.body);
      assert.deepEqual(shown.json(), created);

      const listed = await app.inject({ method: 'GET', url: '/admin/v1/resources' });
      assert.equal(listed.statusCode, 200);
      assert.ok(listed.json<{ resources: ResourceJson[] }>().resources.some((r) => r.audience === audience));

      const deleted = await app.inject({ method: 'DELETE', url: pathOf(audience) });
      assert.equal(deleted.statusCode, 204);
      assert.equal(deleted.body, '');
      assert.match(
        problemOf(await app.inject({ method: 'GET', url: pathOf(audience) }), 404).detail ?? '',
        /no resource server with audience https:\/\/api.example.com\/v1/,
      );
      problemOf(await app.inject({ method: 'DELETE', url: pathOf(audience) }), 404);
      assert.equal(await resourceServerForToken(context, audience), undefined);
    });

    it('creates opaque and jwt resource servers with the defaults', async () => {
      for (const format of ['opaque', 'jwt']) {
        const response = await create({ audience: `https://${format}.example.com`, format });
        assert.equal(response.statusCode, 201, response.body);
        const created = response.json<ResourceJson>();
        assert.equal(created.format, format);
        assert.equal(created.name, null);
        assert.equal(created.access_token_ttl, 600);
        assert.equal('encryption_key' in created, false);
      }
    });

    it('answers 409 to an audience already registered', async () => {
      assert.equal((await create({ audience: 'https://dup.example.com', format: 'jwt' })).statusCode, 201);
      const again = problemOf(await create({ audience: 'https://dup.example.com', format: 'opaque' }), 409);
      assert.match(again.detail ?? '', /already exists/);
    });

    it('refuses a private key with 400, stores nothing and echoes no key material', async () => {
      const response = await create({
        audience: 'https://leak.example.com',
        format: 'jwe',
        encryptionKey: keys.privateJwk,
      });
      const body = problemOf(response, 400);
      assert.match(body.detail ?? '', /must be a PUBLIC key, but it has private member d/);
      assert.equal(response.body.includes(String(keys.privateJwk.d)), false);
      problemOf(await app.inject({ method: 'GET', url: pathOf('https://leak.example.com') }), 404);
    });

    it('refuses bad input with 400 problem details and changes nothing', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [
          { audience: 'https://x.example.com', format: 'jwe' },
          /format jwe needs the resource server's public/,
        ],
        [{ audience: 'http://x.example.com', format: 'jwt' }, /must use https/],
        [{ audience: 'https://x.example.com#f', format: 'jwt' }, /must not contain a fragment/],
        [{ audience: 'https://x.example.com', format: 'paseto' }, /invalid request: body\/format/],
        [{ audience: 'https://x.example.com', format: 'jwt', accessTokenTtl: 30 }, /accessTokenTtl/],
        [{ audience: 'https://x.example.com', format: 'jwt', scopes: ['a b'] }, /is not a valid scope/],
        [{ audience: 'https://x.example.com', format: 'jwt', formt: 'jwe' }, /unknown field formt/],
        [{ format: 'jwt' }, /audience/],
        [
          {
            audience: 'https://x.example.com',
            format: 'jwe',
            encryptionKey: keys.publicJwk,
            encryptionAlg: 'A256KW',
          },
          /encryptionAlg/,
        ],
        [
          { audience: 'https://x.example.com', format: 'opaque', encryptionKey: keys.publicJwk },
          /format opaque tokens are not encrypted/,
        ],
      ];
      for (const [body, message] of cases) {
        const response = await create(body);
        assert.match(problemOf(response, 400).detail ?? '', message, JSON.stringify(body));
      }
      problemOf(await app.inject({ method: 'GET', url: pathOf('https://x.example.com') }), 404);
    });

    it('addresses a long audience, far past the 100-character limit of Fastify parameters', async () => {
      const audience = `https://long.example.com/${'segment/'.repeat(60)}?tenant=a&b=c`;
      assert.equal((await create({ audience, format: 'jwt' })).statusCode, 201);
      const shown = await app.inject({ method: 'GET', url: pathOf(audience) });
      assert.equal(shown.statusCode, 200, shown.body);
      assert.equal(shown.json<ResourceJson>().audience, audience);
      assert.equal((await app.inject({ method: 'DELETE', url: pathOf(audience) })).statusCode, 204);
    });

    it('answers 404 for an unknown audience and 400 for an impossible one', async () => {
      problemOf(await app.inject({ method: 'GET', url: pathOf('https://nobody.example.com') }), 404);
      problemOf(await app.inject({ method: 'DELETE', url: pathOf('https://nobody.example.com') }), 404);
      const long = pathOf(`https://x.example.com/${'a'.repeat(3000)}`);
      problemOf(await app.inject({ method: 'GET', url: long }), 400);
      problemOf(await app.inject({ method: 'DELETE', url: long }), 400);
      problemOf(await app.inject({ method: 'GET', url: '/admin/v1/resources/' }), 400);
    });
  });
}
