import type { Selectable } from 'kysely';
import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import type { OidcClientTable } from './clients-tables.ts';

export type ClientRow = Selectable<OidcClientTable>;

/**
 * How long a client row read from SQL is reused in process. This is the bound on staleness: a deleted
 * client or a rotated secret stops working on every instance within this time, even if the 'clients'
 * event is lost (cache port down); usually it stops as soon as the event arrives, in milliseconds.
 */
export const clientCacheTtlMs = 5_000;

/** Channel on the cache port announcing that a client changed; the message is its client_id. */
export const clientsChannel = 'clients';

const maxEntries = 10_000;

interface Entry {
  row: ClientRow;
  expiresAt: number;
}

/**
 * Rows of oidc_client kept in memory for a few seconds, because the provider asks for the client on
 * every token request. It holds the sealed secret, never the opened one.
 */
export interface ClientRowCache {
  /** The row from memory, or from `load` (SQL) when absent or expired. */
  read(clientId: string, load: () => Promise<ClientRow | undefined>): Promise<ClientRow | undefined>;
  /** Drops the row here at once and tells the other instances to drop theirs. Call after the write commits. */
  invalidate(clientId: string): Promise<void>;
}

function createClientRowCache(cache: CachePort): ClientRowCache {
  const entries = new Map<string, Entry>();
  /*
   * Bumped by every invalidation: a read that started before one must not store what it read, since
   * that may predate the change (the event can overtake the SQL answer).
   */
  let epoch = 0;
  let subscribed: Promise<boolean> | undefined;

  function drop(clientId: string): void {
    entries.delete(clientId);
    epoch += 1;
  }

  /** Nothing is kept until the subscription stands: an unheard invalidation would serve stale rows. */
  function subscription(): Promise<boolean> {
    subscribed ??= cache.subscribe(clientsChannel, drop).then(
      () => true,
      () => {
        // Retried on a later read; meanwhile every read goes to SQL.
        subscribed = undefined;
        return false;
      },
    );
    return subscribed;
  }

  function store(clientId: string, row: ClientRow): void {
    entries.delete(clientId);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(clientId, { row, expiresAt: performance.now() + clientCacheTtlMs });
  }

  return {
    async read(clientId, load) {
      const entry = entries.get(clientId);
      if (entry !== undefined && entry.expiresAt > performance.now()) return entry.row;
      const canKeep = await subscription();
      const before = epoch;
      const row = await load();
      // Unknown ids are not kept: a client created elsewhere must be usable at once.
      if (row !== undefined && canKeep && epoch === before) store(clientId, row);
      else entries.delete(clientId);
      return row;
    },

    async invalidate(clientId) {
      drop(clientId);
      // A lost event only delays the other instances, by at most clientCacheTtlMs.
      await cache.publish(clientsChannel, clientId).catch(() => undefined);
    },
  };
}

/*
 * One cache per SQL port, i.e. per database connection of this process: every context sharing the
 * connection sees the same rows, and a change made through one is seen by the others at once.
 */
const caches = new WeakMap<SqlPort, ClientRowCache>();

export function clientRowCacheFor(ports: { sql: SqlPort; cache: CachePort }): ClientRowCache {
  let rowCache = caches.get(ports.sql);
  if (rowCache === undefined) {
    rowCache = createClientRowCache(ports.cache);
    caches.set(ports.sql, rowCache);
  }
  return rowCache;
}
