import type { EventFeed, EventFeedHandlers } from './event-feed.ts';

export interface RedisFeedOptions {
  url: string;
  channel: string;
}

/** Message only: ioredis errors can carry command arguments, and the URL may carry a password. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || 'localhost:6379';
  } catch {
    throw new TypeError('createGuichet: redisUrl is not a valid redis:// URL');
  }
}

/**
 * Guichet's events over Redis pub/sub. Pub/sub keeps nothing for a subscriber that was away, so every
 * reconnection reports `onOpen(false)`: the client then drops what it cached. ioredis is loaded only
 * here, on first use, so apps that use SSE never load it.
 */
export function startRedisFeed(options: RedisFeedOptions, handlers: EventFeedHandlers): EventFeed {
  const host = hostOf(options.url);
  let closed = false;
  let reported = false;

  const connection = (async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(options.url, {
      lazyConnect: true,
      // SUBSCRIBE is sent again by the 'ready' handler below, which also learns of the reconnection.
      autoResubscribe: false,
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
      connectTimeout: 5_000,
    });
    redis.on('error', (error: Error) => {
      if (reported || closed) return;
      reported = true;
      handlers.onError(new Error(`redis ${host} (Guichet events): ${error.message}`));
    });
    redis.on('message', (channel: string, message: string) => {
      if (!closed && channel === options.channel) handlers.onMessage(message);
    });
    redis.on('ready', () => {
      redis.subscribe(options.channel).then(
        () => {
          if (closed) return;
          reported = false;
          handlers.onOpen(false);
        },
        (error: unknown) => {
          if (closed) return;
          handlers.onError(new Error(`redis ${host}: SUBSCRIBE failed: ${String(error)}`));
          // A connection that cannot subscribe is useless: drop it and let retryStrategy reconnect.
          redis.disconnect(true);
        },
      );
    });
    // A failed first attempt is reported through 'error'; ioredis keeps reconnecting.
    redis.connect().catch(() => undefined);
    return redis;
  })();
  connection.catch((error: unknown) => {
    handlers.onError(new Error(`Guichet events over Redis cannot start: ${String(error)}`));
  });

  return {
    async close() {
      closed = true;
      const redis = await connection.catch(() => undefined);
      if (redis === undefined) return;
      if (redis.status === 'ready') await redis.quit().catch(() => undefined);
      redis.disconnect();
    },
  };
}
