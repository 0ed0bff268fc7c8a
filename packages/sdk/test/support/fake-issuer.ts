import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompactEncrypt,
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

/**
 * A stand-in for the Guichet server that speaks the issue-4 contract (JWKS, context endpoint, SSE
 * events) and that each test controls and observes. It is the SDK's own protocol fixture; the
 * integration tests against the real server live with the server.
 */

export type SigningAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** SPKI PEM of the public key: what an attacker would feed to HS256. */
  publicPem: string;
}

export interface FakeSession {
  sub: string;
  businessId: string | null;
  roles: string[];
  scope: string;
  /** Seconds since the epoch. */
  exp: number;
  active: boolean;
}

export interface FakeOpaqueToken extends FakeSession {
  sid: string | null;
  aud?: string;
}

export interface FakeEvent {
  id: string;
  type: string;
  at: string;
  sid?: string;
  sub?: string;
  business_id?: string;
}

export interface SignOptions {
  key?: SigningKey;
  /** Replaces header members (typ, kid, alg...). */
  header?: Record<string, unknown>;
}

export interface FakeIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Requests received, by endpoint. */
  readonly requests: { jwks: number; context: number; events: number };
  /** Bodies the context endpoint received. */
  readonly contextQueries: Array<Record<string, unknown>>;
  /** The Last-Event-ID header of each /events request, in order (undefined when absent). */
  readonly lastEventIds: Array<string | undefined>;
  readonly sessions: Map<string, FakeSession>;
  readonly opaqueTokens: Map<string, FakeOpaqueToken>;
  /** Every key signed with so far; only `published` ones are in the JWKS. */
  readonly published: SigningKey[];
  /** The resource server's private encryption key (as the SDK's decryptionKey). */
  readonly decryptionJwk: JWK;
  /** When set, /context and /jwks answer with this status instead. */
  outage: number | undefined;
  addKey(alg?: SigningAlgorithm, publish?: boolean): Promise<SigningKey>;
  publish(key: SigningKey): void;
  sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** A JWE around `jws` for the resource server's encryption key (or `toJwk` instead). */
  encrypt(jws: string, options?: { toJwk?: JWK; header?: Record<string, unknown> }): Promise<string>;
  /** Records an event, and streams it to the open /events connections. */
  emit(event: Omit<FakeEvent, 'id' | 'at'> & { at?: string }): FakeEvent;
  /** Cuts every open /events connection, as a network failure would. */
  dropEventStreams(): void;
  /** Resolves once `count` /events connections have been accepted in total. */
  eventConnections(count: number): Promise<void>;
  readonly openStreams: number;
  close(): Promise<void>;
}

export const defaultSid = 'sid-0123456789abcdef0123456789abcdef';

