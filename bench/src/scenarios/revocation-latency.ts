import { setTimeout as sleep } from 'node:timers/promises';
import { GuichetAuthError } from '@guichet/sdk';
import type { Guichet } from '../../../packages/sdk/src/guichet.ts';
import {
  audiences,
  connected,
  prepareWorld,
  sdkFor,
  signIn,
  signOut,
  uniqueRedisPrefix,
  type World,
} from '../../../packages/sdk/test/integration/support/real-guichet.ts';
import { startPostgres } from '../../../packages/server/test/support/oidc-flow.ts';
import { claimRedisDatabase } from '../harness/redis-bench-database.ts';
import type { Scenario, SideResult } from '../harness/scenario.ts';

/** Sign-outs measured; each is seen by both SDK instances at once. */
const signOuts = 30;
/** How often `authenticate` is retried while waiting: well under the latencies measured. */
const pollEveryMs = 1;
const giveUpAfterMs = 5_000;
/** The target for the p99 of sign-out -> SDK rejects. */
const targetP99Ms = 100;

/** Whether authenticate now rejects with session_ended (other refusals are errors of the run). */
async function sessionEnded(guichet: Guichet, header: string): Promise<boolean> {
  try {
    await guichet.authenticate(header);
    return false;
  } catch (error) {
    if (error instanceof GuichetAuthError && error.code === 'session_ended') return true;
    throw error;
  }
}

/** Milliseconds from `start` until the SDK refuses the token, polling every `pollEveryMs`. */
async function untilRejected(
  guichet: Guichet,
  header: string,
  start: number,
  label: string,
): Promise<number> {
  for (;;) {
    if (await sessionEnded(guichet, header)) return performance.now() - start;
    if (performance.now() - start > giveUpAfterMs)
      throw new Error(`${label}: the sign-out was not seen within ${giveUpAfterMs} ms`);
    await sleep(pollEveryMs);
  }
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: with 30 samples, p99 is the largest.
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function side(samples: number[]): SideResult {
  return {
    value: percentile(samples, 0.99),
    rounds: samples,
    p50Ms: percentile(samples, 0.5),
    p99Ms: percentile(samples, 0.99),
  };
}

async function measure(world: World, sdks: Record<'redis' | 'sse', Guichet>) {
  const samples = { redis: [] as number[], sse: [] as number[] };
  for (let round = 0; round < signOuts; round += 1) {
    const session = await signIn(world, audiences.jwt, { businessId: world.acme.id });
    const header = `Bearer ${session.access_token}`;
    // Cached in both: the sign-out must be seen through the event, not a lookup.
    await Promise.all([sdks.redis.authenticate(header), sdks.sse.authenticate(header)]);
    await signOut(world, session.browser, session.id_token ?? '');
    const start = performance.now();
    const [redis, sse] = await Promise.all([
      untilRejected(sdks.redis, header, start, 'redis'),
      untilRejected(sdks.sse, header, start, 'sse'),
    ]);
    samples.redis.push(redis);
    samples.sse.push(sse);
  }
  return samples;
}

/** How long a sign-out takes to reach a resource server's SDK, over Redis pub/sub and over SSE. */
export const revocationLatency: Scenario = {
  name: 'revocation-latency',
  description: 'sign-out -> SDK refuses the session (p99 ms), events over Redis vs Server-Sent Events',
  async run() {
    const redis = await claimRedisDatabase();
    try {
      // Under Guichet's own prefix, which claimRedisDatabase recognises, and unique to this run.
      const redisPrefix = `guichet:${uniqueRedisPrefix()}`;
      const deployment = await startPostgres(1, {
        REDIS_URL: redis.url,
        GUICHET_REDIS_PREFIX: redisPrefix,
        GUICHET_LOG_LEVEL: 'warn',
      });
      try {
        const world = await prepareWorld(deployment, { redisPrefix });
        const sdks = {
          redis: sdkFor(world, 'jwt', { events: 'redis', redisUrl: redis.url }),
          sse: sdkFor(world, 'jwt', { events: 'sse' }),
        };
        try {
          await Promise.all([connected(sdks.redis), connected(sdks.sse)]);
          const samples = await measure(world, sdks);
          const subject = side(samples.redis);
          const baseline = side(samples.sse);
          const verdict = (s: SideResult) => (s.value <= targetP99Ms ? 'met' : 'NOT met');
          return {
            scenario: 'revocation-latency',
            unit: 'ms p99 (sign-out -> session_ended)',
            subject,
            baseline,
            ratio: subject.value / baseline.value,
            notes: [
              'guichet = SDK on events redis, baseline = SDK on events sse; value = p99, rounds = every sample ' +
                '(ms). Here the ratio is redis p99 / sse p99: below 1 means Redis is faster.',
              `${signOuts} sign-ins, each authenticated once (cached) by both SDK instances, then signed out ` +
                `through the end-session pages; from the confirm answer, each instance polls authenticate every ` +
                `${pollEveryMs} ms until session_ended (both poll the same sign-out concurrently).`,
              `redis p50 ${Number(subject.p50Ms).toFixed(1)} ms, p99 ${subject.value.toFixed(1)} ms ` +
                `(target <= ${targetP99Ms}: ${verdict(subject)}); sse p50 ${Number(baseline.p50Ms).toFixed(1)} ms, ` +
                `p99 ${baseline.value.toFixed(1)} ms (target <= ${targetP99Ms}: ${verdict(baseline)}).`,
              `with ${signOuts} samples the p99 (nearest rank) is the largest sample.`,
              'timed from the sign-out answer: an event published before that answer reads as the first poll ' +
                '(< 1 ms), so sub-millisecond samples mean "already seen".',
              'Guichet on a throw-away PostgreSQL database and a dedicated Redis logical database, own key prefix; ' +
                '--duration, --rounds and --connections do not apply.',
            ],
          };
        } finally {
          await Promise.all([sdks.redis.close(), sdks.sse.close()]);
        }
      } finally {
        await deployment.stop();
      }
    } finally {
      await redis.release();
    }
  },
};
