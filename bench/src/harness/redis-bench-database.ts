import { Redis } from 'ioredis';
import { testRedisUrl } from '../../../packages/server/test/support/services.ts';

/**
 * The Redis logical database the benchmarks give Guichet, apart from the one the test suites share.
 * Override with BENCH_REDIS_DB.
 */
const defaultBenchDatabase = 11;

/** The key prefix Guichet's Redis driver uses by default; a bench run leaves nothing else. */
export const guichetPrefix = 'guichet:';

/**
 * Marks the database as taken while a run uses it, so that a second run started meanwhile (another
 * scenario, another terminal) refuses it instead of flushing the first one's keys. It expires on its
 * own should a run die without releasing it.
 */
const claimKey = 'bench:claimed';
const claimTtlMs = 60 * 60 * 1000;

export interface RedisBenchDatabase {
  url: string;
  /** Flushes the database again and disconnects. */
  release(): Promise<void>;
}

/** Every key of the database, a batch at a time. */
async function* allKeys(redis: Redis): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    yield keys;
    cursor = next;
  } while (cursor !== '0');
}

async function foreignKey(redis: Redis): Promise<string | undefined> {
  for await (const keys of allKeys(redis)) {
    const foreign = keys.find((key) => key !== claimKey && !key.startsWith(guichetPrefix));
    if (foreign !== undefined) return foreign;
  }
  return undefined;
}

/** Like FLUSHDB, but keeps the claim: the database holds nothing else once foreignKey found nothing. */
async function deleteGuichetKeys(redis: Redis): Promise<void> {
  for await (const keys of allKeys(redis)) {
    const guichetKeys = keys.filter((key) => key.startsWith(guichetPrefix));
    if (guichetKeys.length > 0) await redis.unlink(...guichetKeys);
  }
}

/**
 * Claims a dedicated logical database and flushes it. A database holding a key that Guichet would
 * not have written belongs to someone else, and one claimed by another run is in use: the run
 * refuses both rather than erase them.
 */
export async function claimRedisDatabase(): Promise<RedisBenchDatabase> {
  const index = Number(process.env.BENCH_REDIS_DB ?? defaultBenchDatabase);
  const url = new URL(testRedisUrl);
  url.pathname = `/${index}`;
  const redis = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    // Claimed first, atomically: of two runs starting together, exactly one goes on.
    if ((await redis.set(claimKey, String(process.pid), 'PX', claimTtlMs, 'NX')) === null)
      throw new Error(`Redis database ${index} is in use by another bench run; set BENCH_REDIS_DB`);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  try {
    if ((await foreignKey(redis)) !== undefined)
      throw new Error(`Redis database ${index} holds keys that are not Guichet's; set BENCH_REDIS_DB`);
    await deleteGuichetKeys(redis);
  } catch (error) {
    await redis.del(claimKey).catch(() => undefined);
    redis.disconnect();
    throw error;
  }
  return {
    url: url.toString(),
    async release() {
      try {
        await redis.flushdb();
      } finally {
        redis.disconnect();
      }
    },
  };
}
