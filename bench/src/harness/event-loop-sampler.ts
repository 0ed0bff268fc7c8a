/**
 * Reads Guichet's event-loop delay from GET /metrics. prom-client computes
 * nodejs_eventloop_lag_p99_seconds from a perf_hooks.monitorEventLoopDelay histogram that it resets
 * on every scrape, so each reading is the p99 of the window since the previous one. The histogram
 * records the interval between timer ticks at 10 ms resolution: an idle loop reads about 10 ms.
 */
export async function eventLoopP99Ms(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  const line = /^nodejs_eventloop_lag_p99_seconds\s+(\S+)$/m.exec(text);
  if (!response.ok || line?.[1] === undefined) throw new Error(`no event-loop p99 in ${url}/metrics`);
  return Number(line[1]) * 1000;
}

export interface EventLoopSampler {
  /** Stops sampling and returns the p99 of each window, in milliseconds. */
  stop(): Promise<number[]>;
}

/**
 * Scrapes every `intervalMs` and once more on stop; the first scrape only resets the histogram, so
 * the windows cover exactly the time between this call and stop().
 */
export async function sampleEventLoop(url: string, intervalMs = 500): Promise<EventLoopSampler> {
  await eventLoopP99Ms(url);
  const windows: number[] = [];
  let failure: unknown;
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(async () => {
      try {
        windows.push(await eventLoopP99Ms(url));
      } catch (error) {
        failure ??= error;
      }
    });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      if (failure !== undefined) throw failure;
      // The window since the last tick of the timer.
      windows.push(await eventLoopP99Ms(url));
      return windows;
    },
  };
}
