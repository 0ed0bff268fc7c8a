import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type CodeFlowClient, signInThroughPages } from '../harness/authorization-code-flow.ts';
import { runChildForJson } from '../harness/child-json.ts';
import { mapConcurrently } from '../harness/concurrently.ts';
import { eventLoopP99Ms, sampleEventLoop } from '../harness/event-loop-sampler.ts';
import { alternate, median } from '../harness/load.ts';
import { type CpuSources, describeCpuPer, startCpuMeter, sumCpu } from '../harness/process-cpu.ts';
import { startProductionGuichet } from '../harness/production-guichet.ts';
import type { Scenario } from '../harness/scenario.ts';
import { guichetCpuSources } from '../harness/side-cpu-sources.ts';

const rawArgon2 = fileURLToPath(new URL('../baselines/raw-argon2.ts', import.meta.url));
const redirectUri = 'http://localhost:3000/callback';
/** The targets: logins/s at least half of raw argon2id verifies/s, event-loop p99 under 50 ms. */
const targetRatio = 0.5;
const targetEventLoopP99Ms = 50;

interface User {
  email: string;
  password: string;
}

interface LoginRound {
  perSecond: number;
  logins: number;
  seconds: number;
  /** p99 of each 500 ms window of the round, in milliseconds. */
  eventLoopWindowsMs: number[];
  /** CPU milliseconds each source used during the round. */
  cpu: Record<string, number>;
}

/**
 * `users.length` virtual users sign in over and over, each iteration in a fresh cookie jar, until the
 * deadline; the clock stops when the last iteration in flight has finished. A failed iteration
 * voids the round.
 */
