/** Calls a running server's admin API; problem details become errors carrying their detail. */
export interface AdminClient {
  readonly url: string;
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export class AdminApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminApiError';
    this.status = status;
  }
}

export function createAdminClient(url: string, token: string): AdminClient {
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${base}/admin/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      if (!response.ok) {
        const detail =
          typeof parsed === 'object' && parsed !== null && 'detail' in parsed ? String(parsed.detail) : text;
        throw new AdminApiError(response.status, `${base}: ${response.status} ${detail}`);
      }
      return parsed as T;
    },
  };
}
