import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InvalidBusinessInputError,
  SlugTakenError,
  UnknownAccountError,
  UnknownBusinessError,
} from '../../src/businesses/business-errors.ts';
import { looksLikeBusinessId, newBusinessId } from '../../src/businesses/business-id.ts';
import { checkedBusinessName } from '../../src/businesses/business-name.ts';
import { businessProblem } from '../../src/businesses/business-problems.ts';
import { checkedRoles, isRoleName } from '../../src/businesses/business-roles.ts';
import { checkedSlug, firstFreeSlug, isValidSlug, slugFromName } from '../../src/businesses/business-slug.ts';
import { toMemberReference } from '../../src/businesses/member-reference.ts';
import { parseMembershipChangedEvent } from '../../src/businesses/membership-events.ts';
import { lenientBodyFaults } from '../../src/http/strict-body.ts';
import { isOpaqueId, newOpaqueId } from '../../src/identifiers/opaque-id.ts';

function refusedField(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof InvalidBusinessInputError, String(error));
    return error.field;
  }
  assert.fail('expected InvalidBusinessInputError');
}

describe('business ids', () => {
  it('are biz_ and 26 base32 characters, different every time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newBusinessId()));
    assert.equal(ids.size, 1000);
    for (const id of ids) {
      assert.match(id, /^biz_[a-z2-7]{26}$/);
      assert.ok(looksLikeBusinessId(id));
    }
  });

  it('use all of the base32 alphabet (128 random bits, not a biased subset)', () => {
    const seen = new Set([...Array.from({ length: 200 }, () => newOpaqueId('x').slice(2)).join('')]);
    assert.equal(seen.size, 32);
    // 128 bits fill 25 characters and 3 bits of the 26th: its low 2 bits are padding, always zero.
    const lasts = new Set(Array.from({ length: 500 }, () => newOpaqueId('x').at(-1)));
    assert.deepEqual([...lasts].sort(), ['a', 'e', 'i', 'm', 'q', 'u', 'y', '4'].sort());
  });

  it('tell an id from a slug', () => {
    assert.equal(looksLikeBusinessId('acme'), false);
    assert.equal(looksLikeBusinessId('biz_short'), false);
    assert.equal(looksLikeBusinessId(`acc_${'a'.repeat(26)}`), false);
    assert.equal(isOpaqueId('acc', `acc_${'a'.repeat(26)}`), true);
    assert.equal(isOpaqueId('biz', `biz_${'A'.repeat(26)}`), false);
  });
});

describe('business slugs', () => {
  it('derive lower-case ASCII words joined by hyphens from a name', () => {
    assert.equal(slugFromName('Acme'), 'acme');
    assert.equal(slugFromName('  Café Éclair & Co.  '), 'cafe-eclair-co');
    assert.equal(slugFromName('Straße Ærø Łódź'), 'strasse-aero-lodz');
    assert.equal(slugFromName('ACME -- Shop__2'), 'acme-shop-2');
    assert.equal(slugFromName('株式会社'), 'business');
    assert.equal(slugFromName('!!!'), 'business');
  });

  it('keep a derived slug short enough for a suffix, without a trailing hyphen', () => {
    const slug = slugFromName(`${'a'.repeat(55)} bcdef`);
    assert.equal(slug, 'a'.repeat(55));
    assert.ok(isValidSlug(`${slugFromName('x'.repeat(300))}-999999`));
  });

  it('pick the first free suffix', () => {
    assert.equal(firstFreeSlug('acme', []), 'acme');
    assert.equal(firstFreeSlug('acme', ['acme-shop']), 'acme');
    assert.equal(firstFreeSlug('acme', ['acme']), 'acme-2');
    assert.equal(firstFreeSlug('acme', ['acme', 'acme-2', 'acme-4']), 'acme-3');
  });

  it('refuse an explicit slug that is not one, rather than rewrite it', () => {
    assert.equal(checkedSlug('acme-shop-2'), 'acme-shop-2');
    for (const bad of [
      '',
      'Acme',
      'acme shop',
      '-acme',
      'acme-',
      'acme--shop',
      'acme_shop',
      'a'.repeat(64),
      'café',
    ])
      assert.equal(
        refusedField(() => checkedSlug(bad)),
        'slug',
        bad,
      );
  });
});

describe('business names', () => {
  it('are trimmed, and refused empty, too long or with control characters', () => {
    assert.equal(checkedBusinessName('  Acme  '), 'Acme');
    assert.equal(checkedBusinessName('Cafe\u0301'), 'Café');
    assert.equal(checkedBusinessName('x'.repeat(200)).length, 200);
    for (const bad of ['', '   ', 'x'.repeat(201), 'Acme\nShop', 'Acme\u0000'])
      assert.equal(
        refusedField(() => checkedBusinessName(bad)),
        'name',
      );
  });
});

