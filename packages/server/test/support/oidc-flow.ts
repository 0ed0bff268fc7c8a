import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import type { AdminClient } from '../../src/cli/admin-client.ts';
import { adminApiOf, type CreatedClient, type CreatedUser } from './admin-api.ts';
import { freshDataDir } from './embedded-data-dir.ts';
import { freePort } from './free-port.ts';
import { type GuichetProcess, startGuichet } from './guichet-process.ts';
import { type BrowserResponse, formAction, type HttpBrowser, hiddenInput } from './http-browser.ts';
import { serviceGate, testRedisUrl } from './services.ts';
import { createTestDatabase } from './test-database.ts';

/** One running `guichet start` and the admin API of its data dir. */
export interface OidcInstance {
  /** Where this instance listens. */
  url: string;
  process: GuichetProcess;
  admin: AdminClient;
  /** Its data dir: the embedded database and objects live there. */
  dataDir: string;
}

/** One issuer served by one or more instances sharing their storage. */
export interface OidcDeployment {
  name: DriverName;
  issuer: string;
  /** The shared PostgreSQL database (postgres only): tests may read it, as an operator could. */
  databaseUrl: string | undefined;
  instances: OidcInstance[];
  /** The first instance: where tests that need only one talk to. */
  main: OidcInstance;
  /** Everything every instance wrote so far. */
  output(): string;
  stop(): Promise<void>;
}

export type DriverName = 'embedded' | 'postgres';

/** The storage a deployment can run on; postgres needs PostgreSQL and Redis (skipped without them). */
export interface DriverVariant {
  name: DriverName;
  skip: false | string;
  start(options?: { instances?: number; env?: Record<string, string> }): Promise<OidcDeployment>;
}

/** Generous: on a loaded 2-core machine several PGlite servers starting at once take a while. */
const startTimeoutMs = 60_000;

async function instanceOn(dataDir: string, env: Record<string, string>): Promise<OidcInstance> {
  const guichet = await startGuichet({ GUICHET_DATA_DIR: dataDir, ...env }, startTimeoutMs);
  return { url: guichet.url, process: guichet, admin: await adminApiOf(guichet.url, dataDir), dataDir };
}

function deployment(
  name: DriverName,
  issuer: string,
  instances: OidcInstance[],
  cleanup: () => Promise<void>,
  databaseUrl?: string,
): OidcDeployment {
  const [main] = instances;
  assert.ok(main, 'a deployment has at least one instance');
  return {
    name,
    issuer,
    databaseUrl,
    instances,
    main,
    output: () => instances.map((instance) => instance.process.output()).join('\n'),
    async stop() {
      await Promise.all(instances.map((instance) => instance.process.stop()));
      await cleanup();
    },
  };
}

/** One instance on the embedded drivers (PGlite, in-process cache), from the migrated template. */
export async function startEmbedded(env: Record<string, string> = {}): Promise<OidcDeployment> {
  const data = await freshDataDir();
  try {
    const instance = await instanceOn(data.dir, env);
    return deployment('embedded', instance.url, [instance], data.remove);
  } catch (error) {
    await data.remove();
    throw error;
  }
}

/**
 * `count` instances on one fresh PostgreSQL database and the shared Redis, behind one issuer (the
 * first instance's URL), as behind a load balancer. They share the master key, as a cluster must.
 */
export async function startPostgres(count = 1, env: Record<string, string> = {}): Promise<OidcDeployment> {
  const database = await createTestDatabase();
  const dataDirs = await Promise.all(
    Array.from({ length: count }, () => mkdtemp(path.join(os.tmpdir(), 'guichet-oidc-'))),
  );
  const cleanup = async () => {
    await database.drop();
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const ports = await Promise.all(dataDirs.map(() => freePort()));
  const issuer = `http://127.0.0.1:${ports[0]}`;
  const shared = {
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl,
    GUICHET_ISSUER: issuer,
    GUICHET_SECRET: randomBytes(32).toString('base64url'),
    ...env,
  };
  const started = await Promise.allSettled(
    dataDirs.map((dir, index) => instanceOn(dir, { ...shared, PORT: String(ports[index]) })),
  );
  const instances = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(instances.map((instance) => instance.process.stop()));
    await cleanup();
    throw failed.reason;
  }
  return deployment('postgres', issuer, instances, cleanup, database.url);
}

