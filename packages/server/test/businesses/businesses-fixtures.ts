import { randomBytes } from 'node:crypto';
import { type Account, createAccount } from '../../src/accounts/account-store.ts';
import {
  type MembershipChangedEvent,
  membershipEventsChannel,
  parseMembershipChangedEvent,
} from '../../src/businesses/membership-events.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';

/** A word no other test uses, so suites sharing a database never collide on names, slugs or emails. */
export function uniqueWord(label: string): string {
  return `${label}${randomBytes(4).toString('hex')}`;
}

/** An account without a password (no hashing cost), with an address no other test uses. */
export async function newAccount(sql: SqlPort, label = 'person'): Promise<Account> {
  const word = uniqueWord(label);
  return createAccount(sql, { email: `${word}@example.com`, name: `${label} ${word}` });
}

/** Collects what the domain logs, to assert that trouble was reported. */
export function collectingLogger(): { warn(details: object, message: string): void; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn(details, message) {
      lines.push(
        `${message} ${JSON.stringify(details, (_key, value) => (value instanceof Error ? value.message : value))}`,
      );
    },
  };
}

export interface EventRecorder {
  /** membership.changed events received so far, in order. */
  readonly events: MembershipChangedEvent[];
  /** The raw messages of those events. */
  readonly messages: string[];
  /** Resolves once `count` membership events have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<MembershipChangedEvent[]>;
  stop(): Promise<void>;
}

/**
 * Listens on the events channel as another instance would, keeping the events about the given
 * businesses (or all), so a late event of another test never counts.
 */
export async function recordMembershipEvents(
  cache: CachePort,
  businessIds?: readonly string[],
): Promise<EventRecorder> {
  const events: MembershipChangedEvent[] = [];
  const messages: string[] = [];
  const unsubscribe = await cache.subscribe(membershipEventsChannel, (message) => {
    const event = parseMembershipChangedEvent(message);
    if (event === undefined || (businessIds !== undefined && !businessIds.includes(event.businessId))) return;
    messages.push(message);
    events.push(event);
  });
  return {
    events,
    messages,
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} membership events, got ${events.length}: ${messages.join(' ')}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return events.slice(0, count);
    },
    stop: unsubscribe,
  };
}
