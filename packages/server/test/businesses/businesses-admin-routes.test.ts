import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { BusinessPageView, BusinessView } from '../../src/businesses/business-view.ts';
import { businessesAdminRoutes } from '../../src/businesses/businesses-admin-routes.ts';
import type { MemberView } from '../../src/businesses/member-view.ts';
import { roleIn } from '../../src/businesses/membership-store.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest } from '../support/admin-app.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { problemOf } from '../support/problem-response.ts';
import { newAccount, recordMembershipEvents, uniqueWord } from './businesses-fixtures.ts';

after(removeFreshPgliteDirs);

const unknownBusinessId = 'biz_aaaaaaaaaaaaaaaaaaaaaaaaaa';

for (const driver of sqlDrivers) {
  describe(`businesses admin routes on ${driver.name}`, { skip: driver.skip }, () => {
    let under: AdminAppUnderTest;
    let context: ServerContext;
    let app: FastifyInstance;

    before(async () => {
      // Above the routes' own limits, so that those are what a large body meets.
      under = await adminAppUnderTest(driver, businessesAdminRoutes, { bodyLimit: 1024 * 1024 });
      ({ context, app } = under);
    });

    after(() => under?.close());

    function post(url: string, body: unknown): Promise<LightMyRequestResponse> {
      return app.inject({ method: 'POST', url: `/admin/v1${url}`, payload: body as object });
    }

    function get(url: string): Promise<LightMyRequestResponse> {
      return app.inject({ method: 'GET', url: `/admin/v1${url}` });
    }

    async function createdBusiness(body: { name: string; slug?: string }): Promise<BusinessView> {
      const response = await post('/businesses', body);
      assert.equal(response.statusCode, 201, response.body);
      return response.json<BusinessView>();
    }

    it('creates a business: 201 with its id and derived slug; shows it by id and by slug', async () => {
      const name = uniqueWord('Acme');
      const created = await createdBusiness({ name: `${name} Shop` });
      assert.match(created.id, /^biz_[a-z2-7]{26}$/);
      assert.equal(created.name, `${name} Shop`);
      assert.equal(created.slug, `${name.toLowerCase()}-shop`);
      assert.deepEqual(Object.keys(created).sort(), ['createdAt', 'id', 'name', 'slug', 'updatedAt']);

      const byId = await get(`/businesses/${created.id}`);
      assert.equal(byId.statusCode, 200);
      assert.deepEqual(byId.json(), created);
      const bySlug = await get(`/businesses/${created.slug}`);
      assert.deepEqual(bySlug.json(), created);
      problemOf(await get(`/businesses/${unknownBusinessId}`), 404);
      assert.match(
        problemOf(await get('/businesses/no-such-slug'), 404).detail ?? '',
        /no business no-such-slug/,
      );
    });

    it('answers 409 for a slug taken, 400 for a bad name or slug', async () => {
      const slug = uniqueWord('taken-');
      await createdBusiness({ name: 'First', slug });
      const conflict = problemOf(await post('/businesses', { name: 'Second', slug }), 409);
      assert.equal(conflict.slug, slug);
      assert.match(conflict.detail ?? '', /already taken/);

      const badSlug = problemOf(await post('/businesses', { name: 'X', slug: 'Not Valid' }), 400);
      assert.equal(badSlug.field, 'slug');
      const emptyName = problemOf(await post('/businesses', { name: '   ' }), 400);
      assert.equal(emptyName.field, 'name');
      assert.match(problemOf(await post('/businesses', {}), 400).detail ?? '', /name/);
      // Refused, not coerced to "3" as Fastify's validator would.
      assert.match(
        problemOf(await post('/businesses', { name: 3 }), 400).detail ?? '',
        /name must be a string/,
      );
    });

    it('refuses unknown fields, malformed JSON and oversized bodies, creating nothing', async () => {
      const before = (await get('/businesses?limit=500')).json<BusinessPageView>().businesses.length;
      const typo = problemOf(await post('/businesses', { name: 'Typo', slg: 'typo' }), 400);
      assert.match(typo.detail ?? '', /unknown field slg/);
      problemOf(
        await app.inject({
          method: 'POST',
          url: '/admin/v1/businesses',
          headers: { 'content-type': 'application/json' },
          payload: '{"name":',
        }),
        400,
      );
      problemOf(await post('/businesses', { name: 'Big', filler: 'x'.repeat(100_000) }), 413);
      assert.equal((await get('/businesses?limit=500')).json<BusinessPageView>().businesses.length, before);
    });

    it('lists businesses a page at a time', async () => {
      await createdBusiness({ name: uniqueWord('List') });
      await createdBusiness({ name: uniqueWord('List') });
      const first = await get('/businesses?limit=1');
      assert.equal(first.statusCode, 200);
      const page = first.json<BusinessPageView>();
      assert.equal(page.businesses.length, 1);
      assert.ok(page.next);
      const second = (await get(`/businesses?limit=1&after=${page.next}`)).json<BusinessPageView>();
      assert.notEqual(second.businesses[0]?.id, page.businesses[0]?.id);
      problemOf(await get('/businesses?limit=0'), 400);
      problemOf(await get('/businesses?limit=many'), 400);
    });

    it('adds, lists and removes members, announcing each change', async () => {
      const business = await createdBusiness({ name: uniqueWord('Team') });
      const ann = await newAccount(context.ports.sql, 'ann');
      const bob = await newAccount(context.ports.sql, 'bob');
      const events = await recordMembershipEvents(context.ports.cache, [business.id]);

      const added = await post(`/businesses/${business.id}/members`, {
        email: ann.email.toUpperCase(),
        roles: ['owner', 'billing'],
      });
      assert.equal(added.statusCode, 200, added.body);
      const member = added.json<MemberView>();
      assert.equal(member.businessId, business.id);
      assert.equal(member.accountId, ann.id);
      assert.equal(member.email, ann.email);
      assert.equal(member.name, ann.name);
      assert.deepEqual(member.roles, ['owner', 'billing']);

      // By slug and by account id; adding again replaces the roles.
      const viaSlug = await post(`/businesses/${business.slug}/members`, {
        accountId: bob.id,
        roles: ['member'],
      });
      assert.equal(viaSlug.statusCode, 200, viaSlug.body);
      const replaced = await post(`/businesses/${business.id}/members`, {
        email: bob.email,
        roles: ['admin'],
      });
      assert.deepEqual(replaced.json<MemberView>().roles, ['admin']);

      const listed = await get(`/businesses/${business.id}/members`);
      assert.equal(listed.statusCode, 200);
      const { members } = listed.json<{ members: MemberView[] }>();
      assert.deepEqual(
        members.map((entry) => [entry.accountId, entry.roles]).sort(),
        [
          [ann.id, ['owner', 'billing']],
          [bob.id, ['admin']],
        ].sort(),
      );

      const removed = await app.inject({
        method: 'DELETE',
        url: `/admin/v1/businesses/${business.id}/members/${ann.id}`,
      });
      assert.equal(removed.statusCode, 204);
      assert.equal(removed.body, '');
      assert.equal(
        await roleIn(context.ports.sql, { accountId: ann.id, businessId: business.id }),
        undefined,
      );
      const again = problemOf(
        await app.inject({ method: 'DELETE', url: `/admin/v1/businesses/${business.id}/members/${ann.id}` }),
        404,
      );
      assert.match(again.detail ?? '', /is not a member/);

      const changes = await events.waitFor(4);
      assert.deepEqual(
        changes.map((event) => event.accountId),
        [ann.id, bob.id, bob.id, ann.id],
      );
      await events.stop();
    });

    it('answers problem details for bad membership requests and changes nothing', async () => {
      const business = await createdBusiness({ name: uniqueWord('Strict') });
      const cid = await newAccount(context.ports.sql, 'cid');
      const path = `/businesses/${business.id}/members`;

      const unknownEmail = problemOf(
        await post(path, { email: `${uniqueWord('nobody')}@example.com`, roles: ['member'] }),
        404,
      );
      assert.match(unknownEmail.detail ?? '', /no account with email/);
      const unknownBusiness = problemOf(
        await post(`/businesses/${unknownBusinessId}/members`, { email: cid.email, roles: ['member'] }),
        404,
      );
      assert.match(unknownBusiness.detail ?? '', /no business/);
      const badRole = problemOf(await post(path, { email: cid.email, roles: ['Owner'] }), 400);
      assert.equal(badRole.field, 'roles');
      assert.equal(problemOf(await post(path, { email: cid.email, roles: [] }), 400).field, 'roles');
      assert.equal(
        problemOf(await post(path, { email: cid.email, accountId: cid.id, roles: ['member'] }), 400).field,
        'member',
      );
      assert.equal(problemOf(await post(path, { roles: ['member'] }), 400).field, 'member');
      assert.match(problemOf(await post(path, { email: cid.email }), 400).detail ?? '', /roles/);
      assert.match(
        problemOf(await post(path, { email: cid.email, role: 'owner', roles: ['member'] }), 400).detail ?? '',
        /unknown field role/,
      );
      assert.match(
        problemOf(await post(path, { email: cid.email, roles: 'owner' }), 400).detail ?? '',
        /roles/,
      );
      problemOf(await post(path, { email: cid.email, roles: ['member'], filler: 'x'.repeat(100_000) }), 413);

      assert.deepEqual((await get(path)).json(), { members: [] });
      problemOf(await get(`/businesses/${unknownBusinessId}/members`), 404);
      problemOf(
        await app.inject({
          method: 'DELETE',
          url: `/admin/v1/businesses/${unknownBusinessId}/members/${cid.id}`,
        }),
        404,
      );
    });
  });
}
