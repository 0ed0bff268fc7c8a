import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An active token's session context, as Guichet's `POST /context` answers it. */
export interface ActiveContext {
  sub: string;
  sid: string;
  business_id: string | null;
  roles: string[];
  scope: string;
}

/** What the fake answers for a token: its context, inactive, or a dropped connection. */
export type TokenBehaviour = ActiveContext | 'inactive' | 'unreachable';

export interface FakeIssuerOptions {
  clientId: string;
  clientSecret: string;
  tokens: Record<string, TokenBehaviour>;
}

export interface FakeIssuer {
  url: string;
  /** Context lookups answered so far, to see the SDK really asked. */
  readonly contextRequests: number;
  /** Event streams (`GET /events`) currently open. */
  readonly openEventStreams: number;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * The slice of the Guichet contract an opaque token needs: `POST /context` with the service
 * client's Basic credentials, plus an idle `GET /events` stream. Lets the real SDK run inside the
 * real NestJS app in these tests.
 */
export async function startFakeIssuer(options: FakeIssuerOptions): Promise<FakeIssuer> {
  const expectedAuthorization = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  const hourFromNow = () => Math.floor(Date.now() / 1000) + 3600;
  let contextRequests = 0;
  let openEventStreams = 0;

  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const route = `${request.method} ${path}`;
    if (route === 'GET /jwks') return sendJson(response, 200, { keys: [] });
    if (route !== 'POST /context' && route !== 'GET /events')
      return sendJson(response, 404, { title: 'Not Found' });
    if (request.headers.authorization !== expectedAuthorization) {
      const challenge = { 'www-authenticate': 'Basic realm="guichet"' };
      return sendJson(response, 401, { title: 'Unauthorized' }, challenge);
    }
    if (route === 'GET /events') {
      // An idle stream: enough to see the SDK hold it open, and let go of it when closed.
      openEventStreams += 1;
      response.on('close', () => {
        openEventStreams -= 1;
      });
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      response.write(': connected\n\n');
      return;
    }
    contextRequests += 1;
    const body = JSON.parse(await readBody(request)) as { token?: string; sid?: string };
    const behaviour =
      body.token !== undefined
        ? options.tokens[body.token]
        : Object.values(options.tokens).find((value) => typeof value === 'object' && value.sid === body.sid);
    if (behaviour === 'unreachable') {
      request.socket.destroy();
      return;
    }
    if (behaviour === undefined || behaviour === 'inactive')
      return sendJson(response, 200, { active: false });
    return sendJson(response, 200, { active: true, ...behaviour, exp: hourFromNow() });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get contextRequests() {
      return contextRequests;
    },
    get openEventStreams() {
      return openEventStreams;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
