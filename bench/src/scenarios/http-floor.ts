import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../packages/server/test/support/free-port.ts';
import { guichetBin } from '../../../packages/server/test/support/guichet-process.ts';
import { startChildServer } from '../harness/child-server.ts';
import { alternate, drive, median } from '../harness/load.ts';
import type { Scenario } from '../harness/scenario.ts';

const bareFastify = fileURLToPath(new URL('../baselines/bare-fastify.ts', import.meta.url));

/** The cost of Guichet's HTTP stack (logging, metrics, security headers) on its cheapest route. */
export const httpFloor: Scenario = {
  name: 'http-floor',
  description: "Guichet's GET /healthz against a bare Fastify route with the same response",
  async run(options) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-'));
    const [guichetPort, basePort] = [await freePort(), await freePort()];
    const guichet = await startChildServer({
      args: [guichetBin, 'start'],
      env: { PORT: String(guichetPort), GUICHET_DATA_DIR: dataDir, GUICHET_LOG_LEVEL: 'warn' },
      url: `http://127.0.0.1:${guichetPort}`,
      readyPath: '/readyz',
      timeoutMs: 60_000,
    });
    const baseline = await startChildServer({
      args: [bareFastify],
      env: { PORT: String(basePort) },
      url: `http://127.0.0.1:${basePort}`,
      readyPath: '/healthz',
    }).catch(async (error: unknown) => {
      await guichet.stop();
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    });
    try {
      const load = { duration: options.duration, connections: options.connections };
      // Warm both JITs before measuring.
      await drive(`${guichet.url}/healthz`, { ...load, duration: 1 });
      await drive(`${baseline.url}/healthz`, { ...load, duration: 1 });
      const rounds = await alternate(
        options.rounds,
        () => drive(`${guichet.url}/healthz`, load),
        () => drive(`${baseline.url}/healthz`, load),
      );
      const side = (results: typeof rounds.subject) => ({
        value: median(results.map((r) => r.requestsPerSecond)),
        rounds: results.map((r) => r.requestsPerSecond),
        latencyP99Ms: median(results.map((r) => r.latencyP99Ms)),
        errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
      });
      const subject = side(rounds.subject);
      const base = side(rounds.baseline);
      return {
        scenario: 'http-floor',
        unit: 'requests/s',
        subject,
        baseline: base,
        ratio: subject.value / base.value,
      };
    } finally {
      await Promise.all([guichet.stop(), baseline.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
