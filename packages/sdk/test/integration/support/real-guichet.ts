import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compactDecrypt, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import * as client from 'openid-client';
import { HttpBrowser, hiddenInput } from '../../../../server/test/support/http-browser.ts';
import {
  authorizationRequest,
  authorize,
  configurationFor,
  createUser,
  type OidcDeployment,
  registerClient,
  type TestClient,
  type TestUser,
  walk,
} from '../../../../server/test/support/oidc-flow.ts';
import { testRedisUrl } from '../../../../server/test/support/services.ts';
import { createGuichet } from '../../../src/create-guichet.ts';
import type { Guichet } from '../../../src/guichet.ts';
import type { GuichetOptions } from '../../../src/options.ts';
import type { AccessTokenFormat } from '../../../src/token-format.ts';

/** One resource server per token format, each with the same two scopes. */
export const audiences: Record<AccessTokenFormat, string> = {
  jwt: 'https://orders.example.test',
  jwe: 'https://payroll.example.test',
  opaque: 'https://notes.example.test',
};

export const formats: AccessTokenFormat[] = ['jwt', 'jwe', 'opaque'];

export const resourceScopes = ['orders:read', 'orders:write'];

export interface Business {
  id: string;
  name: string;
}

/** A confidential client whose secret is known (service and app clients of these tests). */
export type ConfidentialClient = TestClient & { secret: string };

/**
 * A populated Guichet: three businesses, Ada (owner of Acme, member of Globex), Bob (member of
 * Initech only), a first-party app that signs people in, the resource servers' service client, and
 * the private key of the JWE resource server.
 */
export interface World {
  deployment: OidcDeployment;
  issuer: string;
  /** The events channel on Redis (the deployment's key prefix + `events`); undefined when embedded. */
  eventsChannel: string | undefined;
  acme: Business;
  globex: Business;
  initech: Business;
  ada: TestUser;
  bob: TestUser;
  app: ConfidentialClient;
  service: ConfidentialClient;
  decryptionKey: JWK;
}

/**
 * A Redis key prefix of its own per deployment: suites running at the same time share one Redis, and
 * each must hear only its own deployment's events (their ids would collide otherwise).
 */
export function uniqueRedisPrefix(): string {
  return `guichet-${randomBytes(6).toString('hex')}:`;
}

function confidential(created: TestClient): ConfidentialClient {
  assert.ok(created.secret, 'a confidential client has a secret');
  return { ...created, secret: created.secret };
}

export async function prepareWorld(
  deployment: OidcDeployment,
  options: { redisPrefix?: string } = {},
): Promise<World> {
  const admin = deployment.main.admin;
  const [acme, globex, initech] = (await Promise.all(
    ['Acme Corp', 'Globex Inc', 'Initech Ltd'].map((name) =>
      admin.request<Business>('POST', '/businesses', { name }),
    ),
  )) as [Business, Business, Business];
  const [ada, bob] = await Promise.all([createUser(admin, 'Ada Lovelace'), createUser(admin, 'Bob Marley')]);
  await admin.request('POST', `/businesses/${acme.id}/members`, { email: ada.email, roles: ['owner'] });
  await admin.request('POST', `/businesses/${globex.id}/members`, { email: ada.email, roles: ['member'] });
  await admin.request('POST', `/businesses/${initech.id}/members`, {
    email: bob.email,
    roles: ['accountant'],
  });
  const pair = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
  for (const format of formats) {
    await admin.request('POST', '/resources', {
      audience: audiences[format],
      format,
      scopes: resourceScopes,
      ...(format === 'jwe' ? { encryptionKey: await exportJWK(pair.publicKey) } : {}),
    });
  }
  const app = confidential(await registerClient(deployment, { firstParty: true, name: 'Shop' }));
  const service = confidential(await registerClient(deployment, { service: true, name: 'Orders API' }));
  return {
    deployment,
    issuer: deployment.issuer,
    eventsChannel: options.redisPrefix === undefined ? undefined : `${options.redisPrefix}events`,
    acme,
    globex,
    initech,
    ada,
    bob,
    app,
    service,
    decryptionKey: await exportJWK(pair.privateKey),
  };
}

export type Tokens = Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

export interface SignInOptions {
  browser?: HttpBrowser;
  user?: TestUser;
  /** The business to pick when the chooser shows. */
  businessId?: string;
  scope?: string;
  /** Extra authorization request parameters (prompt...). */
  parameters?: Record<string, string>;
}

