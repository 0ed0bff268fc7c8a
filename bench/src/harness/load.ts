import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  latencyP99Ms: number;
  errors: number;
  non2xx: number;
}

/** Drives one URL with autocannon for `duration` seconds. */
export async function drive(
  url: string,
  options: {
    duration: number;
    connections: number;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    duration: options.duration,
    connections: options.connections,
    pipelining: 1,
    method: options.method ?? 'GET',
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body ? { body: options.body } : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Alternates subject and baseline rounds (subject first, then baseline, ...) so that machine
 * drift during the run hits both sides alike, and returns each side's rounds.
 */
export async function alternate<S, B = S>(
  rounds: number,
  subject: () => Promise<S>,
  baseline: () => Promise<B>,
): Promise<{ subject: S[]; baseline: B[] }> {
  const results = { subject: [] as S[], baseline: [] as B[] };
  for (let round = 0; round < rounds; round += 1) {
    results.subject.push(await subject());
    results.baseline.push(await baseline());
  }
  return results;
}
