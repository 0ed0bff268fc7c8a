import { eventsChannel } from '../events/guichet-event.ts';
import { publishEvent } from '../events/publish-event.ts';
import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { forgetContextsOf } from '../sessions/context-cache.ts';
import { type BusinessesLogger, processWarningLogger } from './businesses-logger.ts';

/** The cache channel every instance listens on for changes that cached session context depends on. */
export const membershipEventsChannel = eventsChannel;

/**
 * Someone joined, left or changed roles in a business. Carries no roles, email or name: listeners
 * drop what they cached and read the truth from SQL.
 */
export interface MembershipChangedEvent {
  type: 'membership.changed';
  businessId: string;
  accountId: string;
  /** ISO 8601 time of the change. */
  at: string;
}

export interface MembershipChange {
  businessId: string;
  accountId: string;
}

/**
 * Tells every instance and resource server that a membership changed, through the event log (so
 * SSE clients can resume) and the cache channel. Best effort: the change is already committed and
 * an event that cannot be recorded or broadcast must not undo it, so trouble is logged and reported
 * as false.
 */
export async function publishMembershipChanged(
  ports: { sql: SqlPort; cache: CachePort },
  change: MembershipChange,
  logger: BusinessesLogger = processWarningLogger,
): Promise<boolean> {
  let delivered = true;
  await forgetContextsOf(ports, change.accountId).catch(() => undefined);
  const event = await publishEvent(
    ports,
    'membership.changed',
    { business_id: change.businessId, sub: change.accountId },
    {
      warn: (fields, message) => {
        delivered = false;
        logger.warn(
          { ...fields, businessId: change.businessId, accountId: change.accountId },
          `membership.changed event not published (${message})`,
        );
      },
    },
  );
  return event !== undefined && delivered;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a message of the events channel; undefined for anything else, since the channel is shared
 * with other kinds of event (and a malformed message must not crash a listener).
 */
export function parseMembershipChangedEvent(message: string): MembershipChangedEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.type !== 'membership.changed') return undefined;
  const { business_id: businessId, sub: accountId, at } = parsed;
  if (typeof businessId !== 'string' || typeof accountId !== 'string' || typeof at !== 'string')
    return undefined;
  return { type: 'membership.changed', businessId, accountId, at };
}
