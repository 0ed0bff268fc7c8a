import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import type { ResourceServerForToken } from './resource-server-for-token.ts';

/**
 * How long a resource server read from SQL is reused in process. This is the bound on staleness: a
 * deleted resource server stops getting tokens on every instance within this time, even if the
 * 'resources' event is lost (cache port down); usually as soon as the event arrives, in milliseconds.
 */
export const resourceServerCacheTtlMs = 5_000;

/** Channel on the cache port announcing that a resource server changed; the message is its audience. */
export const resourcesChannel = 'resources';

const maxEntries = 10_000;

interface Entry {
  value: ResourceServerForToken;
  expiresAt: number;
}

/**
 * Resource servers kept in memory for a few seconds, because every token request names one. Same
 * design as the clients' row cache (src/clients/client-row-cache.ts).
 */
export interface ResourceServerCache {
  /** The resource server from memory, or from `load` (SQL) when absent or expired. */
  read(
    audience: string,
    load: () => Promise<ResourceServerForToken | undefined>,
  ): Promise<ResourceServerForToken | undefined>;
  /** Drops it here at once and tells the other instances to drop theirs. Call after the write commits. */
  invalidate(audience: string): Promise<void>;
}

function createResourceServerCache(cache: CachePort): ResourceServerCache {
  const entries = new Map<string, Entry>();
  /*
   * Bumped by every invalidation: a read that started before one must not store what it read, since
   * that may predate the change (the event can overtake the SQL answer).
   */
  let epoch = 0;
  let subscribed: Promise<boolean> | undefined;

  function drop(audience: string): void {
    entries.delete(audience);
    epoch += 1;
  }

  /** Nothing is kept until the subscription stands: an unheard invalidation would serve stale values. */
  function subscription(): Promise<boolean> {
    subscribed ??= cache.subscribe(resourcesChannel, drop).then(
      () => true,
      () => {
        // Retried on a later read; meanwhile every read goes to SQL.
        subscribed = undefined;
        return false;
      },
    );
    return subscribed;
  }

  function store(audience: string, value: ResourceServerForToken): void {
    entries.delete(audience);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(audience, { value, expiresAt: performance.now() + resourceServerCacheTtlMs });
  }

  return {
    async read(audience, load) {
      const entry = entries.get(audience);
      if (entry !== undefined && entry.expiresAt > performance.now()) return entry.value;
      const canKeep = await subscription();
      const before = epoch;
      const value = await load();
      // Unknown audiences are not kept: a resource server registered elsewhere must be usable at once.
      if (value !== undefined && canKeep && epoch === before) store(audience, value);
      else entries.delete(audience);
      return value;
    },

    async invalidate(audience) {
      drop(audience);
      // A lost event only delays the other instances, by at most resourceServerCacheTtlMs.
      await cache.publish(resourcesChannel, audience).catch(() => undefined);
    },
  };
}

/*
 * One cache per SQL port, i.e. per database connection of this process: every context sharing the
 * connection sees the same resource servers, and a change made through one is seen by the others at once.
 */
const caches = new WeakMap<SqlPort, ResourceServerCache>();

export function resourceServerCacheFor(ports: { sql: SqlPort; cache: CachePort }): ResourceServerCache {
  let found = caches.get(ports.sql);
  if (found === undefined) {
    found = createResourceServerCache(ports.cache);
    caches.set(ports.sql, found);
  }
  return found;
}
