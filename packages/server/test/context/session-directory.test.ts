import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FilesMember, type FilesWorld, filesApi, startFilesWorld } from '../support/files-world.ts';

interface Directory {
  sub: string;
  name: string;
  activeBusinessId: string | null;
  businesses: Array<{ id: string; name: string; slug: string; roles: string[] }>;
}

interface Members {
  businessId: string;
  members: Array<{ accountId: string; name: string; email: string; roles: string[] }>;
}

describe('a signed-in person’s own directory: businesses and members', () => {
  let world: FilesWorld;
  let owner: FilesMember;
  let clerk: FilesMember;
  let rival: FilesMember;

  before(async () => {
    world = await startFilesWorld('fs');
    owner = await world.member({ roles: ['owner'] });
    clerk = await world.member({ businessId: owner.businessId, roles: ['clerk'] });
    rival = await world.member({ roles: ['admin'] });
  });
  after(async () => {
    await world?.stop();
  });

  it('lists the businesses of the person and marks the active one', async () => {
    const answer = await filesApi(world, owner, 'GET', '/session/businesses');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const directory = answer.json as unknown as Directory;
    assert.equal(directory.sub, owner.user.id);
    assert.equal(directory.name, owner.user.name);
    assert.equal(directory.activeBusinessId, owner.businessId);
    assert.deepEqual(
      directory.businesses.map((business) => [business.id, business.roles]),
      [[owner.businessId, ['owner']]],
    );
  });

  it('shows the members of the active business to its owners and admins only', async () => {
    const seen = await filesApi(world, owner, 'GET', '/session/business/members');
    assert.equal(seen.status, 200);
    const list = seen.json as unknown as Members;
    assert.equal(list.businessId, owner.businessId);
    assert.deepEqual(
      list.members.map((member) => [member.accountId, member.email, member.roles]).sort(),
      [
        [owner.user.id, owner.user.email, ['owner']],
        [clerk.user.id, clerk.user.email, ['clerk']],
      ].sort(),
    );

    const refused = await filesApi(world, clerk, 'GET', '/session/business/members');
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);

    // An admin elsewhere sees their own business, never this one.
    const other = (await filesApi(world, rival, 'GET', '/session/business/members'))
      .json as unknown as Members;
    assert.equal(other.businessId, rival.businessId);
    assert.deepEqual(
      other.members.map((member) => member.accountId),
      [rival.user.id],
    );
  });

  it('refuses missing and forged tokens with problem details', async () => {
    for (const route of ['/session/businesses', '/session/business/members']) {
      const anonymous = await fetch(`${world.issuer}${route}`);
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match(anonymous.headers.get('content-type') ?? '', /^application\/problem\+json/);
      await anonymous.arrayBuffer();
      assert.equal((await filesApi(world, { token: 'not-a-token' }, 'GET', route)).status, 401);
      assert.equal((await filesApi(world, { token: 'x'.repeat(10_000) }, 'GET', route)).status, 401);
      // Past Node's header limit the request never reaches a route.
      assert.equal((await filesApi(world, { token: 'x'.repeat(20_000) }, 'GET', route)).status, 431);
    }
  });
});
