import type { CachePort } from '../../ports/cache/cache-port.ts';

/** Where a commit that queued variants says so, so every instance's worker looks at once. */
export const variantsQueuedChannel = 'files:variants-queued';

/** Best effort: a missed message only means the workers find the rows at their next poll. */
export function announceQueuedVariants(cache: CachePort): void {
  cache.publish(variantsQueuedChannel, '').catch(() => undefined);
}
