import { randomBytes } from 'node:crypto';
import { signInThroughPages } from '../harness/authorization-code-flow.ts';
import { startBareOidcProvider } from '../harness/bare-oidc-process.ts';
import { basicAuthorization } from '../harness/basic-authorization.ts';
import { type CheckedLoadResult, type ConnectionScript, driveChecked } from '../harness/checked-load.ts';
import { measureChecked, requestRateResult } from '../harness/checked-rounds.ts';
import { mapConcurrently } from '../harness/concurrently.ts';
import { alternate } from '../harness/load.ts';
import { startProductionGuichet } from '../harness/production-guichet.ts';
import type { Scenario } from '../harness/scenario.ts';
import { baselineCpuSources, guichetCpuSources } from '../harness/side-cpu-sources.ts';

const scope = 'openid email profile offline_access';
const redirectUri = 'http://localhost:3000/callback';
/** Sign-ins in flight while minting Guichet's chains: each costs an argon2id verify. */
const mintConcurrency = 4;

/**
 * One connection's chain of rotating refresh tokens: request i presents the token that request i-1
 * returned, so every request is a legal first use. An unusable answer leaves the chain on a spent
 * token, and the next answers fail loudly (reuse revokes the grant).
 */
function chainScript(firstToken: string): ConnectionScript {
  let token = firstToken;
  return {
    body: () => `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`,
    accept(body) {
      try {
        const answer = JSON.parse(body) as { refresh_token?: unknown; id_token?: unknown };
        if (typeof answer.refresh_token !== 'string' || typeof answer.id_token !== 'string') return false;
        token = answer.refresh_token;
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * One refresh outside the measure, on a chain of its own: it must answer 200 with a new refresh
 * token and an ID token signed with ES256, so both sides do the same signing work.
 */
async function checkOneRefresh(label: string, tokenUrl: string, authorization: string, token: string) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${label}: refresh answered ${response.status} ${body}`);
  const answer = JSON.parse(body) as { refresh_token?: string; id_token?: string };
  const header = JSON.parse(
    Buffer.from(answer.id_token?.split('.')[0] ?? '', 'base64url').toString() || '{}',
  ) as {
    alg?: string;
  };
  if (header.alg !== 'ES256')
    throw new Error(`${label}: the ID token is signed with ${header.alg}, not ES256`);
  if (answer.refresh_token === undefined || answer.refresh_token === token)
    throw new Error(`${label}: the refresh token did not rotate`);
}

function refreshLoad(
  tokenUrl: string,
  authorization: string,
  chains: string[],
  duration: number,
): Promise<CheckedLoadResult> {
  return driveChecked(tokenUrl, {
    duration,
    connections: chains.length,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    script: (connection) => chainScript(chains[connection] ?? ''),
  });
}

/** Guichet's refresh grant (PostgreSQL + Redis, rotation) against bare oidc-provider in memory. */
export const tokenRefresh: Scenario = {
  name: 'token-refresh',
  description: 'refresh_token grants with rotation: Guichet on PostgreSQL + Redis vs bare oidc-provider',
  async run(options) {
    const guichet = await startProductionGuichet();
    const secret = randomBytes(32).toString('base64url');
    const baseline = await startBareOidcProvider([
      {
        client_id: 'bench-app',
        client_secret: secret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ]).catch(async (error: unknown) => {
      await guichet.stop();
      throw error;
    });
    try {
      const app = await guichet.admin.request<{ client_id: string; client_secret: string }>(
        'POST',
        '/clients',
        { name: 'Bench app', redirectUris: [redirectUri], firstParty: true },
      );
      const password = randomBytes(18).toString('base64url');
      const users = await mapConcurrently(
        Array.from({ length: options.connections }, (_, i) => `bench-user-${i}@bench.example`),
        mintConcurrency,
        async (email) => {
          await guichet.admin.request('POST', '/users', { email, name: 'Bench User', password });
          return { email, password };
        },
      );
      const flowClient = {
        issuer: guichet.url,
        clientId: app.client_id,
        clientSecret: app.client_secret,
        redirectUri,
      };
      const subjectAuthorization = basicAuthorization(app.client_id, app.client_secret);
      const baselineAuthorization = basicAuthorization('bench-app', secret);

      /** A sign-in through the pages: a new session, a new grant, one refresh token. */
      const guichetRefreshToken = async (user: { email: string; password: string }) => {
        const tokens = await signInThroughPages(flowClient, user, { scope, prompt: 'consent' });
        if (tokens.refresh_token === undefined) throw new Error('guichet issued no refresh token');
        return tokens.refresh_token;
      };
      const guichetChains = () => mapConcurrently(users, mintConcurrency, guichetRefreshToken);
      const baselineChains = () => baseline.mintRefreshTokens('bench-app', scope, options.connections);

      // Fresh chains for every round: the last request of a round may have rotated a token whose
      // answer was cut off, and presenting it again would be a reuse.
      const guichetCpu = guichetCpuSources(guichet, 'bench (autocannon)');
      const baselineCpu = baselineCpuSources(baseline.pid, 'bench (autocannon)');
      const guichetRound = async (duration: number) => {
        const chains = await guichetChains();
        return measureChecked('guichet', guichetCpu, () =>
          refreshLoad(`${guichet.url}/token`, subjectAuthorization, chains, duration),
        );
      };
      const baselineRound = async (duration: number) => {
        const chains = await baselineChains();
        return measureChecked('baseline', baselineCpu, () =>
          refreshLoad(`${baseline.url}/token`, baselineAuthorization, chains, duration),
        );
      };
      await checkOneRefresh(
        'guichet',
        `${guichet.url}/token`,
        subjectAuthorization,
        await guichetRefreshToken(users[0] ?? { email: '', password: '' }),
      );
      await checkOneRefresh(
        'baseline',
        `${baseline.url}/token`,
        baselineAuthorization,
        (await baseline.mintRefreshTokens('bench-app', scope, 1))[0] ?? '',
      );
      await guichetRound(1);
      await baselineRound(1);
      const rounds = await alternate(
        options.rounds,
        () => guichetRound(options.duration),
        () => baselineRound(options.duration),
      );
      return requestRateResult('token-refresh', rounds, [
        `${options.connections} connections, each rotating its own chain: request i presents the ` +
          'refresh token request i-1 returned (client_secret_basic, scope "openid email profile offline_access")',
        'chains are new every round: guichet mints them by signing each user in through the pages ' +
          '(argon2id, code exchange); the baseline mints a Grant and a RefreshToken in its own process, ' +
          'as the code exchange would. Minting is not measured',
        'every answer must be 200 with a new refresh_token and an id_token; one refresh per side, before ' +
          'the load, checks that the ID token is signed with ES256 and that the refresh token rotates',
      ]);
    } finally {
      await Promise.all([guichet.stop(), baseline.stop()]);
    }
  },
};
