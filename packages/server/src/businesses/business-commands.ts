import { type Command, InvalidArgumentError } from 'commander';
import { normalizeEmail } from '../accounts/email-address.ts';
import type { CliContext } from '../cli/cli-context.ts';
import { createBusiness, listBusinesses, maxBusinessPageSize, requireBusiness } from './business-store.ts';
import {
  type BusinessPageView,
  type BusinessView,
  toBusinessPageView,
  toBusinessView,
} from './business-view.ts';
import { type MemberView, toMemberView } from './member-view.ts';
import { addMember, listMembers, removeMember } from './membership-store.ts';

/** Commander calls this once per occurrence, so an option can be repeated. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function pageSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > maxBusinessPageSize)
    throw new InvalidArgumentError(`expected an integer between 1 and ${maxBusinessPageSize}`);
  return size;
}

function printJson(cli: CliContext, value: unknown): void {
  cli.print(JSON.stringify(value, null, 2));
}

function businessPath(business: string, rest = ''): string {
  return `/businesses/${encodeURIComponent(business)}${rest}`;
}

function notAMember(email: string, business: string): Error {
  return new Error(`${email} is not a member of ${business}`);
}

/** `guichet businesses ...`: create and list businesses, and manage who belongs to them with which roles. */
export function registerBusinessCommands(program: Command, cli: CliContext): void {
  const businesses = program
    .command('businesses')
    .description('manage businesses (tenants) and their members');

  businesses
    .command('create')
    .description('create a business; prints it as JSON')
    .requiredOption('--name <name>', 'name shown to people')
    .option('--slug <slug>', 'short unique name for URLs and commands (default: derived from the name)')
    .action(async (options: { name: string; slug?: string }) => {
      const input = { name: options.name, ...(options.slug === undefined ? {} : { slug: options.slug }) };
      const created = await cli.run<BusinessView>({
        remote: (client) => client.request('POST', '/businesses', input),
        local: async ({ ports }) => toBusinessView(await createBusiness(ports.sql, input)),
      });
      printJson(cli, created);
    });

  businesses
    .command('list')
    .description('list businesses in creation order, as a JSON array')
    .option('--limit <count>', `at most this many (1-${maxBusinessPageSize})`, pageSize, 100)
    .option('--after <id>', 'start after this business id (the last one of the previous page)')
    .action(async (options: { limit: number; after?: string }) => {
      const page = await cli.run<BusinessPageView>({
        remote: (client) => {
          const query = new URLSearchParams({ limit: String(options.limit) });
          if (options.after !== undefined) query.set('after', options.after);
          return client.request('GET', `/businesses?${query}`);
        },
        local: async ({ ports }) =>
          toBusinessPageView(await listBusinesses(ports.sql, { limit: options.limit, after: options.after })),
      });
      printJson(cli, page.businesses);
    });

  businesses
    .command('show')
    .description('show one business as JSON')
    .argument('<business>', 'business id or slug')
    .action(async (business: string) => {
      const shown = await cli.run<BusinessView>({
        remote: (client) => client.request('GET', businessPath(business)),
        local: async ({ ports }) => toBusinessView(await requireBusiness(ports.sql, business)),
      });
      printJson(cli, shown);
    });

  businesses
    .command('members')
    .description('list the members of a business with their roles, as a JSON array')
    .argument('<business>', 'business id or slug')
    .action(async (business: string) => {
      const members = await cli.run<MemberView[]>({
        remote: async (client) =>
          (await client.request<{ members: MemberView[] }>('GET', businessPath(business, '/members')))
            .members,
        local: async ({ ports }) => {
          const found = await requireBusiness(ports.sql, business);
          return (await listMembers(ports.sql, found.id)).map(toMemberView);
        },
      });
      printJson(cli, members);
    });

  businesses
    .command('add-member')
    .description('add a person to a business, or replace their roles there; prints the membership as JSON')
    .argument('<business>', 'business id or slug')
    .requiredOption('--email <email>', 'email of an existing user')
    .requiredOption('--role <role>', 'owner, admin, member or a custom role name; repeatable', collect)
    .action(async (business: string, options: { email: string; role: string[] }) => {
      const body = { email: options.email, roles: options.role };
      const member = await cli.run<MemberView>({
        remote: (client) => client.request('POST', businessPath(business, '/members'), body),
        local: async ({ ports }) => {
          const found = await requireBusiness(ports.sql, business);
          return toMemberView(await addMember(ports, { businessId: found.id, ...body }));
        },
      });
      printJson(cli, member);
    });

  businesses
    .command('remove-member')
    .description('remove a person from a business; prints the membership they had as JSON')
    .argument('<business>', 'business id or slug')
    .requiredOption('--email <email>', 'email of the member')
    .action(async (business: string, options: { email: string }) => {
      const removed = await cli.run<MemberView>({
        remote: async (client) => {
          // The admin API removes by account id; the member list says which account has this address.
          const { members } = await client.request<{ members: MemberView[] }>(
            'GET',
            businessPath(business, '/members'),
          );
          const wanted = normalizeEmail(options.email);
          const member = members.find((candidate) => normalizeEmail(candidate.email) === wanted);
          if (member === undefined) throw notAMember(options.email, business);
          await client.request(
            'DELETE',
            businessPath(business, `/members/${encodeURIComponent(member.accountId)}`),
          );
          return member;
        },
        local: async ({ ports }) => {
          const found = await requireBusiness(ports.sql, business);
          const member = await removeMember(ports, { businessId: found.id, email: options.email });
          if (member === undefined) throw notAMember(options.email, business);
          return toMemberView(member);
        },
      });
      printJson(cli, removed);
    });
}
