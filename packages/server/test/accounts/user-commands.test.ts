import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import { accountsAdminRoutes } from '../../src/accounts/accounts-admin-routes.ts';
import { authenticate } from '../../src/accounts/sign-in.ts';
import { registerUserCommands } from '../../src/accounts/user-commands.ts';
import type { AdminOperation } from '../../src/cli/admin-access.ts';
import { createAdminClient } from '../../src/cli/admin-client.ts';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { installProblemHandlers } from '../../src/http/problem-details.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type OpenedSql, sqlDrivers, testServerContext, uniqueEmail } from './accounts-fixtures.ts';

const password = 'piped password 1';

interface UserJson {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  disabledAt: string | null;
}

type Runner = <T>(operation: AdminOperation<T>) => Promise<T>;

/** Runs `guichet <args>` with the given way to reach the data and the given standard input. */
async function guichet(run: Runner, args: string[], stdin = ''): Promise<string> {
  const printed: string[] = [];
  const cli: CliContext = { run, print: (line) => printed.push(line), readStdin: async () => stdin };
  const program = new Command('guichet').exitOverride().configureOutput({ writeErr: () => {} });
  registerUserCommands(program, cli);
  await program.parseAsync(args, { from: 'user' });
  return printed.join('\n');
}

const pglite = sqlDrivers[0];
assert.ok(pglite);

describe('guichet users commands', {
  skip: process.stdin.isTTY ? 'standard input is a terminal' : false,
}, () => {
  let opened: OpenedSql;
  let server: { context: ServerContext; dispose(): Promise<void> };
  let app: FastifyInstance;
  let local: Runner;
  let remote: Runner;

  before(async () => {
    opened = await pglite.open();
    server = await testServerContext(opened.sql);
    app = Fastify();
    installProblemHandlers(app);
    // Mounted where the admin scope mounts it; the admin token check is the admin scope's, not tested here.
    await app.register(accountsAdminRoutes, { context: server.context, prefix: '/admin/v1' });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const client = createAdminClient(url, 'unused-token');
    local = (operation) => operation.local(server.context);
    remote = (operation) => operation.remote(client);
  });
  after(async () => {
    await app?.close();
    await server?.dispose();
    await opened?.dispose();
  });

  for (const [way, runner] of [
    ['directly on the data', () => local],
    ['through the admin API', () => remote],
  ] as const) {
    it(`creates a user from a piped password and prints it as JSON, ${way}`, async () => {
      const email = uniqueEmail('cli');
      const output = await guichet(
        runner(),
        ['users', 'create', '--email', email, '--name', 'Cli User'],
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
        guichet(runner(), ['users', 'create', '--email', email, '--name', 'N'], '\n'),
        /no password/,
      );
      await guichet(runner(), ['users', 'create', '--email', email, '--name', 'N'], password);
      await assert.rejects(
        guichet(runner(), ['users', 'create', '--email', email.toUpperCase(), '--name', 'N'], password),
        /already exists/,
      );
      await assert.rejects(
        guichet(runner(), ['users', 'create', '--email', uniqueEmail(), '--name', 'N'], 'short\n'),
        /at least 8/,
      );
    });

    it(`lists users as a JSON array, page by page, ${way}`, async () => {
      const all = JSON.parse(await guichet(runner(), ['users', 'list', '--limit', '500'])) as UserJson[];
      assert.ok(Array.isArray(all) && all.length >= 2);
      const first = JSON.parse(await guichet(runner(), ['users', 'list', '--limit', '1'])) as UserJson[];
      assert.deepEqual(first, all.slice(0, 1));
      const firstId = first[0]?.id ?? assert.fail('no user');
      const rest = JSON.parse(await guichet(runner(), ['users', 'list', '--after', firstId])) as UserJson[];
      assert.deepEqual(rest, all.slice(1));
    });

    it(`disables a user and fails for an unknown id, ${way}`, async () => {
      const email = uniqueEmail('cli');
      const user = JSON.parse(
        await guichet(runner(), ['users', 'create', '--email', email, '--name', 'N'], password),
      ) as UserJson;
      const disabled = JSON.parse(await guichet(runner(), ['users', 'disable', user.id])) as UserJson;
      assert.equal(disabled.id, user.id);
      assert.notEqual(disabled.disabledAt, null);
      const { sql, cache } = server.context.ports;
      assert.equal((await authenticate({ email, password, ip: '192.0.2.10' }, { sql, cache })).ok, false);
      await assert.rejects(guichet(runner(), ['users', 'disable', 'acc_nobody']), /no user acc_nobody/);
    });
  }

  it('refuses a page size out of range before doing anything', async () => {
    await assert.rejects(guichet(local, ['users', 'list', '--limit', '0']), /between 1 and 500/);
  });
});
