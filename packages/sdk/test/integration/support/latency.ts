import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often the probes below look: every few ms, so the measure is not the polling period. */
const pollEveryMs = 2;

/**
 * Milliseconds from `start` (a performance.now() reading) until `probe` first holds, polling every few
 * ms; fails the test after `timeoutMs`.
 */
export async function millisecondsUntil(
  start: number,
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 3_000,
): Promise<number> {
  for (;;) {
    if (await probe()) return performance.now() - start;
    const elapsed = performance.now() - start;
    if (elapsed > timeoutMs) assert.fail(`${what}: not seen within ${timeoutMs} ms`);
    await sleep(pollEveryMs);
  }
}

/** Whether `promise` rejects with a GuichetAuthError of this code (any other rejection is rethrown). */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (error) {
    const actual = (error as { code?: unknown }).code;
    if (typeof actual !== 'string') throw error;
    return actual === code;
  }
}

/** Latencies of one kind, to report and to bound. */
export class LatencyLog {
  readonly samples = new Map<string, number[]>();

  add(label: string, ms: number): void {
    const list = this.samples.get(label) ?? [];
    list.push(ms);
    this.samples.set(label, list);
  }

  /** One line per label: every sample, the median and the max, in ms. */
  lines(): string[] {
    return [...this.samples].map(([label, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
      const max = sorted.at(-1) ?? Number.NaN;
      const all = list.map((ms) => ms.toFixed(1)).join(', ');
      return `${label}: median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms [${all}]`;
    });
  }

  max(): number {
    return Math.max(...[...this.samples.values()].flat());
  }
}
