import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { CachePort } from './cache-port.ts';

export interface RedisCacheOptions {
  /** Put before every key and channel so several deployments can share one Redis (default 'guichet:'). */
  keyPrefix?: string;
  /**
   * Receives connection trouble (once per outage per connection, not once per retry) and errors thrown
   * by subscription handlers. Messages name the host, never the password. Default: a process warning.
   */
  onError?: (error: Error) => void;
}

type Handler = (message: string) => void;

/** One subscribe call: an object, so one function subscribed twice is two independent subscriptions. */
interface Subscription {
  handler: Handler;
}

/** How long createRedisCache waits for the first connection before resolving anyway. */
const startupWaitMs = 3_000;

/**
 * Counts and opens the window in one step. PTTL -1 means the key has no expiry: just created, or left
 * by a plain set; either way it gets the window, so a counter can never live forever.
 */
const incrementScript = `
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
`;
const incrementSha = createHash('sha1').update(incrementScript).digest('hex');

/**
 * Fail fast rather than queue: the cache is an accelerator, so a command issued while Redis is away
 * must reject at once (callers fall back to SQL) instead of piling up until Redis returns.
 */
const connectionOptions: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  // Commands in flight when the connection drops reject on that drop instead of being replayed.
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // Backstop for a Redis that accepts the connection but stops answering.
  commandTimeout: 1_000,
  connectTimeout: 2_000,
  // Never give up: keep retrying with a capped backoff so the instance heals when Redis is back.
  retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  // Channels are resubscribed by this driver, which also knows those subscribed while Redis was away.
  autoResubscribe: false,
};

function checkDuration(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new RangeError(`${name} must be a positive number of milliseconds`);
  // PX and PEXPIRE take whole milliseconds.
  return Math.ceil(ms);
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

function reportAsWarning(error: Error): void {
  process.emitWarning(error);
}

/** The host:port to name in messages; the URL itself may carry a password and is never repeated. */
function hostOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('invalid Redis URL (expected redis://[user:password@]host[:port][/db])');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`invalid Redis URL scheme '${parsed.protocol}' (expected redis: or rediss:)`);
  }
  return parsed.host || 'localhost:6379';
}

/**
 * Redis cache and events across instances. Startup never fails because Redis is down: the promise
 * resolves after the first connection attempt settles (or after ~3 s), the driver keeps reconnecting
 * in the background, and meanwhile every command rejects promptly and ping() reports the outage. This
 * lets an instance boot, and keep serving degraded, while Redis restarts. Only a malformed URL rejects.
 */