/** Signs in through the app (code + PKCE) for an access token of `resource`; one browser = one session. */
export async function signIn(
  world: World,
  resource: string,
  options: SignInOptions = {},
): Promise<Tokens & { browser: HttpBrowser }> {
  const browser = options.browser ?? new HttpBrowser();
  const request = await authorizationRequest(world.app, {
    scope: options.scope ?? 'openid orders:read',
    resource,
    ...options.parameters,
  });
  const redirect = await authorize(
    browser,
    world.app,
    request,
    options.user ?? world.ada,
    [],
    options.businessId === undefined ? undefined : { businessId: options.businessId },
  );
  const tokens = await client.authorizationCodeGrant(world.app.config, new URL(redirect.location ?? ''), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return Object.assign(tokens, { browser });
}

/** Access and ID tokens of one format. */
export interface FormatTokens {
  access: string;
  id: string;
}

/**
 * Signs Ada in once per format with the same browser: one session, so every token names its one
 * sid; she picks `businessId` when asked.
 */
export async function signInEveryFormat(
  world: World,
  browser: HttpBrowser,
  businessId: string,
): Promise<Map<AccessTokenFormat, FormatTokens>> {
  const tokens = new Map<AccessTokenFormat, FormatTokens>();
  for (const format of formats) {
    const signed = await signIn(world, audiences[format], { browser, businessId });
    tokens.set(format, { access: signed.access_token, id: signed.id_token ?? '' });
  }
  return tokens;
}

/** Signs the browser's session out everywhere (RP-initiated logout, confirmed); resolves on the answer. */
export async function signOut(world: World, browser: HttpBrowser, idToken: string): Promise<void> {
  const endSession = client.buildEndSessionUrl(world.app.config, { id_token_hint: idToken });
  const confirm = await walk(browser, await browser.request(endSession), 'http://never');
  const xsrf = hiddenInput(confirm.body, 'xsrf');
  assert.ok(xsrf, `a logout confirmation page, got ${confirm.status}`);
  const done = await browser.request(new URL('/session/end/confirm', world.issuer), {
    form: { xsrf, logout: 'yes' },
  });
  assert.ok(done.status < 400, `sign-out answered ${done.status}`);
}

/** POST /session/business as the person holding `accessToken`, on `baseUrl` (default: the issuer). */
export async function switchBusiness(
  world: World,
  accessToken: string,
  businessId: string,
  baseUrl = world.issuer,
): Promise<Response> {
  return fetch(`${baseUrl}/session/business`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ business_id: businessId }),
  });
}

export function basicOf(credentials: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString('base64')}`;
}

/** Guichet's context endpoint answer, asked by the resource servers' service client. */
export async function contextOf(
  world: World,
  body: { token: string } | { sid: string },
  baseUrl = world.issuer,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/context`, {
    method: 'POST',
    headers: { authorization: basicOf(world.service), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * A fresh openid-client configuration for the app, after a key rotation: openid-client caches the
 * JWKS and would refuse ID tokens signed with a key it has not seen for a minute.
 */
export async function refreshAppConfiguration(world: World): Promise<void> {
  world.app.config = await configurationFor(world.deployment, world.app.id, world.app.secret);
}

/** The sid of a JWS or (with the resource server's key) JWE access token. */
export async function sidOf(world: World, accessToken: string): Promise<string> {
  const jws =
    accessToken.split('.').length === 5
      ? new TextDecoder().decode((await compactDecrypt(accessToken, world.decryptionKey)).plaintext)
      : accessToken;
  const { sid } = decodeJwt(jws);
  assert.ok(typeof sid === 'string' && sid.length > 0, 'the access token names a sid');
  return sid;
}

/** The SDK as the resource server of `format` would configure it. */
export function sdkFor(
  world: World,
  format: AccessTokenFormat,
  overrides: Partial<GuichetOptions> = {},
): Guichet {
  const events = overrides.events ?? (world.eventsChannel === undefined ? 'sse' : 'redis');
  return createGuichet({
    issuer: world.issuer,
    audience: audiences[format],
    clientId: world.service.id,
    clientSecret: world.service.secret,
    ...(format === 'jwe' ? { decryptionKey: world.decryptionKey } : {}),
    ...(events === 'redis' ? { redisUrl: testRedisUrl, eventsChannel: world.eventsChannel } : {}),
    reconnect: { minDelayMs: 50, maxDelayMs: 500 },
    ...overrides,
    events,
  });
}

/** Resolves once the SDK's event feed is connected (SSE stream open, or Redis subscribed). */
export function connected(guichet: Guichet, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the SDK event feed did not connect')), timeoutMs);
    const stop = guichet.on('connected', () => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}
