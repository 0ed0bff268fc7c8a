import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import {
  createClient,
  deleteClient,
  findClientMetadata,
  rotateClientSecret,
} from '../../src/clients/client-store.ts';
import {
  accessTokenCustomizer,
  resourceIndicators,
  sessionIdClaim,
} from '../../src/oidc/access-token-shape.ts';
import { interactionPolicyWithBusinessChoice } from '../../src/oidc/business-prompt.ts';
import { cookieSigner } from '../../src/oidc/cookie-signer.ts';
import { pairwiseSubject } from '../../src/oidc/pairwise-subject.ts';
import { providerConfiguration } from '../../src/oidc/provider-configuration.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';

after(removeFreshPgliteDirs);

/** oidc-provider's storage: clients from Guichet's store, everything else in memory (not under test here). */
function adapterClass(context: ServerContext) {
  return class TestAdapter implements Adapter {
    readonly #name: string;
    readonly #items = new Map<string, AdapterPayload>();

    constructor(name: string) {
      this.#name = name;
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.#name === 'Client') return findClientMetadata(context, id);
      return this.#items.get(id);
    }

    async upsert(id: string, payload: AdapterPayload): Promise<void> {
      this.#items.set(id, payload);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return [...this.#items.values()].find((item) => item.uid === uid);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return [...this.#items.values()].find((item) => item.userCode === userCode);
    }

    async consume(id: string): Promise<void> {
      const item = this.#items.get(id);
      if (item) item.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      this.#items.delete(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [id, item] of this.#items) if (item.grantId === grantId) this.#items.delete(id);
    }
  };
}

/** A real oidc-provider with Guichet's policy (providerConfiguration), listening on a loopback port. */
async function startProvider(
  context: ServerContext,
): Promise<{ provider: Provider; issuer: string; stop(): Promise<void> }> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-es256', alg: 'ES256', use: 'sig' };
  const pairwiseKey = randomBytes(32);
  const configuration = providerConfiguration({
    adapter: adapterClass(context),
    findAccount: async () => undefined,
    loadExistingGrant: async () => undefined,
    // sectorIdentifier is missing from @types/oidc-provider, hence the check.
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      pairwiseSubject(
        pairwiseKey,
        typeof client.sectorIdentifier === 'string' ? client.sectorIdentifier : client.clientId,
        accountId,
      ),
    renderError: async (ctx, out) => {
      ctx.body = out.error;
    },
    logoutSource: async (ctx, form) => {
      ctx.body = form;
    },
    postLogoutSuccessSource: async (ctx) => {
      ctx.body = 'signed out';
    },
    resourceIndicators: resourceIndicators(context),
    extraTokenClaims: sessionIdClaim(context),
    accessTokenCustomizer: accessTokenCustomizer(context),
    interactionPolicy: interactionPolicyWithBusinessChoice(context),
    jwks: { keys: [signingKey] },
    cookieKeys: cookieSigner([randomBytes(32).toString('base64url')]),
    secureCookies: false,
  });
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  return {
    provider,
    issuer,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function clientCredentialsStatus(issuer: string, clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  await response.arrayBuffer();
  return response.status;
}

for (const driver of sqlDrivers) {
  describe(`clients accepted by a real oidc-provider (${driver.name})`, { skip: driver.skip }, () => {
    let database: TestSql;
    let context: ServerContext;
    let disposeContext: () => Promise<void>;
    let running: Awaited<ReturnType<typeof startProvider>>;

    before(async () => {
      database = await driver.fresh();
      ({ context, dispose: disposeContext } = await createTestContext({ sql: database.sql }));
      running = await startProvider(context);
    });

    after(async () => {
      await running?.stop();
      await disposeContext?.();
      await database?.dispose();
    });

    it('accepts a confidential client with logout URIs', async () => {
      const created = await createClient(context, {
        name: 'Shop',
        redirectUris: ['https://shop.example.com/cb', 'http://localhost:3000/cb'],
        postLogoutRedirectUris: ['https://shop.example.com/'],
        backchannelLogoutUri: 'https://shop.example.com/logout',
      });
      const client = await running.provider.Client.find(created.client_id);
      assert.ok(client, 'oidc-provider did not find the client');
      assert.equal(client.clientId, created.client_id);
      assert.equal(client.clientSecret, created.client_secret);
      assert.equal(client.tokenEndpointAuthMethod, 'client_secret_basic');
      assert.deepEqual(client.grantTypes, ['authorization_code', 'refresh_token']);
      assert.deepEqual(client.responseTypes, ['code']);
      assert.deepEqual(client.redirectUris, ['https://shop.example.com/cb', 'http://localhost:3000/cb']);
      assert.deepEqual(client.postLogoutRedirectUris, ['https://shop.example.com/']);
      assert.equal(client.backchannelLogoutUri, 'https://shop.example.com/logout');
      assert.equal(client.backchannelLogoutSessionRequired, true);
      assert.equal(client.idTokenSignedResponseAlg, 'ES256');
      assert.equal(client.clientName, 'Shop');
    });

    it('accepts a public client (no secret, auth method none)', async () => {
      const created = await createClient(context, {
        name: 'SPA',
        redirectUris: ['http://127.0.0.1:5173/cb', 'http://[::1]:5173/cb'],
        public: true,
      });
      const client = await running.provider.Client.find(created.client_id);
      assert.ok(client);
      assert.equal(client.tokenEndpointAuthMethod, 'none');
      assert.equal(client.clientSecret, undefined);
    });

    it('accepts a service client (client credentials only)', async () => {
      const created = await createClient(context, { name: 'Job', redirectUris: [], service: true });
      const client = await running.provider.Client.find(created.client_id);
      assert.ok(client);
      assert.deepEqual(client.grantTypes, ['client_credentials']);
      assert.deepEqual(client.responseTypes, []);
      assert.deepEqual(client.redirectUris, []);
    });

    it('accepts first-party and pairwise clients', async () => {
      const own = await createClient(context, {
        name: 'Office',
        redirectUris: ['https://office.example.com/cb'],
        firstParty: true,
      });
      assert.ok(await running.provider.Client.find(own.client_id));
      const pairwise = await createClient(context, {
        name: 'Partner',
        redirectUris: ['https://partner.example.net/a', 'https://partner.example.net/b'],
        pairwise: true,
      });
      const client = await running.provider.Client.find(pairwise.client_id);
      assert.ok(client);
      assert.equal(client.subjectType, 'pairwise');
      assert.equal(client.sectorIdentifier, 'partner.example.net');
    });

    it('authenticates a service with its secret until rotated, then only with the new one', async () => {
      const created = await createClient(context, { name: 'Worker', redirectUris: [], service: true });
      assert.ok(created.client_secret);
      assert.equal(
        await clientCredentialsStatus(running.issuer, created.client_id, created.client_secret),
        200,
      );
      assert.equal(await clientCredentialsStatus(running.issuer, created.client_id, 'wrong'), 401);
      const rotated = await rotateClientSecret(context, created.client_id);
      assert.ok(rotated?.client_secret);
      assert.equal(
        await clientCredentialsStatus(running.issuer, created.client_id, created.client_secret),
        401,
      );
      assert.equal(
        await clientCredentialsStatus(running.issuer, created.client_id, rotated.client_secret),
        200,
      );
      await deleteClient(context, created.client_id);
      assert.equal(
        await clientCredentialsStatus(running.issuer, created.client_id, rotated.client_secret),
        401,
      );
      assert.equal(await running.provider.Client.find(created.client_id), undefined);
    });
  });
}
