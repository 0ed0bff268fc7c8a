import { sql as rawSql } from 'kysely';
import type { SqlPort } from '../ports/sql/sql-port.ts';

/** The subset of a pino logger the purge job uses. */
export interface PurgeLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface PurgeJobOptions {
  intervalMs: number;
  logger?: PurgeLogger;
}

const defaultBatchSize = 1_000;

function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** Deletes one batch of expired rows and returns how many it deleted. */
async function purgeBatch(sql: SqlPort, batchSize: number): Promise<number> {
  const result = await sql.db
    .deleteFrom('oidc_payload')
    .where(({ eb, refTuple, selectFrom }) =>
      eb(
        refTuple('model', 'id'),
        'in',
        selectFrom('oidc_payload')
          .select(['model', 'id'])
          .where('expires_at', '<=', rawSql<Date>`now()`)
          .limit(batchSize)
          // Rows another instance's purge (or a live revocation) holds are left for the next pass.
          .forUpdate()
          .skipLocked()
          .$asTuple('model', 'id'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes every oidc_payload row whose expiry has passed, in batches so no single statement holds
 * many locks or a long transaction. Returns the number deleted. Cached copies need no invalidation:
 * the adapter never caches a row longer than its remaining life.
 */
export async function purgeExpiredPayloads(
  sql: SqlPort,
  options: { batchSize?: number } = {},
): Promise<number> {
  const batchSize = checkPositiveInteger('batchSize', options.batchSize ?? defaultBatchSize);
  let total = 0;
  for (;;) {
    const deleted = await purgeBatch(sql, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

function describe(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Runs purgeExpiredPayloads every intervalMs. The next run is scheduled only once the previous one has
 * finished, so runs never overlap; a failure is logged and the job carries on. The timer is unref'd:
 * housekeeping never keeps the process alive.
 */
export function startPurgeJob(sql: SqlPort, options: PurgeJobOptions): { stop(): void } {
  const intervalMs = checkPositiveInteger('intervalMs', options.intervalMs);
  const { logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function run(): Promise<void> {
    try {
      const deleted = await purgeExpiredPayloads(sql);
      if (deleted > 0) logger?.info({ deleted }, 'purged expired oidc payloads');
    } catch (error) {
      if (logger === undefined) process.emitWarning(describe(error));
      else logger.error({ err: describe(error) }, 'purging expired oidc payloads failed');
    }
    schedule();
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(run, intervalMs);
    timer.unref();
  }

  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
