import { readFile } from 'node:fs/promises';
import path from 'node:path';

export class AdminApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminApiError';
    this.status = status;
  }
}

/** Guichet's admin API, authenticated with the admin token its data dir holds. */
export class AdminApi {
  readonly #base: string;
  readonly #token: string;

  constructor(issuer: string, token: string) {
    this.#base = `${issuer.replace(/\/+$/, '')}/admin/v1`;
    this.#token = token;
  }

  static async forDataDir(issuer: string, dataDir: string): Promise<AdminApi> {
    const token = (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim();
    return new AdminApi(issuer, token);
  }

  get token(): string {
    return this.#token;
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.#base}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
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
      throw new AdminApiError(response.status, `${method} ${route}: ${response.status} ${detail}`);
    }
    return parsed as T;
  }
}
