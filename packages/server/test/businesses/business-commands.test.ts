import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerBusinessCommands } from '../../src/businesses/business-commands.ts';
import type { BusinessView } from '../../src/businesses/business-view.ts';
import { businessesAdminRoutes } from '../../src/businesses/businesses-admin-routes.ts';
import type { MemberView } from '../../src/businesses/member-view.ts';
import { roleIn } from '../../src/businesses/membership-store.ts';
import type { CliContext } from '../../src/cli/cli-context.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest, listenLocally } from '../support/admin-app.ts';
import { guichetWith, ways } from '../support/cli-harness.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { newAccount, recordMembershipEvents, uniqueWord } from './businesses-fixtures.ts';

after(removeFreshPgliteDirs);

const guichet = guichetWith(registerBusinessCommands);

async function guichetJson<T>(args: string[], run: CliContext['run']): Promise<T> {
  return JSON.parse(await guichet(args, run)) as T;
}

for (const driver of sqlDrivers) {
  describe(`guichet businesses commands on ${driver.name}`, { skip: driver.skip }, () => {
    let under: AdminAppUnderTest;
    let context: ServerContext;
    let url: string;

    before(async () => {
      under = await adminAppUnderTest(driver, businessesAdminRoutes);
      context = under.context;
      url = await listenLocally(under.app);
    });

    after(() => under?.close());

    for (const [way, run] of ways(
      () => context,
      () => url,
    )) {
      it(`creates, shows and lists businesses (${way})`, async () => {
        const name = uniqueWord('Acme');
        const created = await guichetJson<BusinessView>(
          ['businesses', 'create', '--name', `${name} Shop`],
          run,
        );
        assert.match(created.id, /^biz_[a-z2-7]{26}$/);
        assert.equal(created.name, `${name} Shop`);
        assert.equal(created.slug, `${name.toLowerCase()}-shop`);
        const twin = await guichetJson<BusinessView>(['businesses', 'create', '--name', `${name} Shop`], run);
        assert.equal(twin.slug, `${created.slug}-2`);

        const slug = uniqueWord('chosen-');
        const chosen = await guichetJson<BusinessView>(
          ['businesses', 'create', '--name', 'Chosen', '--slug', slug],
          run,
        );
        assert.equal(chosen.slug, slug);
        await assert.rejects(
          guichet(['businesses', 'create', '--name', 'Again', '--slug', slug], run),
          /already taken/,
        );
        await assert.rejects(
          guichet(['businesses', 'create', '--name', '  '], run),
          /name must not be empty/,
        );

        assert.deepEqual(await guichetJson(['businesses', 'show', created.id], run), created);
        assert.deepEqual(await guichetJson(['businesses', 'show', slug], run), chosen);
        await assert.rejects(
          guichet(['businesses', 'show', 'no-such-business'], run),
          /no business no-such-business/,
        );

        const listed = await guichetJson<BusinessView[]>(['businesses', 'list', '--limit', '500'], run);
        const ids = listed.map((business) => business.id);
        assert.ok(ids.indexOf(created.id) >= 0 && ids.indexOf(created.id) < ids.indexOf(twin.id));
        assert.ok(ids.includes(chosen.id));
        assert.equal(
          (await guichetJson<BusinessView[]>(['businesses', 'list', '--limit', '1'], run)).length,
          1,
        );
      });

      it(`adds, lists and removes members by business slug or id (${way})`, async () => {
        const business = await guichetJson<BusinessView>(
          ['businesses', 'create', '--name', uniqueWord('Team')],
          run,
        );
        const ann = await newAccount(context.ports.sql, 'ann');
        const bob = await newAccount(context.ports.sql, 'bob');
        const events = await recordMembershipEvents(context.ports.cache, [business.id]);

        const added = await guichetJson<MemberView>(
          [
            'businesses',
            'add-member',
            business.slug,
            '--email',
            ann.email,
            '--role',
            'owner',
            '--role',
            'billing',
          ],
          run,
        );
        assert.equal(added.businessId, business.id);
        assert.equal(added.accountId, ann.id);
        assert.equal(added.email, ann.email);
        assert.deepEqual(added.roles, ['owner', 'billing']);
        await guichet(
          ['businesses', 'add-member', business.id, '--email', bob.email, '--role', 'member'],
          run,
        );
        const replaced = await guichetJson<MemberView>(
          ['businesses', 'add-member', business.id, '--email', bob.email.toUpperCase(), '--role', 'admin'],
          run,
        );
        assert.deepEqual(replaced.roles, ['admin']);

        const members = await guichetJson<MemberView[]>(['businesses', 'members', business.slug], run);
        assert.deepEqual(
          members.map((member) => [member.email, member.roles]).sort(),
          [
            [ann.email, ['owner', 'billing']],
            [bob.email, ['admin']],
          ].sort(),
        );

        const removed = await guichetJson<MemberView>(
          ['businesses', 'remove-member', business.slug, '--email', ann.email.toUpperCase()],
          run,
        );
        assert.equal(removed.accountId, ann.id);
        assert.deepEqual(removed.roles, ['owner', 'billing']);
        assert.equal(
          await roleIn(context.ports.sql, { accountId: ann.id, businessId: business.id }),
          undefined,
        );
        await assert.rejects(
          guichet(['businesses', 'remove-member', business.id, '--email', ann.email], run),
          new RegExp(`${ann.email} is not a member of ${business.id}`),
        );
        assert.deepEqual(
          (await guichetJson<MemberView[]>(['businesses', 'members', business.id], run)).map(
            (m) => m.accountId,
          ),
          [bob.id],
        );

        const changes = await events.waitFor(4);
        assert.deepEqual(
          changes.map((event) => event.accountId),
          [ann.id, bob.id, bob.id, ann.id],
        );
        await events.stop();
      });

      it(`refuses unknown people and businesses and bad roles with the domain's message (${way})`, async () => {
        const business = await guichetJson<BusinessView>(
          ['businesses', 'create', '--name', uniqueWord('Bad')],
          run,
        );
        const cid = await newAccount(context.ports.sql, 'cid');
        await assert.rejects(
          guichet(
            ['businesses', 'add-member', business.id, '--email', 'nobody@example.com', '--role', 'member'],
            run,
          ),
          /no account with email nobody@example.com/,
        );
        await assert.rejects(
          guichet(
            ['businesses', 'add-member', 'no-such-business', '--email', cid.email, '--role', 'member'],
            run,
          ),
          /no business no-such-business/,
        );
        await assert.rejects(
          guichet(['businesses', 'add-member', business.id, '--email', cid.email, '--role', 'Owner'], run),
          /"Owner" is not a role name/,
        );
        await assert.rejects(guichet(['businesses', 'members', 'no-such-business'], run), /no business/);
        assert.deepEqual(await guichetJson(['businesses', 'members', business.id], run), []);
      });
    }

    it('requires the options it documents', async () => {
      const local: CliContext['run'] = (operation) => operation.local(context);
      await assert.rejects(guichet(['businesses', 'create'], local), /required option '--name <name>'/);
      await assert.rejects(
        guichet(['businesses', 'add-member', 'acme', '--email', 'a@example.com'], local),
        /required option '--role <role>'/,
      );
      await assert.rejects(
        guichet(['businesses', 'add-member', 'acme', '--role', 'owner'], local),
        /required option '--email <email>'/,
      );
      await assert.rejects(guichet(['businesses', 'list', '--limit', '0'], local), /between 1 and 500/);
    });
  });
}
