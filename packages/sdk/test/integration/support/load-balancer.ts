import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the balancer sends a request: an instance's base URL, or undefined to answer 503. */
export type Route = (request: { method: string; path: string }) => string | undefined;

/**
 * A reverse proxy standing in for the load balancer in front of several Guichet instances: the issuer
 * URL is its URL, and the test decides, per request path, which instance answers. It streams responses
 * as they come (Server-Sent Events pass through unbuffered) and counts the requests it forwarded.
 */
export interface LoadBalancer {
  url: string;
  /** Replaced by the test at will; applies to the next requests. */
  route: Route;
  /** Requests forwarded so far, by path (without the query). */
  readonly forwarded: Map<string, number>;
  /** Every request forwarded, in order, with its headers. */
  readonly requests: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  count(path: string): number;
  /** Cuts the connections of the requests to `path` still in progress (e.g. event streams). */
  drop(path: string): number;
  close(): Promise<void>;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function forwardedHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!hopByHop.has(name) && value !== undefined) out[name] = value;
  }
  return out;
}

export async function startLoadBalancer(route: Route = () => undefined): Promise<LoadBalancer> {
  const forwarded = new Map<string, number>();
  const requests: LoadBalancer['requests'] = [];
  const inProgress = new Set<{ path: string; response: http.ServerResponse }>();
  // An agent of its own, so closing the balancer also closes its connections to the instances.
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const target = balancer.route({ method: request.method ?? 'GET', path });
    if (target === undefined) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('no instance');
      request.resume();
      return;
    }
    forwarded.set(path, (forwarded.get(path) ?? 0) + 1);
    requests.push({ path, headers: request.headers });
    const entry = { path, response };
    inProgress.add(entry);
    const upstream = http.request(new URL(request.url ?? '/', target), {
      method: request.method,
      // The Host header stays the balancer's, as behind a real one: the issuer is its URL.
      headers: forwardedHeaders(request.headers),
      agent,
    });
    upstream.on('response', (answer) => {
      response.writeHead(answer.statusCode ?? 502, forwardedHeaders(answer.headers));
      response.flushHeaders();
      answer.on('data', (chunk: Buffer) => response.write(chunk));
      answer.on('end', () => response.end());
      // The instance went away mid-stream (stopped, crashed): the client sees its connection drop.
      answer.on('aborted', () => response.destroy());
      answer.on('error', () => response.destroy());
    });
    upstream.on('error', () => {
      if (response.headersSent) response.destroy();
      else response.writeHead(502, { 'content-type': 'text/plain' }).end('instance unreachable');
    });
    response.on('close', () => {
      inProgress.delete(entry);
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const balancer: LoadBalancer = {
    url: `http://127.0.0.1:${port}`,
    route,
    forwarded,
    requests,
    count: (path) => forwarded.get(path) ?? 0,
    drop(path) {
      const cut = [...inProgress].filter((entry) => entry.path === path);
      for (const entry of cut) entry.response.destroy();
      return cut.length;
    },
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return balancer;
}
