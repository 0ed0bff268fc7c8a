import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { accountsAdminRoutes } from '../../src/accounts/accounts-admin-routes.ts';
import { authenticate } from '../../src/accounts/sign-in.ts';
import { registerUserCommands } from '../../src/accounts/user-commands.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { adminRoutesApp, listenLocally } from '../support/admin-app.ts';
import { guichetWith, onTheData, ways } from '../support/cli-harness.ts';
import { type OpenedSql, sqlDrivers, testServerContext, uniqueEmail } from './accounts-fixtures.ts';

const password = 'piped password 1';

interface UserJson {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  disabledAt: string | null;
}

const guichet = guichetWith(registerUserCommands);

const pglite = sqlDrivers[0];
assert.ok(pglite);

describe('guichet users commands', {
  skip: process.stdin.isTTY ? 'standard input is a terminal' : false,
}, () => {
  let opened: OpenedSql;
  let server: { context: ServerContext; dispose(): Promise<void> };
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    opened = await pglite.open();
    server = await testServerContext(opened.sql);
    app = await adminRoutesApp(accountsAdminRoutes, server.context);
    url = await listenLocally(app);
  });
  after(async () => {
    await app?.close();
    await server?.dispose();
    await opened?.dispose();
  });

  for (const [way, run] of ways(
    () => server.context,
    () => url,
  )) {
    it(`creates a user from a piped password and prints it as JSON, ${way}`, async () => {
      const email = uniqueEmail('cli');
      const output = await guichet(
        ['users', 'create', '--email', email, '--name', 'Cli User'],
        run,
        `${password}\n`,
      );
      const user = JSON.parse(output) as UserJson;
      assert.equal(output, JSON.stringify(user, null, 2));
      assert.equal(user.email, email);
      assert.equal(user.name, 'Cli User');
      assert.match(user.id, /^acc_/);
      assert.ok(!output.includes('argon2'));
      // The trailing newline was not part of the password.
      const { sql, cache } = server.context.ports;
      assert.equal((await authenticate({ email, password, ip: '192.0.2.9' }, { sql, cache })).ok, true);
    });

    it(`refuses an empty password and a taken email, ${way}`, async () => {
      const email = uniqueEmail('cli');
      await assert.rejects(
        guichet(['users', 'create', '--email', email, '--name', 'N'], run, '\n'),
        /no password/,
      );
      await guichet(['users', 'create', '--email', email, '--name', 'N'], run, password);
      await assert.rejects(
        guichet(['users', 'create', '--email', email.toUpperCase(), '--name', 'N'], run, password),
        /already exists/,
      );
      await assert.rejects(
        guichet(['users', 'create', '--email', uniqueEmail(), '--name', 'N'], run, 'short\n'),
        /at least 8/,
      );
    });

    it(`lists users as a JSON array, page by page, ${way}`, async () => {
      const all = JSON.parse(await guichet(['users', 'list', '--limit', '500'], run)) as UserJson[];
      assert.ok(Array.isArray(all) && all.length >= 2);
      const first = JSON.parse(await guichet(['users', 'list', '--limit', '1'], run)) as UserJson[];
      assert.deepEqual(first, all.slice(0, 1));
      const firstId = first[0]?.id ?? assert.fail('no user');
      const rest = JSON.parse(await guichet(['users', 'list', '--after', firstId], run)) as UserJson[];
      assert.deepEqual(rest, all.slice(1));
    });

    it(`disables a user and fails for an unknown id, ${way}`, async () => {
      const email = uniqueEmail('cli');
      const user = JSON.parse(
        await guichet(['users', 'create', '--email', email, '--name', 'N'], run, password),
      ) as UserJson;
      const disabled = JSON.parse(await guichet(['users', 'disable', user.id], run)) as UserJson;
      assert.equal(disabled.id, user.id);
      assert.notEqual(disabled.disabledAt, null);
      const { sql, cache } = server.context.ports;
      assert.equal((await authenticate({ email, password, ip: '192.0.2.10' }, { sql, cache })).ok, false);
      await assert.rejects(guichet(['users', 'disable', 'acc_nobody'], run), /no user acc_nobody/);
    });
  }

  it('refuses a page size out of range before doing anything', async () => {
    const local = onTheData(() => server.context);
    await assert.rejects(guichet(['users', 'list', '--limit', '0'], local), /between 1 and 500/);
  });
});
