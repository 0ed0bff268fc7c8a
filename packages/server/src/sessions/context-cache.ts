import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';

/** Where a session's resolved context is cached, for a minute, in the cache port. */
export const contextCacheKey = (sid: string) => `ctx:${sid}`;

export async function forgetContext(cache: CachePort, sid: string): Promise<void> {
  await cache.delete(contextCacheKey(sid)).catch(() => undefined);
}

/**
 * Drops the cached contexts of a person. Called BEFORE announcing a membership change, so a
 * resource server that refetches on the event reads the new roles, not the cached old ones.
 */
export async function forgetContextsOf(
  ports: { sql: SqlPort; cache: CachePort },
  accountId: string,
): Promise<void> {
  const rows = await ports.sql.db
    .selectFrom('session_context')
    .select('sid')
    .where('account_id', '=', accountId)
    .where('ended_at', 'is', null)
    .execute();
  await Promise.all(rows.map((row) => forgetContext(ports.cache, row.sid)));
}
