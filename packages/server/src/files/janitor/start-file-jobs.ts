import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServerContext } from '../../runtime/server-context.ts';
import { startVariantWorker, type VariantWorker } from '../variants/variant-worker.ts';
import { variantsQueuedChannel } from '../variants/variants-queued.ts';
import { createJanitorMetrics } from './janitor-metrics.ts';
import { acquireLease, LeaseHeldError, newLeaseHolder } from './job-lease.ts';
import { runJanitorNow } from './run-janitor-now.ts';

export interface FileJobsOptions {
  /** Where guichet_files_missing_objects and the janitor counters go (the app's /metrics registry). */
  registry?: Registry;
  /** How often the janitor runs, across all instances together. */
  janitorIntervalMs?: number;
  /** Delay before this instance first tries to run the janitor. */
  firstJanitorDelayMs?: number;
  variantConcurrency?: number;
}

export interface FileJobs {
  variants: VariantWorker;
  stop(): Promise<void>;
}

/** Names the schedule: whoever holds it is the instance whose turn it is, until it expires. */
const scheduleLeaseName = 'files-janitor:schedule';

/**
 * The files domain's background work in a server: the image variant worker (every instance, sharing
 * the queue) and the janitor on an interval. Every instance ticks, but the schedule lease, held for a
 * whole interval and renewed by its holder, lets exactly one of them run; if it dies another takes
 * over once the lease lapses.
 */
export function startFileJobs(
  context: ServerContext,
  logger: Logger,
  options: FileJobsOptions = {},
): FileJobs {
  const { sql, objects } = context.ports;
  const variants = startVariantWorker(
    { sql, objects },
    {
      logger,
      ...(options.variantConcurrency === undefined ? {} : { concurrency: options.variantConcurrency }),
    },
  );
  const intervalMs = options.janitorIntervalMs ?? 10 * 60_000;
  const metrics = options.registry === undefined ? undefined : createJanitorMetrics(options.registry);
  const holder = newLeaseHolder();
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Stopping the server interrupts a run between batches; the next run picks up where it left off.
  const stopping = new AbortController();

  async function tick(): Promise<void> {
    try {
      if (!(await acquireLease(sql, scheduleLeaseName, holder, Math.ceil(intervalMs / 1000)))) return;
      const report = await runJanitorNow(context, { logger, signal: stopping.signal });
      metrics?.record(report);
    } catch (error) {
      if (error instanceof LeaseHeldError || stopping.signal.aborted) return; // On-demand run, or stopping.
      logger.error({ err: error }, 'files janitor run failed');
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule(intervalMs);
      });
    }, delayMs);
    timer.unref();
  }

  schedule(options.firstJanitorDelayMs ?? 30_000);
  // A commit anywhere wakes this worker; polling stays the fallback when the message is lost.
  const unsubscribe = context.ports.cache
    .subscribe(variantsQueuedChannel, () => variants.kick())
    .catch((error: unknown) => {
      logger.warn({ err: error }, 'variant queue notifications unavailable; polling only');
      return async () => {};
    });
  return {
    variants,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      stopping.abort();
      await Promise.all([variants.stop(), running, unsubscribe.then((off) => off())]);
    },
  };
}
