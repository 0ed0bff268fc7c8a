import type { CachePort } from '../ports/cache/cache-port.ts';
import { type BusinessesLogger, processWarningLogger } from './businesses-logger.ts';

/** The cache channel every instance listens on for changes that cached session context depends on. */
export const membershipEventsChannel = 'events';

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
 * Tells every instance that a membership changed. Best effort: the change is already committed and a
 * cache that is down must not undo or fail it, so trouble is logged and reported as false.
 */
export async function publishMembershipChanged(
  cache: CachePort,
  change: MembershipChange,
  logger: BusinessesLogger = processWarningLogger,
  at: Date = new Date(),
): Promise<boolean> {
  const event: MembershipChangedEvent = {
    type: 'membership.changed',
    businessId: change.businessId,
    accountId: change.accountId,
    at: at.toISOString(),
  };
  try {
    await cache.publish(membershipEventsChannel, JSON.stringify(event));
    return true;
  } catch (error) {
    logger.warn(
      { err: error, businessId: change.businessId, accountId: change.accountId },
      'membership.changed event not published',
    );
    return false;
  }
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
  const { businessId, accountId, at } = parsed;
  if (typeof businessId !== 'string' || typeof accountId !== 'string' || typeof at !== 'string')
    return undefined;
  return { type: 'membership.changed', businessId, accountId, at };
}
