import os from 'node:os';
import { Readable } from 'node:stream';
import { ObjectNotFoundError } from '../../ports/objects/object-errors.ts';
import type { ObjectsPort } from '../../ports/objects/objects-port.ts';
import type { SqlPort } from '../../ports/sql/sql-port.ts';
import { type ConcurrencyLimit, createConcurrencyLimit } from '../../runtime/concurrency-limit.ts';
import {
  defaultLimitInputPixels,
  renderVariant,
  VariantImageError,
  variantContentType,
} from './render-variant.ts';
import { type ClaimedVariant, claimVariants, completeVariant, failVariant } from './variant-jobs.ts';

/** The subset of a pino logger the worker uses. */
export interface WorkerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface VariantWorkerOptions {
  /**
   * Variants rendered at once. Each keeps a libuv thread (and libvips threads) busy; the default leaves
   * a core to the event loop, so requests stay responsive while images are processed.
   */
  concurrency?: number;
  /** How often an idle worker looks for new work. */
  pollMs?: number;
  /** How long a claim holds a row; past it, another worker may take the job over. */
  lockSeconds?: number;
  logger?: WorkerLogger;
}

export interface VariantWorker {
  /** Looks for work now rather than at the next poll (after a commit, say). */
  kick(): void;
  /** Resolves once no due pending variant is left and nothing is in flight (tests, benchmarks). */
  idle(): Promise<void>;
  /** Stops claiming and waits for the renders in flight. */
  stop(): Promise<void>;
}

export function defaultVariantConcurrency(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Renders one claimed variant from the file's object into the variant's object, then records the outcome. */
async function processVariant(
  ports: { sql: SqlPort; objects: ObjectsPort },
  job: ClaimedVariant,
  renders: ConcurrencyLimit,
  logger?: WorkerLogger,
) {
  const context = { fileId: job.fileId, variant: job.name, attempt: job.attempts };
  if (job.spec === undefined) {
    await failVariant(ports.sql, job, 'the purpose no longer declares this variant', true);
    return;
  }
  try {
    const spec = job.spec;
    const source = await ports.objects.get(job.sourceKey);
    const { data, width, height } = await renders.run(() =>
      renderVariant(source, spec, { limitInputPixels: job.maxPixels ?? defaultLimitInputPixels }),
    );
    const contentType = variantContentType(job.spec.format);
    const { size } = await ports.objects.put(job.objectKey, Readable.from([data]), {
      contentType,
      size: data.length,
    });
    if (!(await completeVariant(ports.sql, job, { contentType, size, width, height }))) {
      // The file was deleted meanwhile (its row cascaded) or our lock lapsed and another worker
      // took over. Only in the first case is the object ours to remove; the janitor's grace and
      // record check settle it either way, so leave it.
      logger?.info(context, 'variant claim lost before completion');
    }
  } catch (error) {
    // A missing source will not come back by waiting; the janitor reports it.
    const permanent = error instanceof VariantImageError || error instanceof ObjectNotFoundError;
    const state = await failVariant(ports.sql, job, message(error), permanent);
    const fields = { ...context, err: error instanceof Error ? error : new Error(message(error)), state };
    if (state === 'failed') {
      logger?.error(fields, 'image variant failed for good');
      // An earlier attempt may have written the object before dying: no ready record, no object.
      await ports.objects.delete(job.objectKey).catch(() => {});
    } else logger?.warn(fields, 'image variant attempt failed; will retry');
  }
}

/**
 * Renders pending image variants (file_variant rows) in the background: claims due rows, streams the
 * file through sharp into the variant's object, marks them ready, or schedules a retry with backoff.
 * Several instances may run it side by side.
 */
export function startVariantWorker(
  ports: { sql: SqlPort; objects: ObjectsPort },
  options: VariantWorkerOptions = {},
): VariantWorker {
  const concurrency = options.concurrency ?? defaultVariantConcurrency();
  // Only the renders are limited: twice as many jobs in flight let one job's SQL and object I/O
  // overlap another's render, so the CPU the renders may use never waits on a round trip.
  const renders = createConcurrencyLimit(concurrency);
  const jobSlots = concurrency * 2;
  const pollMs = options.pollMs ?? 500;
  const lockSeconds = options.lockSeconds ?? 300;
  const { logger } = options;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let claiming: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: Array<() => void> = [];
  let lastClaimEmpty = false;

  function settleIdle(): void {
    if (inFlight.size > 0 || claiming !== undefined || !lastClaimEmpty) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(fill, delayMs);
    timer.unref();
  }

  /** Claims as many jobs as there are free slots, starts them, and comes back when a slot frees up. */
  function fill(): void {
    if (stopped || claiming !== undefined) return;
    const free = jobSlots - inFlight.size;
    if (free <= 0) return;
    claiming = (async () => {
      try {
        const jobs = await claimVariants(ports.sql, free, lockSeconds);
        lastClaimEmpty = jobs.length === 0 && inFlight.size === 0;
        for (const job of jobs) {
          const running: Promise<void> = processVariant(ports, job, renders, logger)
            .catch((error: unknown) => logger?.error({ err: error }, 'recording a variant outcome failed'))
            .finally(() => {
              inFlight.delete(running);
              fill();
            });
          inFlight.add(running);
        }
        if (jobs.length === free) schedule(0);
        else if (inFlight.size === 0) schedule(pollMs);
      } catch (error) {
        logger?.warn({ err: error }, 'claiming image variants failed');
        lastClaimEmpty = false;
        schedule(pollMs);
      } finally {
        claiming = undefined;
        settleIdle();
      }
    })();
  }

  schedule(0);
  return {
    kick() {
      schedule(0);
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        lastClaimEmpty = false;
        schedule(0);
      });
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await claiming;
      await Promise.allSettled([...inFlight]);
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
  };
}
