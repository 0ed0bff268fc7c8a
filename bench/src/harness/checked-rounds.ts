import { assertClean, type CheckedLoadResult } from './checked-load.ts';
import { median } from './load.ts';
import { type CpuSources, describeCpuPer, startCpuMeter, sumCpu } from './process-cpu.ts';
import type { ScenarioResult, SideResult } from './scenario.ts';

/** One checked round of load and the CPU each source used during it. */
export type MeasuredRound = CheckedLoadResult & { cpu: Record<string, number> };

/** Runs one checked round while metering `cpuSources`; any error in the answers voids the run. */
export async function measureChecked(
  label: string,
  cpuSources: CpuSources,
  load: () => Promise<CheckedLoadResult>,
): Promise<MeasuredRound> {
  const stopCpu = startCpuMeter(cpuSources);
  const result = await load();
  const cpu = stopCpu();
  assertClean(label, result);
  return { ...result, cpu };
}

function side(results: CheckedLoadResult[]): SideResult {
  return {
    value: median(results.map((r) => r.requestsPerSecond)),
    rounds: results.map((r) => r.requestsPerSecond),
    latencyP99Ms: median(results.map((r) => r.latencyP99Ms)),
    responses: results.reduce((sum, r) => sum + r.responses, 0),
    errors: results.reduce((sum, r) => sum + r.errors + r.non2xx + r.rejected, 0),
  };
}

function cpuPerRequest(results: MeasuredRound[]): string {
  return describeCpuPer(
    sumCpu(results.map((r) => r.cpu)),
    results.reduce((sum, r) => sum + r.responses, 0),
    { factor: 1000, unit: 'µs' },
  );
}

/**
 * A requests/s comparison of measured rounds, Guichet against the baseline, with the notes every
 * such scenario gives (errors, p99 latency, CPU per request) ahead of the scenario's own `notes`.
 */
export function requestRateResult(
  scenario: string,
  rounds: { subject: MeasuredRound[]; baseline: MeasuredRound[] },
  notes: string[],
): ScenarioResult {
  const subject = side(rounds.subject);
  const baseline = side(rounds.baseline);
  return {
    scenario,
    unit: 'requests/s',
    subject,
    baseline,
    ratio: subject.value / baseline.value,
    notes: [
      `errors: guichet ${subject.errors}, baseline ${baseline.errors} (any error voids the run)`,
      `latency p99 (median of rounds): guichet ${subject.latencyP99Ms} ms, baseline ${baseline.latencyP99Ms} ms`,
      `CPU per request, guichet: ${cpuPerRequest(rounds.subject)}`,
      `CPU per request, baseline: ${cpuPerRequest(rounds.baseline)}`,
      ...notes,
    ],
  };
}
