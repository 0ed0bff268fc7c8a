import autocannon from 'autocannon';
import type { LoadResult } from './load.ts';

/**
 * How one connection checks its answers and, when each request depends on the previous answer (a
 * rotating token), what it sends next.
 */
export interface ConnectionScript {
  /** The body of the next request; without it every request is the same, built once. */
  body?(): string;
  /** Reads a 2xx answer; returns false when the answer is unusable (counted as a failure). */
  accept(body: string): boolean;
}

export interface CheckedLoadResult extends LoadResult {
  /** Responses that completed during the round. */
  responses: number;
  /** 2xx answers that `accept` refused. */
  rejected: number;
  /** The first few failed answers, status and the start of the body, for the error message. */
  samples: string[];
}

const maxSamples = 3;

/**
 * Drives one URL with autocannon like `drive`, but reads every answer: non-2xx answers and refused
 * bodies are kept as samples, so that a run with errors can say what went wrong. With `script`, each
 * connection gets its own script, which checks each 2xx answer and may rebuild every request.
 */
export async function driveChecked(
  url: string,
  options: {
    duration: number;
    connections: number;
    method: 'GET' | 'POST';
    headers: Record<string, string>;
    body?: string;
    script?: (connection: number) => ConnectionScript;
  },
): Promise<CheckedLoadResult> {
  const samples: string[] = [];
  let rejected = 0;
  const record = (status: number, body: string) => {
    if (samples.length < maxSamples) samples.push(`${status} ${body.slice(0, 300)}`);
  };
  let connection = 0;
  const result = await autocannon({
    url,
    duration: options.duration,
    connections: options.connections,
    pipelining: 1,
    method: options.method,
    headers: options.headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    setupClient(client) {
      const script = options.script?.(connection);
      connection += 1;
      client.setRequests([
        {
          ...(script?.body === undefined
            ? {}
            : { setupRequest: (request) => ({ ...request, body: script.body?.() ?? '' }) }),
          onResponse(status, body) {
            if (status < 200 || status >= 300) return record(status, body);
            if (script !== undefined && !script.accept(body)) {
              rejected += 1;
              record(status, body);
            }
          },
        },
      ]);
    },
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    responses: result.requests.total,
    rejected,
    samples,
  };
}

/** Throws when a round saw connection errors, timeouts, non-2xx or refused answers: its figure is void. */
export function assertClean(label: string, result: CheckedLoadResult): void {
  const failures = result.errors + result.non2xx + result.rejected;
  if (failures === 0) return;
  throw new Error(
    `${label}: invalid run, ${failures} failed of ${result.responses} responses ` +
      `(${result.errors} connection errors, ${result.non2xx} non-2xx, ${result.rejected} unusable 2xx)` +
      `${result.samples.map((sample) => `\n  ${sample}`).join('')}`,
  );
}
