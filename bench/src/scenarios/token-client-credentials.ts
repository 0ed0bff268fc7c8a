import { randomBytes } from 'node:crypto';
import { startBareOidcProvider } from '../harness/bare-oidc-process.ts';
import { basicAuthorization } from '../harness/basic-authorization.ts';
import { type CheckedLoadResult, driveChecked } from '../harness/checked-load.ts';
import { measureChecked, requestRateResult } from '../harness/checked-rounds.ts';
import { alternate } from '../harness/load.ts';
import { startProductionGuichet } from '../harness/production-guichet.ts';
import type { Scenario } from '../harness/scenario.ts';
import { baselineCpuSources, guichetCpuSources } from '../harness/side-cpu-sources.ts';

interface ServiceClient {
  tokenUrl: string;
  authorization: string;
}

const form = 'grant_type=client_credentials';

/** One token request outside the measure: both sides must answer it before any load. */
async function firstToken(label: string, client: ServiceClient): Promise<{ expires_in: number }> {
  const response = await fetch(client.tokenUrl, {
    method: 'POST',
    headers: { authorization: client.authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`${label}: client_credentials answered ${response.status} ${body}`);
  return JSON.parse(body) as { expires_in: number };
}

function load(client: ServiceClient, duration: number, connections: number): Promise<CheckedLoadResult> {
  return driveChecked(client.tokenUrl, {
    duration,
    connections,
    method: 'POST',
    headers: { authorization: client.authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    script: () => ({ accept: isTokenResponse }),
  });
}

function isTokenResponse(body: string): boolean {
  try {
    return typeof (JSON.parse(body) as { access_token?: unknown }).access_token === 'string';
  } catch {
    return false;
  }
}

/** Guichet's token endpoint (PostgreSQL + Redis) against bare oidc-provider in memory. */
export const tokenClientCredentials: Scenario = {
  name: 'token-client-credentials',
  description: 'client_credentials token requests: Guichet on PostgreSQL + Redis vs bare oidc-provider',
  async run(options) {
    const guichet = await startProductionGuichet();
    const secret = randomBytes(32).toString('base64url');
    const baseline = await startBareOidcProvider([
      {
        client_id: 'bench-service',
        client_secret: secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]).catch(async (error: unknown) => {
      await guichet.stop();
      throw error;
    });
    try {
      const created = await guichet.admin.request<{ client_id: string; client_secret: string }>(
        'POST',
        '/clients',
        { name: 'Bench service', redirectUris: [], service: true },
      );
      const subjectClient = {
        tokenUrl: `${guichet.url}/token`,
        authorization: basicAuthorization(created.client_id, created.client_secret),
      };
      const baselineClient = {
        tokenUrl: `${baseline.url}/token`,
        authorization: basicAuthorization('bench-service', secret),
      };
      const lifetimes = [
        await firstToken('guichet', subjectClient),
        await firstToken('baseline', baselineClient),
      ];

      const cpuSources = {
        guichet: guichetCpuSources(guichet, 'bench (autocannon)'),
        baseline: baselineCpuSources(baseline.pid, 'bench (autocannon)'),
      };
      const checked = (label: 'guichet' | 'baseline', client: ServiceClient, duration: number) =>
        measureChecked(label, cpuSources[label], () => load(client, duration, options.connections));
      // Warm both JITs (and Guichet's client cache and pools) before measuring.
      await checked('guichet', subjectClient, 1);
      await checked('baseline', baselineClient, 1);
      const rounds = await alternate(
        options.rounds,
        () => checked('guichet', subjectClient, options.duration),
        () => checked('baseline', baselineClient, options.duration),
      );
      return requestRateResult('token-client-credentials', rounds, [
        `${options.connections} connections; POST /token grant_type=client_credentials, client_secret_basic`,
        `access token lifetime: guichet ${lifetimes[0]?.expires_in} s, baseline ${lifetimes[1]?.expires_in} s`,
        'guichet: PostgreSQL (throw-away database) + Redis (dedicated logical database); ' +
          'baseline: oidc-provider with its in-memory adapter, one static client, ES256 key',
      ]);
    } finally {
      await Promise.all([guichet.stop(), baseline.stop()]);
    }
  },
};
