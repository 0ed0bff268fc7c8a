import type { KeysContext } from '../../src/keys/keys-context.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, newMasterKey } from '../support/domain-test-context.ts';

export { newMasterKey, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';

/** What the keys domain needs of a ServerContext; a memory cache unless one is given. */
export function keysContext(sql: SqlPort, options: { cache?: CachePort; masterKey?: string } = {}) {
  const context: KeysContext = {
    ports: { sql, cache: options.cache ?? createMemoryCache() },
    masterKey: options.masterKey ?? newMasterKey(),
  };
  return context;
}

/** A whole ServerContext around a KeysContext, as CLI commands receive one; objects in a temporary dir. */
export function serverContextAround(
  keys: KeysContext,
): Promise<{ context: ServerContext; dispose(): Promise<void> }> {
  return createTestContext({ sql: keys.ports.sql, cache: keys.ports.cache, masterKey: keys.masterKey });
}

/**
 * Records the first value passed to `callback`; `within(ms)` then resolves with it, or rejects when it
 * has not come `ms` after `within` was called (so the clock starts where the test says, not before).
 */
export function firstCall<T>(): { callback: (value: T) => void; within(ms: number): Promise<T> } {
  let resolveFirst: (value: T) => void = () => {};
  const first = new Promise<T>((resolve) => {
    resolveFirst = resolve;
  });
  return {
    callback: (value) => resolveFirst(value),
    within(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not called within ${ms} ms`)), ms);
      });
      return Promise.race([first, late]).finally(() => clearTimeout(timer));
    },
  };
}
