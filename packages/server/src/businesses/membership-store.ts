import { type ExpressionBuilder, sql as rawSql } from 'kysely';
import { normalizeEmail } from '../accounts/email-address.ts';
import type { CachePort } from '../ports/cache/cache-port.ts';
import { preparedStatement } from '../ports/sql/prepared-statement.ts';
import type { Database } from '../ports/sql/schema.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { UnknownAccountError, UnknownBusinessError } from './business-errors.ts';
import { checkedRoles } from './business-roles.ts';
import { getBusiness } from './business-store.ts';
import type { BusinessesLogger } from './businesses-logger.ts';
import { describeMemberReference, type MemberReference, toMemberReference } from './member-reference.ts';
import { publishMembershipChanged } from './membership-events.ts';

/** A person's roles in one business, with who they are: what operators list and change. */
export interface Member {
  businessId: string;
  accountId: string;
  email: string;
  name: string;
  roles: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** One business a person belongs to, as a business chooser shows it. */
export interface MembershipOfAccount {
  businessId: string;
  name: string;
  slug: string;
  roles: string[];
}

export type AddMemberInput = MemberReference & { businessId: string; roles: readonly string[] };
export type RemoveMemberInput = MemberReference & { businessId: string };

/** Memberships change events, so changes need the cache as well as SQL. */
export interface MembershipPorts {
  sql: SqlPort;
  cache: CachePort;
}

export interface MembershipOptions {
  logger?: BusinessesLogger | undefined;
}

const memberColumns = [
  'changed.business_id',
  'changed.account_id',
  'account.email',
  'account.name',
  'changed.roles',
  'changed.created_at',
  'changed.updated_at',
] as const;

interface MemberRow {
  business_id: string;
  account_id: string;
  email: string;
  name: string;
  roles: string[];
  created_at: Date;
  updated_at: Date;
}

function toMember(row: MemberRow): Member {
  return {
    businessId: row.business_id,
    accountId: row.account_id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Matches the account a reference names, by id or by the normalized address sign-in uses. */
function accountMatches(reference: MemberReference) {
  return (where: ExpressionBuilder<Database, 'account'>) =>
    reference.accountId !== undefined
      ? where('account.id', '=', reference.accountId)
      : where('account.email_normalized', '=', normalizeEmail(reference.email ?? ''));
}

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23503';
}

/** Says which of the business and the account is missing, after an insert found no pair to link. */
async function missingPartError(sql: SqlPort, input: AddMemberInput): Promise<Error> {
  if ((await getBusiness(sql, input.businessId)) === undefined)
    return new UnknownBusinessError(input.businessId);
  return new UnknownAccountError(describeMemberReference(input));
}

/**
 * Makes an account a member of a business with exactly these roles: added if new, its roles replaced
 * otherwise. Throws InvalidBusinessInputError for bad roles, UnknownBusinessError or
 * UnknownAccountError when either side does not exist. Announces the change on the events channel.
 */
export async function addMember(
  ports: MembershipPorts,
  input: AddMemberInput,
  options: MembershipOptions = {},
): Promise<Member> {
  const reference = toMemberReference(input);
  const roles = checkedRoles(input.roles);
  let row: MemberRow | undefined;
  try {
    // One statement: the pair is linked only if both exist at that moment, with no gap to race in.
    row = await ports.sql.db
      .with('changed', (db) =>
        db
          .insertInto('membership')
          .columns(['business_id', 'account_id', 'roles'])
          .expression((eb) =>
            eb
              .selectFrom(['business', 'account'])
              .select([
                'business.id as business_id',
                'account.id as account_id',
                rawSql<string[]>`cast(${roles} as text[])`.as('roles'),
              ])
              .where('business.id', '=', input.businessId)
              .where(accountMatches(reference)),
          )
          .onConflict((conflict) =>
            conflict.columns(['business_id', 'account_id']).doUpdateSet({
              roles: (eb) => eb.ref('excluded.roles'),
              updated_at: rawSql<Date>`now()`,
            }),
          )
          .returningAll(),
      )
      .selectFrom('changed')
      .innerJoin('account', 'account.id', 'changed.account_id')
      .select(memberColumns)
      .executeTakeFirst();
  } catch (error) {
    // The business or the account was deleted while we linked them.
    if (isForeignKeyViolation(error)) throw await missingPartError(ports.sql, input);
    throw error;
  }
  if (row === undefined) throw await missingPartError(ports.sql, input);
  await publishMembershipChanged(
    ports,
    { businessId: row.business_id, accountId: row.account_id },
    options.logger,
  );
  return toMember(row);
}

/**
 * Removes an account from a business. Returns the membership as it was, or undefined when the
 * account (or the business) does not exist or was not a member. Announces the change.
 */
export async function removeMember(
  ports: MembershipPorts,
  input: RemoveMemberInput,
  options: MembershipOptions = {},
): Promise<Member | undefined> {
  const reference = toMemberReference(input);
  const row = await ports.sql.db
    .with('changed', (db) =>
      db
        .deleteFrom('membership')
        .where('business_id', '=', input.businessId)
        .where('account_id', 'in', (eb) =>
          eb.selectFrom('account').select('account.id').where(accountMatches(reference)),
        )
        .returningAll(),
    )
    .selectFrom('changed')
    .innerJoin('account', 'account.id', 'changed.account_id')
    .select(memberColumns)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  await publishMembershipChanged(
    ports,
    { businessId: row.business_id, accountId: row.account_id },
    options.logger,
  );
  return toMember(row);
}

/** Every member of one business, by email. Throws UnknownBusinessError when there is no such business. */
export async function listMembers(sql: SqlPort, businessId: string): Promise<Member[]> {
  const rows = await sql.db
    .selectFrom('membership as changed')
    .innerJoin('account', 'account.id', 'changed.account_id')
    .select(memberColumns)
    .where('changed.business_id', '=', businessId)
    .orderBy('account.email_normalized')
    .execute();
  // An empty list must still tell "no members" from "no business".
  if (rows.length === 0 && (await getBusiness(sql, businessId)) === undefined)
    throw new UnknownBusinessError(businessId);
  return rows.map(toMember);
}

/** Read twice per sign-in (the business prompt, then the session context): planned once per connection. */
const membershipsOfAccount = preparedStatement(
  'memberships_of_account',
  `select business.id, business.name, business.slug, membership.roles
   from membership join business on business.id = membership.business_id
   where membership.account_id = $1
   order by business.name, business.id`,
);

/** The businesses a person belongs to, by name, with their roles in each. */
export async function membershipsOf(sql: SqlPort, accountId: string): Promise<MembershipOfAccount[]> {
  const rows = await sql.run<{ id: string; name: string; slug: string; roles: string[] }>(
    membershipsOfAccount,
    [accountId],
  );
  return rows.map((row) => ({ businessId: row.id, name: row.name, slug: row.slug, roles: row.roles }));
}

/** The person's roles in that business, or undefined when they are not a member of it. */
export async function roleIn(
  sql: SqlPort,
  membership: { accountId: string; businessId: string },
): Promise<string[] | undefined> {
  const row = await sql.db
    .selectFrom('membership')
    .select('roles')
    .where('business_id', '=', membership.businessId)
    .where('account_id', '=', membership.accountId)
    .executeTakeFirst();
  return row?.roles;
}
