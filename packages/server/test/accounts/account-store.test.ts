import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountClaims } from '../../src/accounts/account-claims.ts';
import { EmailTakenError, InvalidAccountInputError } from '../../src/accounts/account-errors.ts';
import {
  createAccount,
  disableAccount,
  findAccountByEmail,
  findAccountById,
  findPasswordCredential,
  listAccounts,
} from '../../src/accounts/account-store.ts';
import { listAuditEvents } from '../../src/accounts/audit-log.ts';
import { verifyPassword } from '../../src/accounts/password-hasher.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { type OpenedSql, sqlDrivers, uniqueEmail } from './accounts-fixtures.ts';

for (const driver of sqlDrivers) {
  describe(`account store on ${driver.name}`, { skip: driver.skip }, () => {
    let opened: OpenedSql;
    let sql: SqlPort;

    before(async () => {
      opened = await driver.open();
      sql = opened.sql;
    });
    after(() => opened?.dispose());

    it('creates an account with an opaque id and finds it by id and by email', async () => {
      const email = uniqueEmail('Ann');
      const account = await createAccount(sql, {
        email: ` ${email} `,
        name: ' Ann Example ',
        password: 'correct horse',
      });
      assert.match(account.id, /^acc_[a-z2-7]{26}$/);
      assert.equal(account.email, email);
      assert.equal(account.name, 'Ann Example');
      assert.equal(account.disabledAt, null);
      assert.ok(account.createdAt instanceof Date);
      assert.ok(Math.abs(account.createdAt.getTime() - Date.now()) < 60_000);
      assert.deepEqual(Object.keys(account).sort(), [
        'createdAt',
        'disabledAt',
        'email',
        'id',
        'name',
        'updatedAt',
      ]);

      assert.deepEqual(await findAccountById(sql, account.id), account);
      assert.deepEqual(await findAccountByEmail(sql, email.toUpperCase()), account);
      assert.equal(await findAccountById(sql, 'acc_doesnotexist'), undefined);
      assert.equal(await findAccountByEmail(sql, uniqueEmail('nobody')), undefined);
    });

    it('stores an argon2id hash of the password, never the password', async () => {
      const email = uniqueEmail();
      await createAccount(sql, { email, name: 'Hashed', password: 'correct horse' });
      const credential = await findPasswordCredential(sql, email);
      assert.ok(credential?.passwordHash);
      assert.match(credential.passwordHash, /^\$argon2id\$/);
      assert.ok(!credential.passwordHash.includes('correct horse'));
      assert.equal(await verifyPassword(credential.passwordHash, 'correct horse'), true);
    });

    it('creates an account without a password when none is given', async () => {
      const email = uniqueEmail();
      await createAccount(sql, { email, name: 'No Password' });
      assert.equal((await findPasswordCredential(sql, email))?.passwordHash, null);
    });

    it('refuses a second account whose email differs only by case and spaces', async () => {
      const local = uniqueEmail('a').split('@')[0];
      await createAccount(sql, { email: `${local}@x.com`, name: 'First', password: 'password one' });
      await assert.rejects(
        createAccount(sql, {
          email: `${local?.toUpperCase()}@X.COM `,
          name: 'Second',
          password: 'password two',
        }),
        EmailTakenError,
      );
      const { accounts } = await listAccounts(sql, { limit: 500 });
      assert.equal(accounts.filter((account) => account.email.toLowerCase() === `${local}@x.com`).length, 1);
    });

    it('refuses a second account whose email differs only by Unicode form', async () => {
      const tag = uniqueEmail('x').split('@')[0];
      await createAccount(sql, {
        email: `jos\u00e9.${tag}@example.com`,
        name: 'Composed',
        password: 'password one',
      });
      await assert.rejects(
        createAccount(sql, {
          email: `Jose\u0301.${tag}@example.com`,
          name: 'Decomposed',
          password: 'password two',
        }),
        EmailTakenError,
      );
    });

    it('lets only one of two concurrent creations of the same address succeed', async () => {
      const email = uniqueEmail();
      const results = await Promise.allSettled([
        createAccount(sql, { email, name: 'One', password: 'password one' }),
        createAccount(sql, { email: email.toUpperCase(), name: 'Two', password: 'password two' }),
      ]);
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      const refused = results.find((result) => result.status === 'rejected');
      assert.ok(refused?.reason instanceof EmailTakenError);
    });

    it('refuses a bad email, an empty name or a weak password, and stores nothing', async () => {
      const cases = [
        { input: { email: 'not an email', name: 'N', password: 'long enough' }, field: 'email' },
        { input: { email: uniqueEmail(), name: '   ', password: 'long enough' }, field: 'name' },
        { input: { email: uniqueEmail(), name: 'N', password: 'short' }, field: 'password' },
        { input: { email: uniqueEmail(), name: 'N', password: 'x'.repeat(257) }, field: 'password' },
        { input: { email: uniqueEmail(), name: 'N', password: '          ' }, field: 'password' },
      ] as const;
      for (const { input, field } of cases) {
        await assert.rejects(createAccount(sql, input), (error: unknown) => {
          assert.ok(error instanceof InvalidAccountInputError);
          assert.equal(error.field, field);
          return true;
        });
        assert.equal(await findAccountByEmail(sql, input.email), undefined);
      }
    });

    it('disables an account once, keeping the first date, and says when there is no such account', async () => {
      const account = await createAccount(sql, {
        email: uniqueEmail(),
        name: 'Dis Abled',
        password: 'password one',
      });
      const disabled = await disableAccount(sql, account.id);
      assert.ok(disabled?.disabledAt instanceof Date);
      const again = await disableAccount(sql, account.id);
      assert.deepEqual(again?.disabledAt, disabled.disabledAt);
      assert.deepEqual((await findAccountById(sql, account.id))?.disabledAt, disabled.disabledAt);
      assert.equal(await disableAccount(sql, 'acc_unknown'), undefined);
      const events = await listAuditEvents(sql, {
        accountId: account.id,
        type: 'account.disabled',
        limit: 10,
      });
      assert.equal(events.length, 1);
    });

    it('records account.created in the audit log', async () => {
      const account = await createAccount(sql, { email: uniqueEmail(), name: 'Audited' });
      const events = await listAuditEvents(sql, { accountId: account.id, limit: 10 });
      assert.deepEqual(
        events.map((event) => event.type),
        ['account.created'],
      );
    });

    it('gives the OpenID Connect claims of an account', async () => {
      const email = uniqueEmail('Claims');
      const account = await createAccount(sql, { email, name: 'Claire Claims' });
      assert.deepEqual(accountClaims(account), {
        sub: account.id,
        email,
        email_verified: false,
        name: 'Claire Claims',
      });
    });
  });

  describe(`account listing on ${driver.name}`, { skip: driver.skip }, () => {
    let opened: OpenedSql;
    let sql: SqlPort;

    before(async () => {
      opened = await driver.open();
      sql = opened.sql;
    });
    after(() => opened?.dispose());

    it('pages through every account exactly once, in creation order', async () => {
      const created = [];
      for (let index = 0; index < 7; index += 1)
        created.push(
          await createAccount(sql, { email: uniqueEmail(`page${index}`), name: `Person ${index}` }),
        );

      const seen: string[] = [];
      let after: string | undefined;
      const pageSizes: number[] = [];
      for (;;) {
        const page = await listAccounts(sql, { limit: 3, after });
        pageSizes.push(page.accounts.length);
        seen.push(...page.accounts.map((account) => account.id));
        if (page.next === null) break;
        assert.equal(page.next, page.accounts.at(-1)?.id);
        after = page.next;
      }
      assert.deepEqual(pageSizes, [3, 3, 1]);
      // Creation order; accounts created in the same clock tick (PGlite's clock counts milliseconds)
      // come in id order, the same on every page, so paging yields exactly the one-page listing.
      const whole = await listAccounts(sql, { limit: 500 });
      assert.deepEqual(
        seen,
        whole.accounts.map((account) => account.id),
      );
      assert.deepEqual([...seen].sort(), created.map((account) => account.id).sort());
      const times = whole.accounts.map((account) => account.createdAt.getTime());
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
    });

    it('pages correctly through accounts created at the very same instant', async () => {
      const tied: string[] = [];
      for (let index = 0; index < 5; index += 1)
        tied.push((await createAccount(sql, { email: uniqueEmail(`tie${index}`), name: 'Tied' })).id);
      await sql.db
        .updateTable('account')
        .set({ created_at: '2001-02-03T04:05:06.789Z' })
        .where('id', 'in', tied)
        .execute();
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await listAccounts(sql, { limit: 2, after });
        seen.push(...page.accounts.map((account) => account.id));
        if (page.next === null) break;
        after = page.next;
      }
      assert.equal(new Set(seen).size, seen.length);
      // The oldest come first, in id order among themselves.
      assert.deepEqual(seen.slice(0, 5), [...tied].sort());
    });

    it('ends with next = null when the last page is exactly full', async () => {
      const { accounts } = await listAccounts(sql, { limit: 500 });
      const page = await listAccounts(sql, { limit: accounts.length });
      assert.equal(page.accounts.length, accounts.length);
      assert.equal(page.next, null);
    });

    it('gives an empty page after an id that does not exist', async () => {
      assert.deepEqual(await listAccounts(sql, { limit: 10, after: 'acc_unknown' }), {
        accounts: [],
        next: null,
      });
    });
  });
}