describe('roles', () => {
  it('accept the built-in roles and custom names', () => {
    assert.deepEqual(checkedRoles(['owner']), ['owner']);
    assert.deepEqual(checkedRoles(['admin', 'member', 'billing_viewer', 'ops-2']), [
      'admin',
      'member',
      'billing_viewer',
      'ops-2',
    ]);
    assert.ok(isRoleName(`a${'b'.repeat(39)}`));
  });

  it('drop duplicates and keep the order', () => {
    assert.deepEqual(checkedRoles(['member', 'owner', 'member']), ['member', 'owner']);
  });

  it('refuse no role, a name outside the pattern, or too many', () => {
    assert.equal(
      refusedField(() => checkedRoles([])),
      'roles',
    );
    for (const bad of ['Owner', '1admin', '', 'a b', `a${'b'.repeat(40)}`, 'rôle', '_x'])
      assert.equal(
        refusedField(() => checkedRoles(['member', bad])),
        'roles',
        bad,
      );
    assert.equal(
      refusedField(() => checkedRoles(Array.from({ length: 21 }, (_, i) => `r${i}`))),
      'roles',
    );
  });
});

describe('member references', () => {
  it('take exactly one of an account id and an email', () => {
    assert.deepEqual(toMemberReference({ accountId: 'acc_x' }), { accountId: 'acc_x' });
    assert.deepEqual(toMemberReference({ email: 'a@example.com' }), { email: 'a@example.com' });
    assert.equal(
      refusedField(() => toMemberReference({})),
      'member',
    );
    assert.equal(
      refusedField(() => toMemberReference({ accountId: 'acc_x', email: 'a@example.com' })),
      'member',
    );
  });
});

describe('membership events', () => {
  it('parse only well-formed membership.changed messages', () => {
    const event = {
      type: 'membership.changed',
      businessId: 'biz_a',
      accountId: 'acc_b',
      at: '2025-01-01T00:00:00.000Z',
    };
    const wire = { id: '7', type: 'membership.changed', business_id: 'biz_a', sub: 'acc_b', at: event.at };
    assert.deepEqual(parseMembershipChangedEvent(JSON.stringify(wire)), event);
    assert.deepEqual(parseMembershipChangedEvent(JSON.stringify({ ...wire, extra: 1 })), event);
    assert.equal(parseMembershipChangedEvent('not json'), undefined);
    assert.equal(
      parseMembershipChangedEvent(JSON.stringify({ type: 'keys.rotated', at: event.at })),
      undefined,
    );
    assert.equal(parseMembershipChangedEvent(JSON.stringify({ ...wire, sub: 3 })), undefined);
    assert.equal(parseMembershipChangedEvent('[]'), undefined);
    assert.equal(parseMembershipChangedEvent('null'), undefined);
  });
});

describe('business problems', () => {
  it('map each domain error to its status, and nothing else', () => {
    assert.deepEqual(businessProblem(new InvalidBusinessInputError('roles', 'bad role')), {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'bad role',
      field: 'roles',
    });
    assert.equal(businessProblem(new UnknownBusinessError('acme'))?.status, 404);
    assert.equal(businessProblem(new UnknownAccountError('with email a@example.com'))?.status, 404);
    assert.equal(businessProblem(new SlugTakenError('acme'))?.status, 409);
    assert.equal(businessProblem(new Error('boom')), undefined);
  });
});

describe('strict request bodies', () => {
  const schema = {
    properties: {
      name: { type: 'string' },
      count: { type: 'integer' },
      roles: { type: 'array', items: { type: 'string' } },
    },
  } as const;

  it('find unknown fields and values Fastify would coerce', () => {
    assert.deepEqual(lenientBodyFaults({ name: 'x', count: 2, roles: ['a'] }, schema), []);
    assert.deepEqual(lenientBodyFaults({}, schema), []);
    assert.deepEqual(lenientBodyFaults({ name: 'x', nmae: 'y', extra: 1 }, schema), [
      'unknown field nmae, extra; expected name, count, roles',
    ]);
    assert.deepEqual(lenientBodyFaults({ name: 3, count: '2', roles: 'a' }, schema), [
      'name must be a string',
      'count must be an integer',
      'roles must be an array of strings',
    ]);
    assert.deepEqual(lenientBodyFaults({ count: 1.5, roles: ['a', null] }, schema), [
      'count must be an integer',
      'roles must be an array of strings',
    ]);
  });

  it('leave a body that is not an object to the schema', () => {
    assert.deepEqual(lenientBodyFaults(undefined, schema), []);
    assert.deepEqual(lenientBodyFaults([1], schema), []);
  });
});
