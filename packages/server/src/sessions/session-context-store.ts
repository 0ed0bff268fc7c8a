import { randomBytes } from 'node:crypto';
import { roleIn } from '../businesses/membership-store.ts';
import { type EventsLogger, publishEvent } from '../events/publish-event.ts';
import type { CachePort } from '../ports/cache/cache-port.ts';
import { batchedLookup } from '../ports/sql/batched-lookup.ts';
import { preparedStatement } from '../ports/sql/prepared-statement.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { contextCacheKey, forgetContext } from './context-cache.ts';

type Ports = { sql: SqlPort; cache: CachePort };

export interface SessionContext {
  sid: string;
  accountId: string;
  businessId: string | null;
  authTime: Date;
  amr: string[];
  expiresAt: Date;
  endedAt: Date | null;
}

/** What resource servers learn about a session: ids and roles, resolved on the server. */
export type ResolvedContext =
  | { active: true; sub: string; sid: string; business_id: string | null; roles: string[]; exp: number }
  | { active: false };

export class NotAMemberError extends Error {
  constructor() {
    super('the person is not a member of that business');
    this.name = 'NotAMemberError';
  }
}

/** 256 random bits: says nothing about the person, their business or when they signed in. */
export function newSid(): string {
  return randomBytes(32).toString('base64url');
}

const cacheTtlMs = 60_000;

interface ContextRow {
  sid: string;
  account_id: string;
  business_id: string | null;
  auth_time: Date;
  amr: string[];
  expires_at: Date;
  ended_at: Date | null;
}

function toContext(row: ContextRow): SessionContext {
  return {
    sid: row.sid,
    accountId: row.account_id,
    businessId: row.business_id,
    authTime: new Date(row.auth_time),
    amr: row.amr,
    expiresAt: new Date(row.expires_at),
    endedAt: row.ended_at ? new Date(row.ended_at) : null,
  };
}

const columns = ['sid', 'account_id', 'business_id', 'auth_time', 'amr', 'expires_at', 'ended_at'] as const;

/** Read at every sign-in and token request: concurrent reads share one prepared statement. */
const contextsBySessionUid = batchedLookup<ContextRow & { session_uid: string }>(
  preparedStatement(
    'session_context_by_session_uids',
    `select session_uid, ${columns.join(', ')} from session_context where session_uid = any($1::text[])`,
    // One row per sign-in: the table grows as fast as sign-ins come.
    { planEachCall: true },
  ),
  'session_uid',
);

export async function findContextBySessionUid(
  sql: SqlPort,
  sessionUid: string,
): Promise<SessionContext | undefined> {
  const row = await contextsBySessionUid(sql, sessionUid);
  return row ? toContext(row) : undefined;
}

export async function findContextBySid(sql: SqlPort, sid: string): Promise<SessionContext | undefined> {
  const row = await sql.db
    .selectFrom('session_context')
    .select(columns)
    .where('sid', '=', sid)
    .executeTakeFirst();
  return row ? toContext(row) : undefined;
}

/**
 * The context of an oidc-provider session, created at its first sign-in. Signing in as someone
 * else in the same browser session ends the previous person's context.
 */
export async function openSessionContext(
  ports: Ports,
  input: {
    sessionUid: string;
    accountId: string;
    authTime: Date;
    amr: string[];
    expiresAt: Date;
    businessId?: string | null;
  },
  logger?: EventsLogger,
  /** What the caller just read for this session (null: nothing), so it is not read twice. */
  known?: SessionContext | null,
): Promise<SessionContext> {
  const existing =
    known === undefined ? await findContextBySessionUid(ports.sql, input.sessionUid) : (known ?? undefined);
  if (existing && existing.accountId === input.accountId && existing.endedAt === null) return existing;
  if (existing) {
    await ports.sql.db.deleteFrom('session_context').where('sid', '=', existing.sid).execute();
    await forgetContext(ports.cache, existing.sid);
    await publishEvent(ports, 'session.ended', { sid: existing.sid, sub: existing.accountId }, logger);
  }
  const row = await ports.sql.db
    .insertInto('session_context')
    .values({
      sid: newSid(),
      session_uid: input.sessionUid,
      account_id: input.accountId,
      business_id: input.businessId ?? null,
      auth_time: input.authTime,
      amr: input.amr,
      expires_at: input.expiresAt,
    })
    .onConflict((conflict) => conflict.column('session_uid').doNothing())
    .returning(columns)
    .executeTakeFirst();
  // A concurrent request created it first: use that one.
  if (row === undefined) {
    const winner = await findContextBySessionUid(ports.sql, input.sessionUid);
    if (winner === undefined) throw new Error('session context vanished');
    return winner;
  }
  return toContext(row);
}

