import { fileURLToPath } from 'node:url';
import { createGuichet } from '@guichet/sdk';
import { compactDecrypt, createLocalJWKSet, importJWK, type JSONWebKeySet, jwtVerify } from 'jose';
import type { AccessTokenFormat } from '../../../packages/sdk/src/token-format.ts';
import {
  audiences,
  basicOf,
  formats,
  prepareWorld,
  signIn,
  type World,
} from '../../../packages/sdk/test/integration/support/real-guichet.ts';
import { freePort } from '../../../packages/server/test/support/free-port.ts';
import { startEmbedded } from '../../../packages/server/test/support/oidc-flow.ts';
import { mintAccessTokens, type RefreshChain } from '../harness/access-token-mint.ts';
import { startChildServer } from '../harness/child-server.ts';
import { mapConcurrently } from '../harness/concurrently.ts';
import { alternate, median } from '../harness/load.ts';
import { driveWithRotatingBearer } from '../harness/rotating-bearer-load.ts';
import type { BenchOptions, Scenario, SideResult } from '../harness/scenario.ts';

const sdkApp = fileURLToPath(new URL('../baselines/sdk-fastify-app.ts', import.meta.url));

/** Distinct access tokens per format: the warm rounds rotate through them all. */
const tokensPerFormat = 1000;
/** Sessions (sign-ins) per format whose refresh chains mint the tokens side by side. */
const sessionsPerFormat = 4;
/** Calls in flight during the in-process cold measure. */
const coldConcurrency = 16;
/** The issue's targets for protected / unprotected requests per second. */
const warmTargets: Record<AccessTokenFormat, number> = { jwt: 0.9, jwe: 0.85, opaque: 0.85 };

interface FormatFigures {
  format: AccessTokenFormat;
  protected: SideResult;
  unprotected: SideResult;
  warmRatio: number;
  /** authenticate per second on tokens its SDK instance never saw, and the raw jose (or /context) rate. */
  cold: { sdk: SideResult; raw: SideResult; ratio: number };
}

async function chainsFor(world: World, format: AccessTokenFormat): Promise<RefreshChain[]> {
  const chains: RefreshChain[] = [];
  for (let session = 0; session < sessionsPerFormat; session += 1) {
    const tokens = await signIn(world, audiences[format], {
      businessId: world.acme.id,
      scope: 'openid offline_access orders:read',
      parameters: { prompt: 'consent' },
    });
    if (!tokens.refresh_token) throw new Error('the sign-in gave no refresh token');
    chains.push({
      issuer: world.issuer,
      clientId: world.app.id,
      clientSecret: world.app.secret,
      refreshToken: tokens.refresh_token,
    });
  }
  return chains;
}

function side(rates: number[]): SideResult {
  return { value: median(rates), rounds: rates };
}

/** Calls per second of `task` over every token, `coldConcurrency` at a time. */
async function ratePerSecond(tokens: readonly string[], task: (token: string) => Promise<unknown>) {
  const start = performance.now();
  await mapConcurrently(tokens, coldConcurrency, task);
  return tokens.length / ((performance.now() - start) / 1000);
}