const postgresSkip = (await serviceGate('postgres')) || (await serviceGate('redis'));

export const driverVariants: DriverVariant[] = [
  { name: 'embedded', skip: false, start: (options = {}) => startEmbedded(options.env) },
  {
    name: 'postgres',
    skip: postgresSkip,
    start: (options = {}) => startPostgres(options.instances ?? 1, options.env),
  },
];

/** The PostgreSQL variant, for suites that need several instances. */
export const postgresVariant = driverVariants[1] as DriverVariant;

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
}

/** Creates an account with a unique address through the admin API. */
export async function createUser(admin: AdminClient, name = 'Ada Lovelace'): Promise<TestUser> {
  const email = `user-${randomBytes(6).toString('hex')}@example.test`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const created = await admin.request<CreatedUser>('POST', '/users', { email, name, password });
  return { id: created.id, email, name, password };
}

export interface ClientOptions {
  name?: string;
  firstParty?: boolean;
  public?: boolean;
  service?: boolean;
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
  redirectUris?: string[];
}

/** A registered client and an openid-client configuration for it. */
export interface TestClient {
  id: string;
  secret: string | undefined;
  /** The registered redirect URI; nothing listens there, the browser stops before following it. */
  redirectUri: string;
  config: client.Configuration;
}

/** A redirect URI on a closed port: HttpBrowser stops at it, so nothing needs to listen. */
export function unusedRedirectUri(label = 'cb'): string {
  return `http://127.0.0.1:9/${label}-${randomBytes(4).toString('hex')}`;
}

/**
 * openid-client's configuration for a client of `deployment`, talking to `instance` (default: the
 * first). Discovery is read from that instance; its endpoints are rewritten to the instance's URL, as
 * a load balancer would route them, while the issuer stays the deployment's.
 */
