import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface EventLoopWindows {
  /** Stops watching and returns the p99 of each window, in milliseconds. */
  stop(): number[];
}

/**
 * This process's event-loop delay, read the way Guichet's /metrics reads its own (a
 * monitorEventLoopDelay histogram at 10 ms resolution, p99 per window), so that a baseline's
 * figures compare with the server's.
 */
export function watchEventLoopWindows(windowMs = 500): EventLoopWindows {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const windows: number[] = [];
  const readWindow = () => {
    if (histogram.count > 0) windows.push(histogram.percentile(99) / 1e6);
    histogram.reset();
  };
  histogram.enable();
  const timer = setInterval(readWindow, windowMs);
  return {
    stop() {
      clearInterval(timer);
      readWindow();
      histogram.disable();
      return windows;
    },
  };
}
