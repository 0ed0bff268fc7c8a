import { membershipsOf } from '../businesses/membership-store.ts';
import type { EventsLogger } from '../events/publish-event.ts';
import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { openSessionContext, type SessionContext } from './session-context-store.ts';

export interface SessionFacts {
  sessionUid: string;
  accountId: string;
  authTime: Date;
  amr: string[];
  expiresAt: Date;
}

/**
 * The context of a session, opened on first use. A person in exactly one business works in it
 * without being asked; someone in several chooses on the business chooser page.
 */
export async function ensureSessionContext(
  ports: { sql: SqlPort; cache: CachePort },
  facts: SessionFacts,
  logger?: EventsLogger,
  /** What the caller just read for this session (null: nothing), so it is not read twice. */
  known?: SessionContext | null,
): Promise<SessionContext> {
  const memberships = await membershipsOf(ports.sql, facts.accountId);
  const only = memberships.length === 1 ? memberships[0]?.businessId : undefined;
  return openSessionContext(ports, { ...facts, businessId: only ?? null }, logger, known);
}

/** Whether the person must pick a business before their session can act for one. */
export async function businessChoiceNeeded(
  sql: SqlPort,
  context: SessionContext | undefined,
  accountId: string,
): Promise<boolean> {
  if (context?.businessId && context.accountId === accountId && context.endedAt === null) return false;
  return (await membershipsOf(sql, accountId)).length > 1;
}