/** The least a resource server must do per new token without the SDK: verify (decrypt) it, or ask Guichet. */
async function rawCheck(
  world: World,
  format: AccessTokenFormat,
): Promise<(token: string) => Promise<unknown>> {
  if (format === 'opaque') {
    return async (token) => {
      const response = await fetch(`${world.issuer}/context`, {
        method: 'POST',
        headers: { authorization: basicOf(world.service), 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      const answer = (await response.json()) as { active?: boolean };
      if (answer.active !== true) throw new Error('the context endpoint refused a fresh token');
    };
  }
  const jwks = createLocalJWKSet((await (await fetch(`${world.issuer}/jwks`)).json()) as JSONWebKeySet);
  const verify = (jws: string) =>
    jwtVerify(jws, jwks, { issuer: world.issuer, audience: audiences[format], typ: 'at+jwt' });
  if (format === 'jwt') return verify;
  const key = await importJWK(world.decryptionKey, 'ECDH-ES+A256KW');
  return async (token) => verify(new TextDecoder().decode((await compactDecrypt(token, key)).plaintext));
}

/**
 * Cold: a fresh SDK instance (events off) per round, so every token is one it never saw. One token
 * outside the measured set warms its JWKS and the sessions' contexts first: what is measured is the
 * per-token work (hash, decrypt, verify; a /context call for opaque), not the first JWKS fetch.
 */
async function measureCold(world: World, format: AccessTokenFormat, tokens: string[], rounds: number) {
  const raw = await rawCheck(world, format);
  const [first, ...measured] = tokens;
  const results = await alternate(
    rounds,
    async () => {
      const guichet = createGuichet({
        issuer: world.issuer,
        audience: audiences[format],
        clientId: world.service.id,
        clientSecret: world.service.secret,
        ...(format === 'jwe' ? { decryptionKey: world.decryptionKey } : {}),
        events: 'none',
      });
      try {
        // Every session's context, so no measured call waits on a context fetch for its sid.
        for (const token of tokens.filter(
          (_, index) => index % Math.ceil(tokens.length / sessionsPerFormat) === 0,
        ))
          await guichet.authenticate(`Bearer ${token}`);
        return await ratePerSecond(measured, (token) => guichet.authenticate(`Bearer ${token}`));
      } finally {
        await guichet.close();
      }
    },
    async () => {
      await raw(first ?? '');
      return ratePerSecond(measured, raw);
    },
  );
  const sdk = side(results.subject);
  const base = side(results.baseline);
  return { sdk, raw: base, ratio: sdk.value / base.value };
}

async function measureFormat(
  world: World,
  format: AccessTokenFormat,
  options: BenchOptions,
): Promise<FormatFigures> {
  const tokens = await mintAccessTokens(await chainsFor(world, format), tokensPerFormat);
  const port = await freePort();
  const app = await startChildServer({
    args: [sdkApp],
    env: {
      PORT: String(port),
      GUICHET_ISSUER: world.issuer,
      GUICHET_AUDIENCE: audiences[format],
      GUICHET_CLIENT_ID: world.service.id,
      GUICHET_CLIENT_SECRET: world.service.secret,
      ...(format === 'jwe' ? { GUICHET_DECRYPTION_KEY: JSON.stringify(world.decryptionKey) } : {}),
    },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/unprotected',
  });
  try {
    // Warm: the app sees every token once (and each check that it is accepted) before any round.
    await mapConcurrently(tokens, 8, async (token) => {
      const response = await fetch(`${app.url}/protected`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 200) throw new Error(`${format}: /protected answered ${response.status}`);
      await response.arrayBuffer();
    });
    const load = { duration: options.duration, connections: options.connections };
    await driveWithRotatingBearer(`${app.url}/protected`, tokens, { ...load, duration: 1 });
    await driveWithRotatingBearer(`${app.url}/unprotected`, tokens, { ...load, duration: 1 });
    const rounds = await alternate(
      options.rounds,
      () => driveWithRotatingBearer(`${app.url}/protected`, tokens, load),
      () => driveWithRotatingBearer(`${app.url}/unprotected`, tokens, load),
    );
    const protectedSide = {
      ...side(rounds.subject.map((r) => r.requestsPerSecond)),
      latencyP99Ms: median(rounds.subject.map((r) => r.latencyP99Ms)),
    };
    const unprotectedSide = {
      ...side(rounds.baseline.map((r) => r.requestsPerSecond)),
      latencyP99Ms: median(rounds.baseline.map((r) => r.latencyP99Ms)),
    };
    return {
      format,
      protected: protectedSide,
      unprotected: unprotectedSide,
      warmRatio: protectedSide.value / unprotectedSide.value,
      cold: await measureCold(world, format, tokens, options.rounds),
    };
  } finally {
    await app.stop();
  }
}

const rate = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** What the SDK's Fastify plugin costs a route, warm and on never-seen tokens, for each token format. */
export const sdkProtectedRoute: Scenario = {
  name: 'sdk-protected-route',
  description: 'a route behind @guichet/sdk (jwt, jwe, opaque tokens) against the same route unprotected',
  async run(options) {
    const deployment = await startEmbedded();
    try {
      const world = await prepareWorld(deployment);
      const figures: FormatFigures[] = [];
      for (const format of formats) figures.push(await measureFormat(world, format, options));
      const jwt = figures.find((figure) => figure.format === 'jwt') as FormatFigures;
      return {
        scenario: 'sdk-protected-route',
        unit: 'requests/s',
        subject: { ...jwt.protected, formats: figures },
        baseline: jwt.unprotected,
        ratio: jwt.warmRatio,
        notes: [
          'guichet = GET /protected behind guichetFastify, baseline = GET /unprotected in the same Fastify ' +
            'process; both carry the rotating Bearer header. The table is jwt; every format below.',
          `${tokensPerFormat} distinct tokens per format, from ${sessionsPerFormat} sign-ins (sessions) whose ` +
            'refresh_token chains mint one access token per grant; warm = every token seen once before the rounds.',
          ...figures.map(
            (f) =>
              `warm ${f.format}: protected ${rate(f.protected.value)} req/s, unprotected ${rate(f.unprotected.value)} ` +
              `req/s, ratio ${f.warmRatio.toFixed(3)} (target >= ${warmTargets[f.format]}: ` +
              `${f.warmRatio >= warmTargets[f.format] ? 'met' : 'NOT met'})`,
          ),
          ...figures.map(
            (f) =>
              `cold ${f.format} (in-process, ${coldConcurrency} in flight, fresh SDK instance per round): ` +
              `authenticate ${rate(f.cold.sdk.value)}/s vs ` +
              `${f.format === 'opaque' ? 'raw POST /context' : f.format === 'jwe' ? 'jose compactDecrypt+jwtVerify' : 'jose jwtVerify'} ` +
              `${rate(f.cold.raw.value)}/s, ratio ${f.cold.ratio.toFixed(3)}`,
          ),
          'Guichet (embedded drivers), the app and autocannon share this machine; the SDK app receives events over SSE.',
        ],
      };
    } finally {
      await deployment.stop();
    }
  },
};