function unauthorized(res: http.ServerResponse): void {
  res.writeHead(401, {
    'content-type': 'application/problem+json',
    'www-authenticate': 'Basic realm="guichet"',
  });
  res.end(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401 }));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startFakeIssuer(): Promise<FakeIssuer> {
  const clientId = 'resource-api';
  const clientSecret = 'rs secret/with+odd:chars';
  const audience = 'https://api.test.example';
  const requests = { jwks: 0, context: 0, events: 0 };
  const contextQueries: Array<Record<string, unknown>> = [];
  const lastEventIds: Array<string | undefined> = [];
  const sessions = new Map<string, FakeSession>();
  const opaqueTokens = new Map<string, FakeOpaqueToken>();
  const published: SigningKey[] = [];
  const events: FakeEvent[] = [];
  const streams = new Set<http.ServerResponse>();
  const connectionWaiters: Array<{ count: number; resolve: () => void }> = [];
  let nextEventId = 1;
  let issuer = '';

  const encryption = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const encryptionJwk = { ...(await exportJWK(encryption.publicKey)), kid: 'rs-enc-1', use: 'enc' };
  const decryptionJwk = { ...(await exportJWK(encryption.privateKey)), kid: 'rs-enc-1' };

  // RFC 6749 2.3.1: the credentials are form-urlencoded inside Basic.
  const expectedBasic = `Basic ${Buffer.from(
    `${encodeURIComponent(clientId).replace(/%20/g, '+')}:${encodeURIComponent(clientSecret).replace(/%20/g, '+')}`,
  ).toString('base64')}`;

  const fake: FakeIssuer = {
    get issuer() {
      return issuer;
    },
    audience,
    clientId,
    clientSecret,
    requests,
    contextQueries,
    lastEventIds,
    sessions,
    opaqueTokens,
    published,
    decryptionJwk,
    outage: undefined,
    get openStreams() {
      return streams.size;
    },

    async addKey(alg = 'ES256', publish = true) {
      const pair = await generateKeyPair(alg, { extractable: true });
      const kid = `key-${randomUUID()}`;
      const key: SigningKey = {
        kid,
        alg,
        privateKey: pair.privateKey,
        publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' },
        publicPem: await exportSPKI(pair.publicKey),
      };
      if (publish) published.push(key);
      return key;
    },

    publish(key) {
      if (!published.includes(key)) published.push(key);
    },

    async sign(claims = {}, options = {}) {
      const key = options.key ?? published[0];
      if (key === undefined) throw new Error('no signing key');
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: issuer,
        sub: 'person-1',
        aud: audience,
        exp: now + 300,
        iat: now,
        jti: randomUUID(),
        scope: 'openid orders:read',
        client_id: 'web-app',
        sid: defaultSid,
      };
      for (const [name, value] of Object.entries(claims)) {
        if (value === undefined) delete payload[name];
        else payload[name] = value;
      }
      return new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header })
        .sign(key.privateKey);
    },

    async encrypt(jws, options = {}) {
      return new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({
          alg: 'ECDH-ES+A256KW',
          enc: 'A256GCM',
          kid: encryptionJwk.kid,
          cty: 'JWT',
          ...options.header,
        })
        .encrypt(options.toJwk ?? encryptionJwk);
    },

    emit(partial) {
      const event: FakeEvent = {
        ...partial,
        id: String(nextEventId),
        at: partial.at ?? new Date().toISOString(),
      };
      nextEventId += 1;
      events.push(event);
      for (const stream of streams) writeEvent(stream, event);
      return event;
    },

    dropEventStreams() {
      for (const stream of streams) stream.destroy();
      streams.clear();
    },

    eventConnections(count) {
      if (requests.events >= count) return Promise.resolve();
      return new Promise((resolve) => connectionWaiters.push({ count, resolve }));
    },

    async close() {
      fake.dropEventStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function writeEvent(stream: http.ServerResponse, event: FakeEvent): void {
    stream.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  async function answerContext(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let query: Record<string, unknown>;
    try {
      query = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      json(400, { title: 'malformed body', status: 400 });
      return;
    }
    contextQueries.push(query);
    const now = Math.floor(Date.now() / 1000);
    if (typeof query.token === 'string') {
      const token = opaqueTokens.get(query.token);
      if (token === undefined || !token.active || token.exp <= now) {
        json(200, { active: false });
        return;
      }
      const session = token.sid === null ? undefined : sessions.get(token.sid);
      if (session !== undefined && !session.active) {
        json(200, { active: false });
        return;
      }
      json(200, {
        active: true,
        sub: token.sub,
        sid: token.sid,
        business_id: session?.businessId ?? token.businessId,
        roles: session?.roles ?? token.roles,
        scope: token.scope,
        exp: token.exp,
        ...(token.aud === undefined ? {} : { aud: token.aud }),
      });
      return;
    }
    if (typeof query.sid === 'string') {
      const session = sessions.get(query.sid);
      if (session === undefined || !session.active) {
        json(200, { active: false });
        return;
      }
      json(200, {
        active: true,
        sub: session.sub,
        sid: query.sid,
        business_id: session.businessId,
        roles: session.roles,
        scope: session.scope,
        exp: session.exp,
      });
      return;
    }
    json(400, { title: 'token or sid is required', status: 400 });
  }

  function openEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    const header = req.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header : undefined;
    lastEventIds.push(lastEventId);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(': connected\n\n');
    if (lastEventId !== undefined) {
      for (const event of events) if (Number(event.id) > Number(lastEventId)) writeEvent(res, event);
    }
    streams.add(res);
    res.on('close', () => streams.delete(res));
    for (const waiter of [...connectionWaiters]) {
      if (requests.events >= waiter.count) {
        connectionWaiters.splice(connectionWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path === '/jwks' && req.method === 'GET') {
      requests.jwks += 1;
      if (fake.outage !== undefined) {
        res.writeHead(fake.outage).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
      return;
    }
    if (path === '/context' && req.method === 'POST') {
      requests.context += 1;
      if (fake.outage !== undefined) {
        res.writeHead(fake.outage).end();
        return;
      }
      if (req.headers.authorization !== expectedBasic) {
        unauthorized(res);
        return;
      }
      answerContext(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
      return;
    }
    if (path === '/events' && req.method === 'GET') {
      requests.events += 1;
      if (req.headers.authorization !== expectedBasic) {
        unauthorized(res);
        return;
      }
      openEvents(req, res);
      return;
    }
    res.writeHead(404).end();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await fake.addKey('ES256');
  sessions.set(defaultSid, {
    sub: 'person-1',
    businessId: 'business-a',
    roles: ['admin'],
    scope: 'openid orders:read',
    exp: Math.floor(Date.now() / 1000) + 3600,
    active: true,
  });
  return fake;
}
