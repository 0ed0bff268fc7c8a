import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { findClientMetadata } from '../../src/clients/client-store.ts';
import { clientsAdminRoutes } from '../../src/clients/clients-admin-routes.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest } from '../support/admin-app.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { problemOf } from '../support/problem-response.ts';

after(removeFreshPgliteDirs);

interface ClientJson {
  client_id: string;
  client_secret?: string;
  kind: string;
  name: string;
  redirect_uris: string[];
  [field: string]: unknown;
}

for (const driver of sqlDrivers) {
  describe(`clients admin routes on ${driver.name}`, { skip: driver.skip }, () => {
    let under: AdminAppUnderTest;
    let context: ServerContext;
    let app: FastifyInstance;

    before(async () => {
      // Above the routes' own limits, so that those are what a large body meets.
      under = await adminAppUnderTest(driver, clientsAdminRoutes, { bodyLimit: 1024 * 1024 });
      ({ context, app } = under);
    });

    after(() => under?.close());

    async function create(body: unknown): Promise<LightMyRequestResponse> {
      return app.inject({ method: 'POST', url: '/admin/v1/clients', payload: body as object });
    }

    it('creates a client: 201 with its secret, shown once', async () => {
      const response = await create({
        name: 'Shop',
        redirectUris: ['https://shop.example.com/cb'],
        firstParty: true,
      });
      assert.equal(response.statusCode, 201, response.body);
      const created = response.json<ClientJson>();
      assert.equal(created.kind, 'confidential');
      assert.equal(created.first_party, true);
      assert.deepEqual(created.redirect_uris, ['https://shop.example.com/cb']);
      assert.ok(created.client_secret);
      assert.equal(
        (await findClientMetadata(context, created.client_id))?.client_secret,
        created.client_secret,
      );

      const shown = await app.inject({ method: 'GET', url: `/admin/v1/clients/${created.client_id}` });
      assert.equal(shown.statusCode, 200);
      assert.equal(shown.json<ClientJson>().client_id, created.client_id);
      assert.equal(shown.body.includes(created.client_secret), false);
      assert.equal('client_secret' in shown.json<ClientJson>(), false);

      const listed = await app.inject({ method: 'GET', url: '/admin/v1/clients' });
      assert.equal(listed.statusCode, 200);
      const { clients } = listed.json<{ clients: ClientJson[] }>();
      assert.ok(clients.some((client) => client.client_id === created.client_id));
      assert.equal(listed.body.includes(created.client_secret), false);
      assert.ok(clients.every((client) => !('client_secret' in client)));
    });

    it('creates public and service clients', async () => {
      const spa = await create({ name: 'SPA', redirectUris: ['http://127.0.0.1:5173/cb'], public: true });
      assert.equal(spa.statusCode, 201, spa.body);
      assert.equal(spa.json<ClientJson>().kind, 'public');
      assert.equal('client_secret' in spa.json<ClientJson>(), false);
      const service = await create({ name: 'Job', service: true });
      assert.equal(service.statusCode, 201, service.body);
      assert.equal(service.json<ClientJson>().kind, 'service');
      assert.deepEqual(service.json<ClientJson>().grant_types, ['client_credentials']);
      assert.ok(service.json<ClientJson>().client_secret);
    });

    it('answers 400 problem details for a client the policy refuses', async () => {
      const fragment = problemOf(
        await create({ name: 'Bad', redirectUris: ['https://a.example/cb#x'] }),
        400,
      );
      assert.equal(
        fragment.detail,
        'redirect URI "https://a.example/cb#x" must not contain a fragment (#...)',
      );
      const insecure = problemOf(await create({ name: 'Bad', redirectUris: ['http://a.example/cb'] }), 400);
      assert.match(insecure.detail ?? '', /must use https/);
      const none = problemOf(await create({ name: 'Bad' }), 400);
      assert.match(none.detail ?? '', /at least one redirect URI is required/);
    });

    it('answers 400 problem details for a malformed body, naming the field', async () => {
      const noName = problemOf(await create({ redirectUris: ['https://a.example/cb'] }), 400);
      assert.match(noName.detail ?? '', /name/);
      const wrongType = problemOf(
        await create({ name: 'X', redirectUris: 'https://a.example/cb', public: 'maybe' }),
        400,
      );
      assert.match(wrongType.detail ?? '', /public/);
      const typo = problemOf(
        await create({ name: 'X', redirectUris: ['https://a.example/cb'], pubic: true }),
        400,
      );
      assert.match(typo.detail ?? '', /pubic/);
      const notJson = await app.inject({
        method: 'POST',
        url: '/admin/v1/clients',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":',
      });
      problemOf(notJson, 400);
    });

    it('rejects an oversize body with 413 before reading it all', async () => {
      const response = await create({
        name: 'Big',
        redirectUris: ['https://a.example/cb'],
        filler: 'x'.repeat(200_000),
      });
      problemOf(response, 413);
    });

    it('answers 404 for an unknown client on show, delete and rotate', async () => {
      problemOf(await app.inject({ method: 'GET', url: '/admin/v1/clients/unknown' }), 404);
      problemOf(await app.inject({ method: 'DELETE', url: '/admin/v1/clients/unknown' }), 404);
      problemOf(await app.inject({ method: 'POST', url: '/admin/v1/clients/unknown/rotate-secret' }), 404);
    });

    it('rotates a secret (200, new secret once) and refuses it for a public client (409)', async () => {
      const created = (
        await create({ name: 'R', redirectUris: ['https://r.example/cb'] })
      ).json<ClientJson>();
      const rotated = await app.inject({
        method: 'POST',
        url: `/admin/v1/clients/${created.client_id}/rotate-secret`,
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const secret = rotated.json<ClientJson>().client_secret;
      assert.ok(secret);
      assert.notEqual(secret, created.client_secret);
      assert.equal((await findClientMetadata(context, created.client_id))?.client_secret, secret);

      const spa = (
        await create({ name: 'P', redirectUris: ['https://p.example/cb'], public: true })
      ).json<ClientJson>();
      const refused = problemOf(
        await app.inject({ method: 'POST', url: `/admin/v1/clients/${spa.client_id}/rotate-secret` }),
        409,
      );
      assert.match(refused.detail ?? '', /is public: it has no secret/);
    });

    it('deletes a client: 204, then 404', async () => {
      const created = (
        await create({ name: 'D', redirectUris: ['https://d.example/cb'] })
      ).json<ClientJson>();
      const deleted = await app.inject({ method: 'DELETE', url: `/admin/v1/clients/${created.client_id}` });
      assert.equal(deleted.statusCode, 204);
      assert.equal(deleted.body, '');
      assert.equal(await findClientMetadata(context, created.client_id), undefined);
      problemOf(await app.inject({ method: 'GET', url: `/admin/v1/clients/${created.client_id}` }), 404);
      problemOf(await app.inject({ method: 'DELETE', url: `/admin/v1/clients/${created.client_id}` }), 404);
    });
  });
}