export async function createRedisCache(url: string, options: RedisCacheOptions = {}): Promise<CachePort> {
  const host = hostOf(url);
  const prefix = options.keyPrefix ?? 'guichet:';
  const onError = options.onError ?? reportAsWarning;
  const channels = new Map<string, Set<Subscription>>();
  let subscriber: Promise<Redis> | undefined;
  let closed = false;

  // Message only, no `cause`: ioredis errors can carry the failed command's arguments, and a HELLO or
  // AUTH carries the password, which a logger serialising the cause would print.
  const failure = (cause: unknown) => new Error(`redis ${host}: ${asError(cause).message}`);

  /** Handles 'error' (an unhandled one would crash the process) and reports one per outage. */
  function watch(connection: Redis, role: string): Redis {
    let reported = false;
    connection.on('error', (error: Error) => {
      if (reported || closed) return;
      reported = true;
      onError(new Error(`redis ${host} (${role} connection): ${error.message}`));
    });
    connection.on('ready', () => {
      reported = false;
    });
    return connection;
  }

  /** Resolves when the first connection attempt has settled either way, or after startupWaitMs. */
  async function firstAttempt(connection: Redis): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, startupWaitMs);
      timer.unref();
    });
    // A failed first attempt is already reported through 'error'; reconnection goes on regardless.
    await Promise.race([connection.connect().catch(() => undefined), wait]);
    clearTimeout(timer);
  }

  // Commands issued in the same tick (by concurrent requests) leave in one write: fewer syscalls.
  const commands = watch(new Redis(url, { ...connectionOptions, enableAutoPipelining: true }), 'command');
  await firstAttempt(commands);

  function ensureOpen(): void {
    if (closed) throw new Error('cache is closed');
  }

  async function run<T>(command: () => Promise<T>): Promise<T> {
    ensureOpen();
    // Said plainly rather than as ioredis's "Stream isn't writeable and enableOfflineQueue ...".
    if (commands.status !== 'ready') throw failure(new Error(`not connected (${commands.status})`));
    try {
      return await command();
    } catch (error) {
      throw failure(error);
    }
  }

  function dispatch(prefixedChannel: string, message: string): void {
    if (closed || !prefixedChannel.startsWith(prefix)) return;
    const subscriptions = channels.get(prefixedChannel.slice(prefix.length));
    if (subscriptions === undefined) return;
    for (const subscription of [...subscriptions]) {
      try {
        subscription.handler(message);
      } catch (error) {
        onError(asError(error));
      }
    }
  }

  /** A connection in subscriber mode can run nothing else, hence a second one, opened on first use. */
  function subscriberConnection(): Promise<Redis> {
    subscriber ??= (async () => {
      const connection = watch(new Redis(url, connectionOptions), 'subscriber');
      connection.on('message', dispatch);
      connection.on('ready', () => {
        // After every (re)connection: SUBSCRIBE state lives on the connection and died with the old one.
        const names = [...channels.keys()].map((channel) => prefix + channel);
        if (names.length > 0) connection.subscribe(...names).catch((error) => onError(failure(error)));
      });
      await firstAttempt(connection);
      return connection;
    })();
    return subscriber;
  }

  return {
    driver: 'redis',

    async get(key) {
      const value = await run(() => commands.get(prefix + key));
      return value ?? undefined;
    },

    async getMany(keys) {
      if (keys.length === 0) return run(async () => []);
      const values = await run(() => commands.mget(keys.map((key) => prefix + key)));
      return values.map((value) => value ?? undefined);
    },

    async set(key, value, ttlMs) {
      if (ttlMs === undefined) {
        await run(() => commands.set(prefix + key, value));
      } else {
        const ttl = checkDuration('ttlMs', ttlMs);
        await run(() => commands.set(prefix + key, value, 'PX', ttl));
      }
    },

    async delete(key) {
      await run(() => commands.del(prefix + key));
    },

    async increment(key, windowMs) {
      const window = String(checkDuration('windowMs', windowMs));
      const count = await run(async () => {
        try {
          return await commands.evalsha(incrementSha, 1, prefix + key, window);
        } catch (error) {
          // First use on this server (or after SCRIPT FLUSH): send the script itself, which caches it.
          if (!asError(error).message.startsWith('NOSCRIPT')) throw error;
          return await commands.eval(incrementScript, 1, prefix + key, window);
        }
      });
      if (typeof count !== 'number') throw failure(new Error(`unexpected INCR reply ${String(count)}`));
      return count;
    },

    async publish(channel, message) {
      await run(() => commands.publish(prefix + channel, message));
    },

    /**
     * Resolves once Redis has confirmed the subscription. While Redis is unreachable it resolves anyway:
     * the channel is remembered and subscribed as soon as the connection is back (messages published
     * meanwhile are lost, as with any Redis pub/sub).
     */
    async subscribe(channel, handler) {
      ensureOpen();
      const subscription: Subscription = { handler };
      let subscriptions = channels.get(channel);
      if (subscriptions === undefined) {
        subscriptions = new Set();
        channels.set(channel, subscriptions);
      }
      subscriptions.add(subscription);
      const connection = await subscriberConnection();
      if (connection.status === 'ready' && !closed) {
        // Also sent when the channel is already subscribed: idempotent, and it orders this call after
        // any SUBSCRIBE still in flight for the channel.
        await connection.subscribe(prefix + channel).catch((error) => onError(failure(error)));
      }
      return async () => {
        const current = channels.get(channel);
        if (current === undefined || !current.delete(subscription) || current.size > 0) return;
        channels.delete(channel);
        if (connection.status === 'ready' && !closed) {
          // Best effort: delivery has already stopped locally, and a lost connection drops it anyway.
          await connection.unsubscribe(prefix + channel).catch(() => undefined);
        }
      };
    },

    async ping() {
      await run(() => commands.ping());
    },

    async close() {
      if (closed) return;
      closed = true;
      channels.clear();
      const connections = [commands];
      if (subscriber !== undefined) connections.push(await subscriber);
      await Promise.all(
        connections.map(async (connection) => {
          // QUIT lets Redis finish what was sent; disconnect() then stops any reconnection for good.
          if (connection.status === 'ready') await connection.quit().catch(() => undefined);
          connection.disconnect();
        }),
      );
    },
  };
}
