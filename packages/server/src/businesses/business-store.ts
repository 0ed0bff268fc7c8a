import { sql as rawSql } from 'kysely';
import type { CachePort } from '../ports/cache/cache-port.ts';
import { createdAfter, keysetPage, keysetPageSize } from '../ports/sql/keyset-page.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { SlugTakenError, UnknownBusinessError } from './business-errors.ts';
import { looksLikeBusinessId, newBusinessId } from './business-id.ts';
import { checkedBusinessName } from './business-name.ts';
import { checkedSlug, firstFreeSlug, slugFromName } from './business-slug.ts';
import type { BusinessesLogger } from './businesses-logger.ts';
import { publishMembershipChanged } from './membership-events.ts';

export interface Business {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewBusiness {
  name: string;
  /** Derived from the name when omitted (and then made unique with -2, -3...). */
  slug?: string | undefined;
}

const businessColumns = ['id', 'name', 'slug', 'created_at', 'updated_at'] as const;

interface BusinessRow {
  id: string;
  name: string;
  slug: string;
  created_at: Date;
  updated_at: Date;
}

function toBusiness(row: BusinessRow): Business {
  return { id: row.id, name: row.name, slug: row.slug, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** An explicit slug may still take ours between our look and our insert; past this many, give up. */
const derivedSlugAttempts = 3;

type SqlExecutor = SqlPort['db'];

async function insertBusiness(db: SqlExecutor, name: string, slug: string): Promise<Business | undefined> {
  // The unique index decides, so two concurrent creations cannot both get one slug.
  const row = await db
    .insertInto('business')
    .values({ id: newBusinessId(), name, slug })
    .onConflict((conflict) => conflict.column('slug').doNothing())
    .returning(businessColumns)
    .executeTakeFirst();
  return row === undefined ? undefined : toBusiness(row);
}

async function slugsStartingWith(db: SqlExecutor, base: string): Promise<string[]> {
  // A base holds only [a-z0-9-], none of which is special to LIKE.
  const rows = await db
    .selectFrom('business')
    .select('slug')
    .where((where) => where.or([where('slug', '=', base), where('slug', 'like', `${base}-%`)]))
    .execute();
  return rows.map((row) => row.slug);
}

/**
 * Picks and inserts the first free slug for `base`. Creations that derive the same base queue on an
 * advisory lock for the length of the transaction, so N concurrent "Acme" get acme, acme-2... acme-N
 * instead of all but one colliding.
 */
async function insertWithDerivedSlug(
  sql: SqlPort,
  name: string,
  base: string,
): Promise<Business | undefined> {
  return sql.db.transaction().execute(async (transaction) => {
    await rawSql`select pg_advisory_xact_lock(hashtext(${`guichet.business-slug:${base}`}))`.execute(
      transaction,
    );
    const slug = firstFreeSlug(base, await slugsStartingWith(transaction, base));
    return insertBusiness(transaction, name, slug);
  });
}

/**
 * Creates a business. An explicit slug must be valid and free (SlugTakenError otherwise); without one,
 * the slug is derived from the name and suffixed -2, -3... past the ones taken. Throws
 * InvalidBusinessInputError for a bad name or slug.
 */
export async function createBusiness(sql: SqlPort, input: NewBusiness): Promise<Business> {
  const name = checkedBusinessName(input.name);
  if (input.slug !== undefined) {
    const slug = checkedSlug(input.slug);
    const created = await insertBusiness(sql.db, name, slug);
    if (created === undefined) throw new SlugTakenError(slug);
    return created;
  }
  const base = slugFromName(name);
  for (let attempt = 0; attempt < derivedSlugAttempts; attempt += 1) {
    const created = await insertWithDerivedSlug(sql, name, base);
    if (created !== undefined) return created;
  }
  throw new SlugTakenError(base);
}

export async function getBusiness(sql: SqlPort, id: string): Promise<Business | undefined> {
  const row = await sql.db
    .selectFrom('business')
    .select(businessColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toBusiness(row);
}

export async function findBusinessBySlug(sql: SqlPort, slug: string): Promise<Business | undefined> {
  const row = await sql.db
    .selectFrom('business')
    .select(businessColumns)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row === undefined ? undefined : toBusiness(row);
}

/** For operators (CLI, admin API), who may name a business by its id or its slug. */
export async function findBusiness(sql: SqlPort, idOrSlug: string): Promise<Business | undefined> {
  return looksLikeBusinessId(idOrSlug) ? getBusiness(sql, idOrSlug) : findBusinessBySlug(sql, idOrSlug);
}

/** Like findBusiness, throwing UnknownBusinessError when there is none. */
export async function requireBusiness(sql: SqlPort, idOrSlug: string): Promise<Business> {
  const business = await findBusiness(sql, idOrSlug);
  if (business === undefined) throw new UnknownBusinessError(idOrSlug);
  return business;
}

export interface BusinessPage {
  businesses: Business[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export const maxBusinessPageSize = 500;

/**
 * Businesses in creation order, `limit` at a time (1 to 500). `after` is the id of the last business
 * of the previous page; an id that does not exist gives an empty page.
 */
export async function listBusinesses(
  sql: SqlPort,
  options: { limit: number; after?: string | undefined },
): Promise<BusinessPage> {
  const size = keysetPageSize(options.limit, maxBusinessPageSize);
  let query = sql.db
    .selectFrom('business')
    .select(businessColumns)
    .orderBy('created_at')
    .orderBy('id')
    .limit(size + 1);
  if (options.after !== undefined) query = query.where(createdAfter('business', options.after));
  const { rows, next } = keysetPage(await query.execute(), size);
  return { businesses: rows.map(toBusiness), next };
}

/** Changes the name only: the slug stays, so links and scripts that use it keep working. */
export async function renameBusiness(sql: SqlPort, id: string, name: string): Promise<Business> {
  const checked = checkedBusinessName(name);
  const row = await sql.db
    .updateTable('business')
    .set({ name: checked, updated_at: rawSql<Date>`now()` })
    .where('id', '=', id)
    .returning(businessColumns)
    .executeTakeFirst();
  if (row === undefined) throw new UnknownBusinessError(id);
  return toBusiness(row);
}

/**
 * Deletes a business and, with it, every membership in it; each former member's change is announced
 * like any other membership change. Returns false when there is no such business.
 */
export async function deleteBusiness(
  ports: { sql: SqlPort; cache: CachePort },
  id: string,
  options: { logger?: BusinessesLogger } = {},
): Promise<boolean> {
  const formerMembers = await ports.sql.db.transaction().execute(async (transaction) => {
    // Deleted here rather than by the cascade, to learn who they were.
    const members = await transaction
      .deleteFrom('membership')
      .where('business_id', '=', id)
      .returning('account_id')
      .execute();
    const deleted = await transaction.deleteFrom('business').where('id', '=', id).executeTakeFirst();
    return deleted.numDeletedRows > 0n ? members.map((member) => member.account_id) : undefined;
  });
  if (formerMembers === undefined) return false;
  await Promise.all(
    formerMembers.map((accountId) =>
      publishMembershipChanged(ports, { businessId: id, accountId }, options.logger),
    ),
  );
  return true;
}
