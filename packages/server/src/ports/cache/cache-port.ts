/**
 * Cache and events. Only an accelerator: every value here can be rebuilt from SQL,
 * so callers must treat a rejected call as a miss, never as data loss.
 */
export interface CachePort {
  readonly driver: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  /** Several values in one round trip, in the keys' order. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** ttlMs omitted: kept until deleted (or evicted by the driver). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Atomically adds one and returns the new count. The first increment opens a window of
   * windowMs after which the counter disappears (fixed-window rate limits).
   */
  increment(key: string, windowMs: number): Promise<number>;
  publish(channel: string, message: string): Promise<void>;
  /** Returns a function that removes this subscription. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
