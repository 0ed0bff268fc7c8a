import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql as rawSql } from 'kysely';
import {
  InvalidBusinessInputError,
  UnknownAccountError,
  UnknownBusinessError,
} from '../../src/businesses/business-errors.ts';
import { createBusiness, deleteBusiness, getBusiness } from '../../src/businesses/business-store.ts';
import {
  type AddMemberInput,
  addMember,
  listMembers,
  type MembershipPorts,
  membershipsOf,
  removeMember,
  roleIn,
} from '../../src/businesses/membership-store.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createTestContext, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { collectingLogger, newAccount, recordMembershipEvents, uniqueWord } from './businesses-fixtures.ts';

after(removeFreshPgliteDirs);

const unknownBusinessId = 'biz_aaaaaaaaaaaaaaaaaaaaaaaaaa';

for (const driver of sqlDrivers) {
  describe(`memberships on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let ports: MembershipPorts;
    let disposeContext: () => Promise<void>;

    before(async () => {
      database = await driver.fresh();
      const made = await createTestContext({ sql: database.sql });
      ports = made.context.ports;
      disposeContext = made.dispose;
    });
    after(async () => {
      await disposeContext?.();
      await database?.dispose();
    });

    const newBusiness = () => createBusiness(ports.sql, { name: uniqueWord('Biz') });

    it('adds a member by email, whatever its case, and announces it', async () => {
      const business = await newBusiness();
      const ann = await newAccount(ports.sql, 'ann');
      const events = await recordMembershipEvents(ports.cache, [business.id]);
      const member = await addMember(ports, {
        businessId: business.id,
        email: ` ${ann.email.toUpperCase()} `,
        roles: ['owner', 'billing'],
      });
      assert.equal(member.businessId, business.id);
      assert.equal(member.accountId, ann.id);
      assert.equal(member.email, ann.email);
      assert.equal(member.name, ann.name);
      assert.deepEqual(member.roles, ['owner', 'billing']);
      assert.ok(member.createdAt instanceof Date);

      assert.deepEqual(await roleIn(ports.sql, { accountId: ann.id, businessId: business.id }), [
        'owner',
        'billing',
      ]);
      assert.deepEqual(await listMembers(ports.sql, business.id), [member]);

      const [event] = await events.waitFor(1);
      assert.equal(event?.type, 'membership.changed');
      assert.equal(event?.businessId, business.id);
      assert.equal(event?.accountId, ann.id);
      assert.ok(Math.abs(Date.parse(event?.at ?? '') - Date.now()) < 60_000);
      // The event carries no personal data: listeners read it from SQL.
      assert.deepEqual(Object.keys(JSON.parse(events.messages[0] ?? '{}')).sort(), [
        'at',
        'business_id',
        'id',
        'sub',
        'type',
      ]);
      await events.stop();
    });

    it('replaces the roles of an existing member (upsert), by account id', async () => {
      const business = await newBusiness();
      const bob = await newAccount(ports.sql, 'bob');
      const events = await recordMembershipEvents(ports.cache, [business.id]);
      const first = await addMember(ports, { businessId: business.id, accountId: bob.id, roles: ['member'] });
      const second = await addMember(ports, {
        businessId: business.id,
        accountId: bob.id,
        roles: ['admin', 'member', 'admin'],
      });
      assert.deepEqual(second.roles, ['admin', 'member']);
      assert.equal(second.createdAt.getTime(), first.createdAt.getTime());
      assert.ok(second.updatedAt.getTime() >= first.updatedAt.getTime());
      assert.deepEqual(await roleIn(ports.sql, { accountId: bob.id, businessId: business.id }), [
        'admin',
        'member',
      ]);
      assert.equal((await listMembers(ports.sql, business.id)).length, 1);
      assert.equal((await events.waitFor(2)).length, 2);
      await events.stop();
    });

    it('refuses bad roles and changes nothing', async () => {
      const business = await newBusiness();
      const cid = await newAccount(ports.sql, 'cid');
      const events = await recordMembershipEvents(ports.cache, [business.id]);
      await addMember(ports, { businessId: business.id, accountId: cid.id, roles: ['member'] });
      for (const roles of [[], ['Owner'], ['member', 'has space'], [`r${'x'.repeat(40)}`]]) {
        await assert.rejects(
          addMember(ports, { businessId: business.id, accountId: cid.id, roles }),
          (error: unknown) => {
            assert.ok(error instanceof InvalidBusinessInputError);
            assert.equal(error.field, 'roles');
            return true;
          },
        );
      }
      await assert.rejects(
        // As plain JavaScript could call it: neither an account id nor an email.
        addMember(ports, { businessId: business.id, roles: ['member'] } as unknown as AddMemberInput),
        InvalidBusinessInputError,
      );
      assert.deepEqual(await roleIn(ports.sql, { accountId: cid.id, businessId: business.id }), ['member']);
      // Give a wrongly published event time to arrive before asserting there was none.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(events.events.length, 1, 'only the first, valid, change is announced');
      await events.stop();
    });

    it('the database itself refuses a membership without roles', async () => {
      const business = await newBusiness();
      const dan = await newAccount(ports.sql, 'dan');
      await assert.rejects(
        rawSql`insert into membership (business_id, account_id, roles) values (${business.id}, ${dan.id}, '{}')`.execute(
          ports.sql.db,
        ),
        /membership_has_roles/,
      );
    });

    it('answers typed errors for an unknown business or person, and links nothing', async () => {
      const business = await newBusiness();
      const eve = await newAccount(ports.sql, 'eve');
      const events = await recordMembershipEvents(ports.cache, [business.id, unknownBusinessId]);
      await assert.rejects(
        addMember(ports, {
          businessId: business.id,
          email: `${uniqueWord('nobody')}@example.com`,
          roles: ['member'],
        }),
        (error: unknown) =>
          error instanceof UnknownAccountError && /no account with email nobody/.test(error.message),
      );
      await assert.rejects(
        addMember(ports, { businessId: business.id, accountId: 'acc_unknown', roles: ['member'] }),
        UnknownAccountError,
      );
      await assert.rejects(
        addMember(ports, { businessId: unknownBusinessId, accountId: eve.id, roles: ['member'] }),
        UnknownBusinessError,
      );
      // Both missing: the business is named first.
      await assert.rejects(
        addMember(ports, { businessId: unknownBusinessId, accountId: 'acc_unknown', roles: ['member'] }),
        UnknownBusinessError,
      );
      assert.deepEqual(await listMembers(ports.sql, business.id), []);
      assert.deepEqual(await membershipsOf(ports.sql, eve.id), []);
      await assert.rejects(listMembers(ports.sql, unknownBusinessId), UnknownBusinessError);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(events.events, []);
      await events.stop();
    });

    it('removes a member by account id or email, once, and announces it', async () => {
      const business = await newBusiness();
      const fay = await newAccount(ports.sql, 'fay');
      const gus = await newAccount(ports.sql, 'gus');
      const events = await recordMembershipEvents(ports.cache, [business.id]);
      await addMember(ports, { businessId: business.id, accountId: fay.id, roles: ['owner'] });
      await addMember(ports, { businessId: business.id, accountId: gus.id, roles: ['member'] });

      const removed = await removeMember(ports, { businessId: business.id, accountId: fay.id });
      assert.equal(removed?.accountId, fay.id);
      assert.equal(removed?.email, fay.email);
      assert.deepEqual(removed?.roles, ['owner']);
      assert.equal(await roleIn(ports.sql, { accountId: fay.id, businessId: business.id }), undefined);
      assert.equal(await removeMember(ports, { businessId: business.id, accountId: fay.id }), undefined);

      const byEmail = await removeMember(ports, { businessId: business.id, email: gus.email.toUpperCase() });
      assert.equal(byEmail?.accountId, gus.id);
      assert.equal(
        await removeMember(ports, { businessId: business.id, email: `${uniqueWord('x')}@example.com` }),
        undefined,
      );
      assert.equal(
        await removeMember(ports, { businessId: unknownBusinessId, accountId: gus.id }),
        undefined,
      );
      assert.deepEqual(await listMembers(ports.sql, business.id), []);

      const changes = await events.waitFor(4);
      assert.deepEqual(
        changes.map((event) => [event.businessId, event.accountId]),
        [
          [business.id, fay.id],
          [business.id, gus.id],
          [business.id, fay.id],
          [business.id, gus.id],
        ],
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(events.events.length, 4, 'a removal that removed nothing announces nothing');
      await events.stop();
    });

    it('lists the businesses of a person in two of them, with their roles in each', async () => {
      const word = uniqueWord('');
      const alpha = await createBusiness(ports.sql, { name: `Alpha ${word}` });
      const beta = await createBusiness(ports.sql, { name: `Beta ${word}` });
      const other = await newBusiness();
      const hal = await newAccount(ports.sql, 'hal');
      const ivy = await newAccount(ports.sql, 'ivy');
      await addMember(ports, { businessId: beta.id, accountId: hal.id, roles: ['member', 'support'] });
      await addMember(ports, { businessId: alpha.id, accountId: hal.id, roles: ['owner'] });
      await addMember(ports, { businessId: other.id, accountId: ivy.id, roles: ['owner'] });

      assert.deepEqual(await membershipsOf(ports.sql, hal.id), [
        { businessId: alpha.id, name: alpha.name, slug: alpha.slug, roles: ['owner'] },
        { businessId: beta.id, name: beta.name, slug: beta.slug, roles: ['member', 'support'] },
      ]);
      assert.deepEqual(await membershipsOf(ports.sql, ivy.id), [
        { businessId: other.id, name: other.name, slug: other.slug, roles: ['owner'] },
      ]);
      // Roles are per business: being owner of one says nothing about another.
      assert.equal(await roleIn(ports.sql, { accountId: hal.id, businessId: other.id }), undefined);
      assert.equal(await roleIn(ports.sql, { accountId: ivy.id, businessId: alpha.id }), undefined);
      assert.deepEqual(await membershipsOf(ports.sql, 'acc_unknown'), []);

      const members = await listMembers(ports.sql, alpha.id);
      assert.deepEqual(
        members.map((member) => member.accountId),
        [hal.id],
      );
    });

    it('deletes the memberships of a deleted business and announces each', async () => {
      const business = await newBusiness();
      const keep = await newBusiness();
      const jo = await newAccount(ports.sql, 'jo');
      const kim = await newAccount(ports.sql, 'kim');
      const events = await recordMembershipEvents(ports.cache, [business.id, keep.id]);
      await addMember(ports, { businessId: business.id, accountId: jo.id, roles: ['owner'] });
      await addMember(ports, { businessId: business.id, accountId: kim.id, roles: ['member'] });
      await addMember(ports, { businessId: keep.id, accountId: kim.id, roles: ['admin'] });

      assert.equal(await deleteBusiness(ports, business.id), true);
      assert.equal(await getBusiness(ports.sql, business.id), undefined);
      assert.deepEqual(await membershipsOf(ports.sql, jo.id), []);
      assert.deepEqual(
        (await membershipsOf(ports.sql, kim.id)).map((membership) => membership.businessId),
        [keep.id],
      );
      // Three additions, then one event per former member of the deleted business.
      const changes = (await events.waitFor(5)).slice(3);
      assert.deepEqual(
        changes.map((event) => `${event.businessId}/${event.accountId}`).sort(),
        [`${business.id}/${jo.id}`, `${business.id}/${kim.id}`].sort(),
      );
      assert.equal(await deleteBusiness(ports, business.id), false);
      await events.stop();
    });

    it('cascades the database delete of a business or an account to its memberships', async () => {
      const business = await newBusiness();
      const keep = await newBusiness();
      const lea = await newAccount(ports.sql, 'lea');
      const max = await newAccount(ports.sql, 'max');
      await addMember(ports, { businessId: business.id, accountId: lea.id, roles: ['owner'] });
      await addMember(ports, { businessId: keep.id, accountId: lea.id, roles: ['owner'] });
      await addMember(ports, { businessId: keep.id, accountId: max.id, roles: ['member'] });

      await ports.sql.db.deleteFrom('business').where('id', '=', business.id).execute();
      assert.deepEqual(
        (await membershipsOf(ports.sql, lea.id)).map((membership) => membership.businessId),
        [keep.id],
      );

      await ports.sql.db.deleteFrom('account').where('id', '=', lea.id).execute();
      assert.deepEqual(
        (await listMembers(ports.sql, keep.id)).map((member) => member.accountId),
        [max.id],
      );
      assert.equal(await roleIn(ports.sql, { accountId: lea.id, businessId: keep.id }), undefined);
    });

    it('keeps a change when its event cannot be published, and logs why', async () => {
      const broken = createMemoryCache();
      await broken.close();
      const logger = collectingLogger();
      const brokenPorts = { sql: ports.sql, cache: broken };
      const business = await newBusiness();
      const ned = await newAccount(ports.sql, 'ned');

      const added = await addMember(
        brokenPorts,
        { businessId: business.id, accountId: ned.id, roles: ['owner'] },
        { logger },
      );
      assert.deepEqual(added.roles, ['owner']);
      assert.deepEqual(await roleIn(ports.sql, { accountId: ned.id, businessId: business.id }), ['owner']);
      const removed = await removeMember(
        brokenPorts,
        { businessId: business.id, accountId: ned.id },
        { logger },
      );
      assert.equal(removed?.accountId, ned.id);
      assert.equal(await roleIn(ports.sql, { accountId: ned.id, businessId: business.id }), undefined);

      assert.equal(logger.lines.length, 2);
      for (const line of logger.lines) {
        assert.match(line, /^membership\.changed event not published /);
        assert.match(line, /cache is closed/);
        assert.ok(line.includes(business.id) && line.includes(ned.id));
        assert.equal(line.includes(ned.email), false, 'no email in logs');
      }
    });
  });
}
