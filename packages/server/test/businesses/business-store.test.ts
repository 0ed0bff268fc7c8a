import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  InvalidBusinessInputError,
  SlugTakenError,
  UnknownBusinessError,
} from '../../src/businesses/business-errors.ts';
import {
  createBusiness,
  findBusiness,
  findBusinessBySlug,
  getBusiness,
  listBusinesses,
  renameBusiness,
  requireBusiness,
} from '../../src/businesses/business-store.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { uniqueWord } from './businesses-fixtures.ts';

after(removeFreshPgliteDirs);

for (const driver of sqlDrivers) {
  describe(`business store on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let sql: SqlPort;

    before(async () => {
      database = await driver.fresh();
      sql = database.sql;
    });
    after(() => database?.dispose());

    it('creates a business with an opaque id and a slug derived from its name', async () => {
      const word = uniqueWord('acme');
      const business = await createBusiness(sql, { name: `  ${word} Café & Co ` });
      assert.match(business.id, /^biz_[a-z2-7]{26}$/);
      assert.equal(business.name, `${word} Café & Co`);
      assert.equal(business.slug, `${word}-cafe-co`);
      assert.ok(Math.abs(business.createdAt.getTime() - Date.now()) < 60_000);
      assert.deepEqual(Object.keys(business).sort(), ['createdAt', 'id', 'name', 'slug', 'updatedAt']);

      assert.deepEqual(await getBusiness(sql, business.id), business);
      assert.deepEqual(await findBusinessBySlug(sql, business.slug), business);
      assert.deepEqual(await findBusiness(sql, business.id), business);
      assert.deepEqual(await findBusiness(sql, business.slug), business);
      assert.deepEqual(await requireBusiness(sql, business.slug), business);
      assert.equal(await getBusiness(sql, 'biz_aaaaaaaaaaaaaaaaaaaaaaaaaa'), undefined);
      assert.equal(await findBusiness(sql, 'no-such-slug'), undefined);
      await assert.rejects(requireBusiness(sql, 'no-such-slug'), UnknownBusinessError);
    });

    it('deduplicates derived slugs with -2, -3...', async () => {
      const name = uniqueWord('Shop');
      const slugs = [];
      for (let i = 0; i < 4; i += 1) slugs.push((await createBusiness(sql, { name })).slug);
      const base = name.toLowerCase();
      assert.deepEqual(slugs, [base, `${base}-2`, `${base}-3`, `${base}-4`]);
    });

    it('gives distinct slugs to businesses of one name created at the same time', async () => {
      const name = uniqueWord('Rush');
      const created = await Promise.all(Array.from({ length: 10 }, () => createBusiness(sql, { name })));
      const slugs = created.map((business) => business.slug).sort();
      assert.equal(new Set(slugs).size, 10);
      const base = name.toLowerCase();
      assert.deepEqual(slugs, [base, ...Array.from({ length: 9 }, (_, i) => `${base}-${i + 2}`)].sort());
    });

    it('takes an explicit slug when free, and refuses a taken one with SlugTakenError', async () => {
      const slug = uniqueWord('custom-');
      const business = await createBusiness(sql, { name: 'Anything', slug });
      assert.equal(business.slug, slug);
      await assert.rejects(createBusiness(sql, { name: 'Other', slug }), (error: unknown) => {
        assert.ok(error instanceof SlugTakenError);
        assert.equal(error.slug, slug);
        return true;
      });
      // A derived slug steps around an explicit one.
      const derived = await createBusiness(sql, { name: slug });
      assert.equal(derived.slug, `${slug}-2`);
    });

    it('refuses a bad name or slug and stores nothing', async () => {
      const before = (await listBusinesses(sql, { limit: 500 })).businesses.length;
      await assert.rejects(createBusiness(sql, { name: '  ' }), InvalidBusinessInputError);
      await assert.rejects(createBusiness(sql, { name: 'x'.repeat(201) }), InvalidBusinessInputError);
      await assert.rejects(createBusiness(sql, { name: 'Ok', slug: 'Not A Slug' }), (error: unknown) => {
        assert.ok(error instanceof InvalidBusinessInputError);
        assert.equal(error.field, 'slug');
        return true;
      });
      assert.equal((await listBusinesses(sql, { limit: 500 })).businesses.length, before);
    });

    it('lists businesses in creation order, a page at a time', async () => {
      const created = [];
      for (let i = 0; i < 5; i += 1) created.push(await createBusiness(sql, { name: uniqueWord('Page') }));
      const all = [];
      let after: string | undefined;
      for (;;) {
        const page = await listBusinesses(sql, { limit: 2, after });
        assert.ok(page.businesses.length <= 2);
        all.push(...page.businesses);
        if (page.next === null) break;
        after = page.next;
      }
      const ids = all.map((business) => business.id);
      assert.equal(new Set(ids).size, ids.length);
      const positions = created.map((business) => ids.indexOf(business.id));
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
      );
      assert.ok(positions.every((position) => position >= 0));
      assert.deepEqual((await listBusinesses(sql, { limit: 10, after: 'biz_unknown' })).businesses, []);
    });

    it('renames a business and keeps its slug', async () => {
      const business = await createBusiness(sql, { name: uniqueWord('Old') });
      const renamed = await renameBusiness(sql, business.id, ' New Name ');
      assert.equal(renamed.name, 'New Name');
      assert.equal(renamed.slug, business.slug);
      assert.ok(renamed.updatedAt.getTime() >= business.updatedAt.getTime());
      assert.deepEqual(await getBusiness(sql, business.id), renamed);
      await assert.rejects(renameBusiness(sql, business.id, ''), InvalidBusinessInputError);
      await assert.rejects(renameBusiness(sql, 'biz_aaaaaaaaaaaaaaaaaaaaaaaaaa', 'X'), UnknownBusinessError);
    });
  });
}
