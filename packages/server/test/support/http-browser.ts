import http from 'node:http';
import https from 'node:https';

/**
 * A minimal browser for protocol tests: keeps cookies per origin, follows redirects by hand so the
 * test sees every hop, and submits forms. The real-browser tests use Chromium; this one is for speed.
 * It speaks node:http rather than fetch: the benchmarks' virtual users run on it, and fetch's
 * web-stream plumbing costs the client about as much CPU as a page costs the server.
 */
export interface BrowserResponse {
  status: number;
  url: string;
  location: string | undefined;
  body: string;
  headers: Headers;
}

/** One request over a kept-alive connection; the whole answer, redirects not followed. */
function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; body: string }> {
  const transport = url.protocol === 'https:' ? https : http;
  const sent =
    body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method, headers: sent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const answer = new Headers();
        const raw = response.rawHeaders;
        for (let index = 0; index + 1 < raw.length; index += 2)
          answer.append(raw[index] ?? '', raw[index + 1] ?? '');
        resolve({
          status: response.statusCode ?? 0,
          headers: answer,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

export class HttpBrowser {
  readonly #cookies = new Map<string, Map<string, string>>();
  readonly #acceptLanguage: string;

  constructor(options: { acceptLanguage?: string } = {}) {
    this.#acceptLanguage = options.acceptLanguage ?? 'en';
  }

  #cookieHeader(url: URL): string | undefined {
    const jar = this.#cookies.get(url.host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #store(url: URL, headers: Headers): void {
    const jar = this.#cookies.get(url.host) ?? new Map<string, string>();
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0/i.test(a),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(url.host, jar);
  }

  /** One request, no redirect followed. */
  async request(
    input: string | URL,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<BrowserResponse> {
    const url = new URL(input);
    const headers: Record<string, string> = { 'accept-language': this.#acceptLanguage, ...init.headers };
    const cookie = this.#cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await send(url, init.method ?? (body ? 'POST' : 'GET'), headers, body);
    this.#store(url, response.headers);
    const location = response.headers.get('location') ?? undefined;
    return {
      status: response.status,
      url: url.toString(),
      location: location ? new URL(location, url).toString() : undefined,
      body: response.body,
      headers: response.headers,
    };
  }

  /**
   * Follows redirects until a page answers or a redirect leaves for `stopAt` (the app's redirect
   * URI), which is returned without being fetched.
   */
  async follow(response: BrowserResponse, stopAt?: string): Promise<BrowserResponse> {
    let current = response;
    for (let hops = 0; hops < 10; hops += 1) {
      if (current.location === undefined || current.status < 300 || current.status >= 400) return current;
      if (stopAt !== undefined && current.location.startsWith(stopAt)) return current;
      current = await this.request(current.location);
    }
    throw new Error('too many redirects');
  }

  async open(url: string | URL, stopAt?: string): Promise<BrowserResponse> {
    return this.follow(await this.request(url), stopAt);
  }

  async submit(url: string, form: Record<string, string>, stopAt?: string): Promise<BrowserResponse> {
    return this.follow(await this.request(url, { method: 'POST', form }), stopAt);
  }
}

/** Reads a named hidden input's value out of an HTML page. */
export function hiddenInput(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  return tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
}

/** Reads the action of the first form whose action contains `fragment`. */
export function formAction(html: string, fragment: string): string | undefined {
  for (const match of html.matchAll(/<form[^>]*action="([^"]*)"/g)) {
    if (match[1]?.includes(fragment)) return match[1].replaceAll('&amp;', '&');
  }
  return undefined;
}
