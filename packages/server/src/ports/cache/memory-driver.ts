import type { CachePort } from './cache-port.ts';

export interface MemoryCacheOptions {
  /** Past this many keys the least recently written one is evicted (default 100,000). */
  maxEntries?: number;
  /** How often expired keys are swept so they do not pile up unread (default 30 s). */
  sweepIntervalMs?: number;
  /** Receives errors thrown by subscription handlers (default: a process warning). */
  onError?: (error: Error) => void;
}

interface Entry {
  value: string;
  /** Monotonic deadline (performance.now()), or undefined to keep until deleted. */
  expiresAt: number | undefined;
}

type Handler = (message: string) => void;

/** One subscribe call: an object, so one function subscribed twice is two independent subscriptions. */
interface Subscription {
  handler: Handler;
}

function checkDuration(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new RangeError(`${name} must be a positive number of milliseconds`);
  // Redis counts whole milliseconds; rounding up keeps both drivers alike.
  return Math.ceil(ms);
}

function reportAsWarning(error: Error): void {
  process.emitWarning(error);
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** Single-process cache and events: enough for one instance, shares nothing across instances. */
export function createMemoryCache(options: MemoryCacheOptions = {}): CachePort {
  const maxEntries = options.maxEntries ?? 100_000;
  const onError = options.onError ?? reportAsWarning;
  const entries = new Map<string, Entry>();
  const channels = new Map<string, Set<Subscription>>();
  let closed = false;

  const now = () => performance.now();
  const isLive = (entry: Entry, at: number) => entry.expiresAt === undefined || entry.expiresAt > at;

  function liveEntry(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (isLive(entry, now())) return entry;
    entries.delete(key);
    return undefined;
  }

  /** Map order is insertion order: re-inserting on write makes the first key the least recently written. */
  function write(key: string, entry: Entry): void {
    entries.delete(key);
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
    entries.set(key, entry);
  }

  const sweep = setInterval(() => {
    const at = now();
    for (const [key, entry] of entries) {
      if (!isLive(entry, at)) entries.delete(key);
    }
  }, options.sweepIntervalMs ?? 30_000);
  // The sweep is housekeeping: it must never keep the process alive.
  sweep.unref();

  function ensureOpen(): void {
    if (closed) throw new Error('cache is closed');
  }

  function deliver(channel: string, message: string): void {
    if (closed) return;
    // Handlers of the moment of delivery, as the Redis driver does: unsubscribing stops delivery at once.
    const subscriptions = channels.get(channel);
    if (subscriptions === undefined) return;
    for (const subscription of [...subscriptions]) {
      try {
        subscription.handler(message);
      } catch (error) {
        onError(asError(error));
      }
    }
  }

  return {
    driver: 'memory',

    async get(key) {
      ensureOpen();
      return liveEntry(key)?.value;
    },

    async getMany(keys) {
      ensureOpen();
      return keys.map((key) => liveEntry(key)?.value);
    },

    async set(key, value, ttlMs) {
      ensureOpen();
      const expiresAt = ttlMs === undefined ? undefined : now() + checkDuration('ttlMs', ttlMs);
      write(key, { value, expiresAt });
    },

    async delete(key) {
      ensureOpen();
      entries.delete(key);
    },

    async increment(key, windowMs) {
      ensureOpen();
      const window = checkDuration('windowMs', windowMs);
      const entry = liveEntry(key);
      if (entry === undefined) {
        write(key, { value: '1', expiresAt: now() + window });
        return 1;
      }
      // Same rule as Redis INCR: only a decimal integer can be counted.
      if (!/^-?\d+$/.test(entry.value)) throw new Error('value is not an integer');
      const count = Number(entry.value) + 1;
      entry.value = String(count);
      // A key written without expiry still gets a window, as the Redis script does.
      if (entry.expiresAt === undefined) entry.expiresAt = now() + window;
      return count;
    },

    async publish(channel, message) {
      ensureOpen();
      // Never inside publish: callers must not rely on synchronous delivery that Redis cannot give.
      setImmediate(() => deliver(channel, message));
    },

    async subscribe(channel, handler) {
      ensureOpen();
      const subscription: Subscription = { handler };
      let subscriptions = channels.get(channel);
      if (subscriptions === undefined) {
        subscriptions = new Set();
        channels.set(channel, subscriptions);
      }
      subscriptions.add(subscription);
      return async () => {
        const current = channels.get(channel);
        if (current === undefined) return;
        current.delete(subscription);
        if (current.size === 0) channels.delete(channel);
      };
    },

    async ping() {
      ensureOpen();
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      entries.clear();
      channels.clear();
    },
  };
}
