/** Guichet refused a call to its session API (`/session/...`); `status` is its HTTP status. */
export class SessionApiError extends Error {
  readonly status: number;
  constructor(status: number, detail: string) {
    super(detail);
    this.name = 'SessionApiError';
    this.status = status;
  }
}

/**
 * Calls Guichet's session API with the person's own access token: a GET, or a POST of `body` as
 * JSON. A refusal becomes a SessionApiError carrying Guichet's problem detail.
 */
export async function callSessionApi<T>(
  issuer: string,
  path: string,
  accessToken: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}${path}`, {
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new SessionApiError(response.status, problem.detail ?? `Guichet answered ${response.status}`);
  }
  return (await response.json()) as T;
}