export async function configurationFor(
  deployment: OidcDeployment,
  clientId: string,
  secret: string | undefined,
  instance: OidcInstance = deployment.main,
): Promise<client.Configuration> {
  const response = await fetch(`${instance.url}/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  // Endpoint URLs end with a path; the issuer itself (no trailing slash) stays as published.
  const text = (await response.text()).replaceAll(`${deployment.issuer}/`, `${instance.url}/`);
  const metadata = JSON.parse(text) as client.ServerMetadata;
  assert.equal(metadata.issuer, deployment.issuer);
  const auth = secret === undefined ? client.None() : client.ClientSecretBasic(secret);
  const config = new client.Configuration(metadata, clientId, secret, auth);
  client.allowInsecureRequests(config);
  // Also check ID token signatures against the JWKS (openid-client skips that by default over TLS).
  client.enableNonRepudiationChecks(config);
  return config;
}

/** Registers a client through the admin API. */
export async function registerClient(
  deployment: OidcDeployment,
  options: ClientOptions = {},
): Promise<TestClient> {
  const redirectUris = options.service ? [] : (options.redirectUris ?? [unusedRedirectUri()]);
  const created = await deployment.main.admin.request<CreatedClient>('POST', '/clients', {
    name: options.name ?? 'Test app',
    redirectUris,
    ...(options.public === undefined ? {} : { public: options.public }),
    ...(options.service === undefined ? {} : { service: options.service }),
    ...(options.firstParty === undefined ? {} : { firstParty: options.firstParty }),
    ...(options.postLogoutRedirectUris === undefined
      ? {}
      : { postLogoutRedirectUris: options.postLogoutRedirectUris }),
    ...(options.backchannelLogoutUri === undefined
      ? {}
      : { backchannelLogoutUri: options.backchannelLogoutUri }),
  });
  return {
    id: created.client_id,
    secret: created.client_secret,
    redirectUri: redirectUris[0] ?? '',
    config: await configurationFor(deployment, created.client_id, created.client_secret),
  };
}

/** What an authorization request needs remembered until the code comes back. */
export interface AuthorizationRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** Builds a code + PKCE S256 authorization request with a state and a nonce. */
export async function authorizationRequest(
  rp: TestClient,
  parameters: Record<string, string> = {},
): Promise<AuthorizationRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...parameters,
  });
  return { url, verifier, state, nonce };
}

/** The sign-in page's form fields with the credentials filled in. */
export function signInForm(page: BrowserResponse, user: { email: string; password: string }) {
  const csrf = hiddenInput(page.body, 'csrf');
  assert.ok(csrf, `a sign-in page with a csrf field, got ${page.status}: ${page.body.slice(0, 300)}`);
  return { email: user.email, password: user.password, csrf };
}

/** Absolute URL of the page's form whose action contains `fragment`. */
export function formUrl(page: BrowserResponse, fragment: string): string {
  const action = formAction(page.body, fragment);
  assert.ok(action, `a form posting to ${fragment} on ${page.url} (status ${page.status})`);
  return new URL(action, page.url).toString();
}

/** Whether the browser has been sent back to the app (a redirect to the redirect URI). */
export function isRedirectTo(response: BrowserResponse, redirectUri: string): boolean {
  return response.status >= 300 && response.status < 400 && (response.location ?? '').startsWith(redirectUri);
}

/** Follows redirects like HttpBrowser.follow, and records every response in `trail`. */
export async function walk(
  browser: HttpBrowser,
  response: BrowserResponse,
  stopAt: string,
  trail: BrowserResponse[] = [],
): Promise<BrowserResponse> {
  let current = response;
  trail.push(current);
  for (let hops = 0; hops < 10; hops += 1) {
    if (current.location === undefined || current.status < 300 || current.status >= 400) return current;
    if (current.location.startsWith(stopAt)) return current;
    current = await browser.request(current.location);
    trail.push(current);
  }
  throw new Error('too many redirects');
}

/**
 * Drives the browser through the authorization request: signs in when the sign-in page shows, allows
 * when the consent page shows, and returns the redirect back to the app (not followed). Every response
 * on the way is pushed to `trail`.
 */
export async function authorize(
  browser: HttpBrowser,
  rp: TestClient,
  request: AuthorizationRequest,
  user?: { email: string; password: string },
  trail: BrowserResponse[] = [],
  choose?: { businessId?: string },
): Promise<BrowserResponse> {
  let page = await walk(browser, await browser.request(request.url), rp.redirectUri, trail);
  for (let step = 0; step < 4 && !isRedirectTo(page, rp.redirectUri); step += 1) {
    if (formAction(page.body, '/login') !== undefined) {
      assert.ok(user, 'the sign-in page showed but no user was given');
      const form = signInForm(page, user);
      page = await walk(
        browser,
        await browser.request(formUrl(page, '/login'), { form }),
        rp.redirectUri,
        trail,
      );
    } else if (formAction(page.body, '/business') !== undefined) {
      const chosen = choose?.businessId ?? /name="business_id" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const form = { business_id: chosen, csrf: hiddenInput(page.body, 'csrf') ?? '' };
      page = await walk(
        browser,
        await browser.request(formUrl(page, '/business'), { form }),
        rp.redirectUri,
        trail,
      );
    } else if (formAction(page.body, '/consent') !== undefined) {
      const form = { decision: 'allow', csrf: hiddenInput(page.body, 'csrf') ?? '' };
      page = await walk(
        browser,
        await browser.request(formUrl(page, '/consent'), { form }),
        rp.redirectUri,
        trail,
      );
    } else break;
  }
  assert.ok(
    isRedirectTo(page, rp.redirectUri),
    `expected a redirect to the app, got ${page.status} ${page.location ?? ''}: ${page.body.slice(0, 300)}`,
  );
  return page;
}

export type Tokens = Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

/** Signs in (when needed), redeems the code with the verifier, and checks state, nonce and ID token. */
export async function codeFlow(
  browser: HttpBrowser,
  rp: TestClient,
  user?: { email: string; password: string },
  parameters: Record<string, string> = {},
  trail: BrowserResponse[] = [],
): Promise<{ tokens: Tokens; request: AuthorizationRequest; callback: URL }> {
  const request = await authorizationRequest(rp, parameters);
  const callback = new URL((await authorize(browser, rp, request, user, trail)).location ?? '');
  const tokens = await client.authorizationCodeGrant(rp.config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
  return { tokens, request, callback };
}

/** The refresh-token flavour of codeFlow: offline_access needs prompt=consent (oidc-provider's rule). */
export function offlineParameters(): Record<string, string> {
  return { scope: 'openid email profile offline_access', prompt: 'consent' };
}

export interface TokenResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** A raw form POST to an endpoint, authenticated with client_secret_basic when given credentials. */
export async function postForm(
  url: string,
  fields: Record<string, string> | string,
  credentials?: { id: string; secret: string },
): Promise<TokenResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(credentials ? { authorization: basic(credentials.id, credentials.secret) } : {}),
    },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: tests assert on `text`
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Introspects a token as `rp` (introspection is for the client the token was issued to). */
export async function isActive(rp: TestClient, token: string): Promise<boolean> {
  const result = await client.tokenIntrospection(rp.config, token);
  return result.active;
}

/** Asserts an OAuth error JSON answer from the token endpoint (RFC 6749 section 5.2). */
export function assertOAuthError(response: TokenResponse, status: number, error: string): void {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(response.body.error, error, response.text);
  assert.equal(typeof response.body.error_description, 'string', response.text);
}

/** A back-channel logout request as the test relying party received it. */
export interface ReceivedLogout {
  contentType: string;
  logoutToken: string;
}

/** A small app server that receives back-channel logout requests (OIDC Back-Channel Logout 1.0). */
export interface TestRelyingParty {
  backchannelLogoutUri: string;
  received: ReceivedLogout[];
  /** Resolves with the next logout request (or one already received and not yet taken). */
  nextLogout(timeoutMs?: number): Promise<ReceivedLogout>;
  close(): Promise<void>;
}

export async function startTestRelyingParty(): Promise<TestRelyingParty> {
  const received: ReceivedLogout[] = [];
  let taken = 0;
  const waiters: Array<() => void> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/backchannel-logout') {
        const body = new URLSearchParams(Buffer.concat(chunks).toString());
        received.push({
          contentType: request.headers['content-type'] ?? '',
          logoutToken: body.get('logout_token') ?? '',
        });
        for (const wake of waiters.splice(0)) wake();
        response.writeHead(200, { 'cache-control': 'no-store' }).end();
      } else response.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    backchannelLogoutUri: `http://127.0.0.1:${port}/backchannel-logout`,
    received,
    async nextLogout(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= taken) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no back-channel logout request arrived');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      const next = received[taken] as ReceivedLogout;
      taken += 1;
      return next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `probe` until `accept` holds or the time is up; returns the last value. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

/**
 * Asserts that none of the values (tokens, codes, passwords, secrets) appears in the server's output.
 * A JWT is also looked for by its payload and signature, the parts that identify it.
 */
export function assertNotLogged(output: string, values: Iterable<string | undefined>): void {
  let checked = 0;
  for (const value of values) {
    if (value === undefined || value.length < 8) continue;
    const parts = value.split('.');
    const needles = parts.length === 3 ? [value, ...parts.slice(1)] : [value];
    for (const needle of needles) {
      assert.equal(
        output.includes(needle),
        false,
        `the server logged a secret value (${needle.slice(0, 6)}...)`,
      );
    }
    checked += 1;
  }
  assert.ok(checked > 0, 'nothing was checked');
}

/** Asserts every cookie set by these responses is HttpOnly and SameSite; returns the cookie names. */
export function assertCookiesHardened(responses: BrowserResponse[]): string[] {
  const names: string[] = [];
  for (const response of responses) {
    for (const line of response.headers.getSetCookie()) {
      const name = line.slice(0, line.indexOf('='));
      names.push(name);
      assert.match(line, /;\s*httponly/i, `cookie ${name} from ${response.url} is HttpOnly`);
      assert.match(line, /;\s*samesite=(lax|strict)/i, `cookie ${name} from ${response.url} is SameSite`);
    }
  }
  return names;
}
