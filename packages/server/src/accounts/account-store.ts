import { sql as rawSql } from 'kysely';
import { batchedLookup } from '../ports/sql/batched-lookup.ts';
import { createdAfter, keysetPage, keysetPageSize } from '../ports/sql/keyset-page.ts';
import { preparedStatement } from '../ports/sql/prepared-statement.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { EmailTakenError, InvalidAccountInputError } from './account-errors.ts';
import { newAccountId } from './account-id.ts';
import type { AccountsLogger } from './accounts-logger.ts';
import { recordAuditEvent } from './audit-log.ts';
import { displayEmail, isPlausibleEmail, normalizeEmail } from './email-address.ts';
import { argon2idHasher, type PasswordHasher } from './password-hasher.ts';
import { checkPasswordPolicy } from './password-policy.ts';

/** A person who signs in, as the rest of the server sees them: the password hash never leaves this file. */
export interface Account {
  id: string;
  email: string;
  name: string;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  email: string;
  name: string;
  /** Omitted for an account that cannot sign in with a password (yet). */
  password?: string | undefined;
}

export interface AccountStoreOptions {
  hasher?: PasswordHasher;
  logger?: AccountsLogger;
}

const maxNameLength = 200;

// Every read names its columns, so password_hash is only ever read by findPasswordCredential.
const accountColumns = ['id', 'email', 'name', 'disabled_at', 'created_at', 'updated_at'] as const;

interface AccountRow {
  id: string;
  email: string;
  name: string;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new InvalidAccountInputError('name', 'name must not be empty');
  if ([...trimmed].length > maxNameLength)
    throw new InvalidAccountInputError('name', `name must have at most ${maxNameLength} characters`);
  if (/\p{Cc}/u.test(trimmed))
    throw new InvalidAccountInputError('name', 'name must not contain control characters');
  return trimmed;
}

function checkedEmail(email: string): string {
  if (!isPlausibleEmail(email)) throw new InvalidAccountInputError('email', 'not a valid email address');
  return displayEmail(email);
}

function checkedPassword(password: string): string {
  const problem = checkPasswordPolicy(password);
  if (problem !== undefined) throw new InvalidAccountInputError('password', problem);
  return password;
}

/**
 * Creates an account. Throws InvalidAccountInputError for a bad email, name or password, and
 * EmailTakenError when another account has the same address up to case, spaces and Unicode form.
 */
export async function createAccount(
  sql: SqlPort,
  input: NewAccount,
  options: AccountStoreOptions = {},
): Promise<Account> {
  const email = checkedEmail(input.email);
  const name = checkedName(input.name);
  const password = input.password === undefined ? undefined : checkedPassword(input.password);
  const passwordHash =
    password === undefined ? null : await (options.hasher ?? argon2idHasher).hash(password);
  // The unique index decides, so two concurrent creations of one address cannot both succeed.
  const row = await sql.db
    .insertInto('account')
    .values({
      id: newAccountId(),
      email,
      email_normalized: normalizeEmail(email),
      name,
      password_hash: passwordHash,
    })
    .onConflict((conflict) => conflict.column('email_normalized').doNothing())
    .returning(accountColumns)
    .executeTakeFirst();
  if (row === undefined) throw new EmailTakenError();
  await recordAuditEvent(sql, { type: 'account.created', accountId: row.id }, options.logger);
  return toAccount(row);
}

/** Read on every sign-in and token request: concurrent reads share one prepared statement. */
const accountsById = batchedLookup<AccountRow>(
  preparedStatement(
    'account_by_ids',
    `select ${accountColumns.join(', ')} from account where id = any($1::text[])`,
  ),
  'id',
);

export async function findAccountById(sql: SqlPort, id: string): Promise<Account | undefined> {
  const row = await accountsById(sql, id);
  return row === undefined ? undefined : toAccount(row);
}

/** Finds by address, compared as the unique index compares them. */
export async function findAccountByEmail(sql: SqlPort, email: string): Promise<Account | undefined> {
  const row = await sql.db
    .selectFrom('account')
    .select(accountColumns)
    .where('email_normalized', '=', normalizeEmail(email))
    .executeTakeFirst();
  return row === undefined ? undefined : toAccount(row);
}

/** What sign-in checks a password against. */
export interface PasswordCredential {
  account: Account;
  passwordHash: string | null;
}

export async function findPasswordCredential(
  sql: SqlPort,
  email: string,
): Promise<PasswordCredential | undefined> {
  const row = await sql.db
    .selectFrom('account')
    .select([...accountColumns, 'password_hash'])
    .where('email_normalized', '=', normalizeEmail(email))
    .executeTakeFirst();
  return row === undefined ? undefined : { account: toAccount(row), passwordHash: row.password_hash };
}

export interface AccountPage {
  accounts: Account[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export const maxAccountPageSize = 500;

/**
 * Accounts in creation order, `limit` at a time (1 to 500). `after` is the id of the last account
 * of the previous page; an id that does not exist gives an empty page.
 */
export async function listAccounts(
  sql: SqlPort,
  options: { limit: number; after?: string | undefined },
): Promise<AccountPage> {
  const size = keysetPageSize(options.limit, maxAccountPageSize);
  let query = sql.db
    .selectFrom('account')
    .select(accountColumns)
    .orderBy('created_at')
    .orderBy('id')
    .limit(size + 1);
  if (options.after !== undefined) query = query.where(createdAfter('account', options.after));
  const { rows, next } = keysetPage(await query.execute(), size);
  return { accounts: rows.map(toAccount), next };
}

/**
 * Stops the account from signing in. Idempotent: disabling twice keeps the first date.
 * Returns undefined when there is no such account.
 */
export async function disableAccount(
  sql: SqlPort,
  id: string,
  options: { logger?: AccountsLogger } = {},
): Promise<Account | undefined> {
  const row = await sql.db
    .updateTable('account')
    .set({ disabled_at: rawSql<Date>`now()`, updated_at: rawSql<Date>`now()` })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .returning(accountColumns)
    .executeTakeFirst();
  if (row === undefined) return findAccountById(sql, id);
  await recordAuditEvent(sql, { type: 'account.disabled', accountId: row.id }, options.logger);
  return toAccount(row);
}
