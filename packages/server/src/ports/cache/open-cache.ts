import type { CachePort } from './cache-port.ts';
import { createMemoryCache } from './memory-driver.ts';
import { createRedisCache } from './redis-driver.ts';

export interface OpenCacheOptions {
  /** Set: Redis, shared by every instance. Unset or blank: in-process memory, for a single instance. */
  redisUrl?: string;
  /** Redis only: prefix of every key and channel (default 'guichet:'). */
  keyPrefix?: string;
  /** Connection trouble and errors thrown by subscription handlers (default: a process warning). */
  onError?: (error: Error) => void;
}

/**
 * Picks the driver from the configuration. With Redis this resolves even while Redis is down (see
 * createRedisCache): ping() tells whether the cache is actually reachable.
 */
export async function openCache(options: OpenCacheOptions): Promise<CachePort> {
  const redisUrl = options.redisUrl?.trim();
  if (redisUrl) {
    return createRedisCache(redisUrl, { keyPrefix: options.keyPrefix, onError: options.onError });
  }
  return createMemoryCache({ onError: options.onError });
}
