import autocannon from 'autocannon';
import type { LoadResult } from './load.ts';

/**
 * Drives one URL with autocannon, each request carrying the next of `tokens` (round robin, shared by
 * every connection) as a Bearer token. Throws when any request failed: a failed round has no figure.
 */
export async function driveWithRotatingBearer(
  url: string,
  tokens: readonly string[],
  options: { duration: number; connections: number },
): Promise<LoadResult> {
  let next = 0;
  const samples: string[] = [];
  const result = await autocannon({
    url,
    duration: options.duration,
    connections: options.connections,
    pipelining: 1,
    requests: [
      {
        setupRequest(request) {
          const token = tokens[next % tokens.length] ?? '';
          next += 1;
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
        },
        onResponse(status, body) {
          if ((status < 200 || status >= 300) && samples.length < 3)
            samples.push(`${status} ${body.slice(0, 200)}`);
        },
      },
    ],
  });
  if (result.errors + result.non2xx > 0)
    throw new Error(
      `${url}: invalid round, ${result.errors} errors and ${result.non2xx} non-2xx of ${result.requests.total}` +
        samples.map((sample) => `\n  ${sample}`).join(''),
    );
  return {
    requestsPerSecond: result.requests.average,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
