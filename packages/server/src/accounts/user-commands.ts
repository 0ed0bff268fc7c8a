import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli/cli-context.ts';
import { createAccount, disableAccount, listAccounts, maxAccountPageSize } from './account-store.ts';
import { type PasswordSource, readNewPassword } from './password-prompt.ts';
import { toUserView, type UserPage, type UserView } from './user-view.ts';

function terminalPasswordSource(cli: CliContext): PasswordSource {
  return {
    interactive: process.stdin.isTTY === true,
    input: process.stdin,
    output: process.stderr,
    readStdin: () => cli.readStdin(),
  };
}

function pageSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > maxAccountPageSize)
    throw new InvalidArgumentError(`expected an integer between 1 and ${maxAccountPageSize}`);
  return size;
}

function printJson(cli: CliContext, value: unknown): void {
  cli.print(JSON.stringify(value, null, 2));
}

/** `guichet users create | list | disable`, through the admin API or on the data directly. */
export function registerUserCommands(program: Command, cli: CliContext): void {
  const users = program.command('users').description('manage the people who sign in');

  users
    .command('create')
    .description('create a user; the password is read from standard input, or asked for at a terminal')
    .requiredOption('--email <email>', 'email address, unique regardless of case')
    .requiredOption('--name <name>', 'display name')
    .action(async (options: { email: string; name: string }) => {
      // Never an argument: arguments end up in shell history and in every process listing.
      const password = await readNewPassword(terminalPasswordSource(cli));
      const input = { email: options.email, name: options.name, password };
      const user = await cli.run<UserView>({
        remote: (client) => client.request<UserView>('POST', '/users', input),
        local: async ({ ports }) => toUserView(await createAccount(ports.sql, input)),
      });
      printJson(cli, user);
    });

  users
    .command('list')
    .description('list users in creation order, as a JSON array')
    .option('--limit <count>', `at most this many (1-${maxAccountPageSize})`, pageSize, 100)
    .option('--after <id>', 'start after this user id (the last one of the previous page)')
    .action(async (options: { limit: number; after?: string }) => {
      const page = await cli.run<UserPage>({
        remote: (client) => {
          const query = new URLSearchParams({ limit: String(options.limit) });
          if (options.after !== undefined) query.set('after', options.after);
          return client.request<UserPage>('GET', `/users?${query}`);
        },
        local: async ({ ports }) => {
          const found = await listAccounts(ports.sql, { limit: options.limit, after: options.after });
          return { users: found.accounts.map(toUserView), next: found.next };
        },
      });
      printJson(cli, page.users);
    });

  users
    .command('disable')
    .description('stop a user from signing in')
    .argument('<id>', 'user id')
    .action(async (id: string) => {
      const user = await cli.run<UserView>({
        remote: (client) => client.request<UserView>('POST', `/users/${encodeURIComponent(id)}/disable`),
        local: async ({ ports }) => {
          const account = await disableAccount(ports.sql, id);
          if (account === undefined) throw new Error(`no user ${id}`);
          return toUserView(account);
        },
      });
      printJson(cli, user);
    });
}
