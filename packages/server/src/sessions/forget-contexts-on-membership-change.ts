import { parseMembershipChangedEvent } from '../businesses/membership-events.ts';
import { eventsChannel } from '../events/guichet-event.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { forgetContextsOf } from './session-context-store.ts';

/** Roles are cached with the context: when a membership changes, every instance drops that person's. */
export async function forgetContextsOnMembershipChange(context: ServerContext): Promise<() => Promise<void>> {
  return context.ports.cache.subscribe(eventsChannel, (message) => {
    const event = parseMembershipChangedEvent(message);
    if (event) void forgetContextsOf(context.ports, event.accountId).catch(() => undefined);
  });
}
