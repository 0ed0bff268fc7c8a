import type { EventFeed, EventFeedHandlers } from './event-feed.ts';
import { createSseParser } from './sse-parser.ts';

export interface SseFeedOptions {
  uri: string;
  authorization: string;
  minDelayMs: number;
  maxDelayMs: number;
  /** Silence longer than this means a dead connection (the server sends a keep-alive every 15 s). */
  idleTimeoutMs: number;
}

/** After a connection has lived this long, backoff starts over from the minimum delay. */
const healthyConnectionMs = 10_000;

function delayFor(attempt: number, minMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 20));
  // Jitter spreads the reconnections of many instances after an issuer restart.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Guichet's event stream (`GET ${issuer}/events`) read with fetch: reconnects with exponential backoff
 * and sends `Last-Event-ID`, so the server replays whatever was published while disconnected.
 */
export function startSseFeed(options: SseFeedOptions, handlers: EventFeedHandlers): EventFeed {
  let closed = false;
  let controller: AbortController | undefined;
  let wakeUp: (() => void) | undefined;
  let lastEventId: string | undefined;
  let retryMs = options.minDelayMs;
  let reported = false;

  const where = `${new URL(options.uri).origin}${new URL(options.uri).pathname}`;

  function report(error: Error): void {
    if (reported || closed) return;
    reported = true;
    // undici's own messages ("terminated", "fetch failed") do not say what was being fetched.
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    handlers.onError(new Error(`Guichet events ${where}: ${error.message}${cause}`, { cause: error }));
  }

  async function connectOnce(): Promise<void> {
    const current = new AbortController();
    controller = current;
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdleTimer = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => current.abort(new Error('events stream silent too long')),
        options.idleTimeoutMs,
      );
      idleTimer.unref();
    };
    try {
      armIdleTimer();
      const headers: Record<string, string> = {
        accept: 'text/event-stream',
        'cache-control': 'no-cache',
        authorization: options.authorization,
      };
      const resuming = lastEventId;
      if (resuming !== undefined) headers['last-event-id'] = resuming;
      const response = await fetch(options.uri, { headers, signal: current.signal, redirect: 'error' });
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !type.toLowerCase().startsWith('text/event-stream')) {
        await response.body?.cancel().catch(() => undefined);
        const hint = response.status === 401 ? ': check clientId and clientSecret' : '';
        throw new Error(`events endpoint answered ${response.status} ${type}${hint}`);
      }
      if (response.body === null) throw new Error('events endpoint answered without a body');
      reported = false;
      handlers.onOpen(resuming !== undefined);
      const parser = createSseParser(
        {
          onMessage(message) {
            lastEventId = message.lastEventId;
            handlers.onMessage(message.data);
          },
          onRetry(delayMs) {
            retryMs = Math.min(Math.max(delayMs, options.minDelayMs), options.maxDelayMs);
          },
        },
        lastEventId,
      );
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        armIdleTimer();
        parser.push(decoder.decode(chunk, { stream: true }));
      }
      throw new Error('events stream ended');
    } finally {
      clearTimeout(idleTimer);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  const running = (async () => {
    let attempt = 0;
    while (!closed) {
      const startedAt = Date.now();
      try {
        await connectOnce();
      } catch (error) {
        if (closed) break;
        report(error instanceof Error ? error : new Error(String(error)));
      }
      if (closed) break;
      attempt = Date.now() - startedAt > healthyConnectionMs ? 1 : attempt + 1;
      await sleep(delayFor(attempt, retryMs, options.maxDelayMs));
    }
  })();

  return {
    async close() {
      closed = true;
      controller?.abort();
      wakeUp?.();
      await running;
    },
  };
}