/** Makes a business the active one of the session; every app sees it at once, no new token needed. */
export async function switchBusiness(
  ports: Ports,
  input: { sid: string; businessId: string },
  logger?: EventsLogger,
): Promise<{ sid: string; business_id: string; roles: string[] }> {
  const context = await findContextBySid(ports.sql, input.sid);
  if (context === undefined || context.endedAt !== null) throw new NotAMemberError();
  const roles = await roleIn(ports.sql, { accountId: context.accountId, businessId: input.businessId });
  if (roles === undefined) throw new NotAMemberError();
  await ports.sql.db
    .updateTable('session_context')
    .set({ business_id: input.businessId, updated_at: new Date() })
    .where('sid', '=', input.sid)
    .execute();
  await rememberBusinessChoice(ports.sql, context.accountId, input.businessId);
  await forgetContext(ports.cache, input.sid);
  await publishEvent(
    ports,
    'business.switched',
    { sid: input.sid, sub: context.accountId, business_id: input.businessId },
    logger,
  );
  return { sid: input.sid, business_id: input.businessId, roles };
}

export async function rememberBusinessChoice(
  sql: SqlPort,
  accountId: string,
  businessId: string,
): Promise<void> {
  await sql.db
    .insertInto('business_choice')
    .values({ account_id: accountId, business_id: businessId })
    .onConflict((conflict) =>
      conflict.column('account_id').doUpdateSet({ business_id: businessId, chosen_at: new Date() }),
    )
    .execute();
}

/** Ends the context with its session: tokens naming this sid stop working everywhere. */
export async function endSessionContext(
  ports: Ports,
  sessionUid: string,
  logger?: EventsLogger,
): Promise<void> {
  const ended = await ports.sql.db
    .updateTable('session_context')
    .set({ ended_at: new Date(), updated_at: new Date() })
    .where('session_uid', '=', sessionUid)
    .where('ended_at', 'is', null)
    .returning(['sid', 'account_id'])
    .executeTakeFirst();
  if (ended === undefined) return;
  await forgetContext(ports.cache, ended.sid);
  await publishEvent(ports, 'session.ended', { sid: ended.sid, sub: ended.account_id }, logger);
}

/** The context resource servers see, cached in the cache port for a minute and dropped on change. */
export async function resolveContext(ports: Ports, sid: string): Promise<ResolvedContext> {
  const cached = await ports.cache.get(contextCacheKey(sid)).catch(() => undefined);
  if (cached !== undefined) return JSON.parse(cached) as ResolvedContext;
  const context = await findContextBySid(ports.sql, sid);
  let resolved: ResolvedContext = { active: false };
  if (context && context.endedAt === null && context.expiresAt.getTime() > Date.now()) {
    const roles =
      context.businessId === null
        ? []
        : ((await roleIn(ports.sql, { accountId: context.accountId, businessId: context.businessId })) ?? []);
    resolved = {
      active: true,
      sub: context.accountId,
      sid,
      // A business the person has left is no longer theirs to act in.
      business_id: roles.length > 0 ? context.businessId : null,
      roles,
      exp: Math.floor(context.expiresAt.getTime() / 1000),
    };
  }
  await ports.cache.set(contextCacheKey(sid), JSON.stringify(resolved), cacheTtlMs).catch(() => undefined);
  return resolved;
}