async function loginRound(
  client: CodeFlowClient,
  users: User[],
  durationMs: number,
  cpuSources: CpuSources,
): Promise<LoginRound> {
  const sampler = await sampleEventLoop(client.issuer);
  const stopCpu = startCpuMeter(cpuSources);
  const start = performance.now();
  const deadline = start + durationMs;
  const failures: string[] = [];
  const counts = await Promise.all(
    users.map(async (user) => {
      let logins = 0;
      while (performance.now() < deadline && failures.length === 0) {
        try {
          const tokens = await signInThroughPages(client, user, { scope: 'openid' });
          if (typeof tokens.id_token !== 'string') throw new Error('the code exchange returned no id_token');
          logins += 1;
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
      return logins;
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = stopCpu();
  const eventLoopWindowsMs = await sampler.stop();
  if (failures.length > 0) throw new Error(`guichet: invalid run, a sign-in failed: ${failures[0]}`);
  const logins = counts.reduce((sum, n) => sum + n, 0);
  return { perSecond: logins / seconds, logins, seconds, eventLoopWindowsMs, cpu };
}

interface RawArgon2Round {
  perSecond: number;
  verifies: number;
  seconds: number;
  /** The raw process's own event-loop p99 per 500 ms window, in milliseconds. */
  eventLoopWindowsMs: number[];
  /** CPU milliseconds the raw process used during the measure. */
  cpuMs: number;
}

async function rawArgon2Round(concurrency: number, durationMs: number): Promise<RawArgon2Round> {
  const result = await runChildForJson<Omit<RawArgon2Round, 'perSecond'>>(rawArgon2, {
    CONCURRENCY: String(concurrency),
    DURATION_MS: String(durationMs),
  });
  return { ...result, perSecond: result.verifies / result.seconds };
}

const format = (ms: number) => ms.toFixed(1);

/** Complete sign-ins per second on Guichet (PostgreSQL + Redis) against raw argon2id verifies. */
export const login: Scenario = {
  name: 'login',
  description: 'complete sign-ins/s (pages, password, code exchange) vs raw argon2id verifies/s',
  defaultConnections: 8,
  async run(options) {
    const guichet = await startProductionGuichet();
    try {
      const app = await guichet.admin.request<{ client_id: string; client_secret: string }>(
        'POST',
        '/clients',
        { name: 'Bench app', redirectUris: [redirectUri], firstParty: true },
      );
      const client = {
        issuer: guichet.url,
        clientId: app.client_id,
        clientSecret: app.client_secret,
        redirectUri,
      };
      // One account per virtual user, so that no two users share an address's sign-in state.
      const users = await mapConcurrently(
        Array.from({ length: options.connections }, (_, i) => `bench-user-${i}@bench.example`),
        4,
        async (email) => {
          const password = randomBytes(18).toString('base64url');
          await guichet.admin.request('POST', '/users', { email, name: 'Bench User', password });
          return { email, password };
        },
      );
      // A reference for the readings under load: one idle second (the first scrape opens the window).
      await eventLoopP99Ms(guichet.url);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idleP99Ms = await eventLoopP99Ms(guichet.url);

      const durationMs = options.duration * 1000;
      const cpuSources = guichetCpuSources(guichet, 'bench (virtual users)');
      await loginRound(client, users, 1000, cpuSources);
      await rawArgon2Round(options.connections, 1000);
      const rounds = await alternate(
        options.rounds,
        () => loginRound(client, users, durationMs, cpuSources),
        () => rawArgon2Round(options.connections, durationMs),
      );
      const windows = rounds.subject.flatMap((round) => round.eventLoopWindowsMs);
      const eventLoopP99MaxMs = Math.max(...windows);
      const eventLoopP99MedianMs = median(windows);
      const rawWindows = rounds.baseline.flatMap((round) => round.eventLoopWindowsMs);
      const subject = {
        value: median(rounds.subject.map((r) => r.perSecond)),
        rounds: rounds.subject.map((r) => r.perSecond),
        logins: rounds.subject.reduce((sum, r) => sum + r.logins, 0),
        eventLoopP99MaxMs,
        eventLoopP99MedianMs,
        eventLoopP99IdleMs: idleP99Ms,
        eventLoopP99PerRoundMaxMs: rounds.subject.map((r) => Math.max(...r.eventLoopWindowsMs)),
        errors: 0,
      };
      const baseline = {
        value: median(rounds.baseline.map((r) => r.perSecond)),
        rounds: rounds.baseline.map((r) => r.perSecond),
        verifies: rounds.baseline.reduce((sum, r) => sum + r.verifies, 0),
        eventLoopP99MaxMs: Math.max(...rawWindows),
        eventLoopP99MedianMs: median(rawWindows),
      };
      const ratio = subject.value / baseline.value;
      const cpuPerLogin = describeCpuPer(sumCpu(rounds.subject.map((r) => r.cpu)), subject.logins, {
        factor: 1,
        unit: 'ms',
      });
      const rawCpuPerVerify = rounds.baseline.reduce((sum, r) => sum + r.cpuMs, 0) / baseline.verifies;
      const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
      return {
        scenario: 'login',
        unit: 'per second',
        subject,
        baseline,
        ratio,
        notes: [
          `guichet: complete sign-ins/s; baseline: raw argon2id verifies/s (@node-rs/argon2, ` +
            `argon2idOptions), both ${options.connections} at a time`,
          `target ratio >= ${targetRatio}: ${verdict(ratio >= targetRatio)} (${ratio.toFixed(3)})`,
          `event-loop p99 over 500 ms windows during the login rounds: max ${format(eventLoopP99MaxMs)} ms, ` +
            `median ${format(eventLoopP99MedianMs)} ms, idle ${format(idleP99Ms)} ms (10 ms timer floor); ` +
            `target < ${targetEventLoopP99Ms} ms: ${verdict(eventLoopP99MaxMs < targetEventLoopP99Ms)}`,
          `for reference, the raw process (nothing on its event loop but awaiting argon2id) read its own ` +
            `event-loop p99 the same way: max ${format(baseline.eventLoopP99MaxMs)} ms, ` +
            `median ${format(baseline.eventLoopP99MedianMs)} ms`,
          `CPU per sign-in: ${cpuPerLogin}; raw process: ${rawCpuPerVerify.toFixed(2)} ms per verify`,
          `${subject.logins} sign-ins, 0 errors (any failed sign-in voids the run)`,
          'one sign-in = GET /auth -> sign-in page, POST the password form (argon2id verify) -> ' +
            'redirects (first-party: no consent) -> code exchange at /token (client_secret_basic, PKCE S256); ' +
            'a fresh cookie jar per sign-in, one account per virtual user',
          'the virtual users run in the bench process and share the two sides of the machine with Guichet, ' +
            'PostgreSQL and Redis; the raw verifies run alone in their own process',
        ],
      };
    } finally {
      await guichet.stop();
    }
  },
};
