import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import { ensureSigningKeys } from '../../src/keys/ensure-signing-keys.ts';
import type { KeysContext } from '../../src/keys/keys-context.ts';
import { loadProviderJwks, publicJwks } from '../../src/keys/provider-jwks.ts';
import { rotateSigningKeys } from '../../src/keys/rotate-signing-keys.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { keysContext, sqlDrivers, type TestSql } from './keys-test-support.ts';

after(removeFreshPgliteDirs);

const issuer = 'http://127.0.0.1';

/** Serves an oidc-provider built on the given keys, as the server does, and returns its JWKS and discovery. */
async function providerDocuments(jwks: Awaited<ReturnType<typeof loadProviderJwks>>) {
  const provider = new Provider(issuer, {
    jwks,
    cookies: { keys: ['test-cookie-key'] },
    enabledJWA: { idTokenSigningAlgValues: ['ES256', 'EdDSA', 'RS256'] },
    features: { devInteractions: { enabled: false } },
  });
  const server = http.createServer(provider.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const fetchJson = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      assert.equal(response.status, 200);
      return { text: await response.text() };
    };
    return {
      jwks: await fetchJson('/jwks'),
      discovery: await fetchJson('/.well-known/openid-configuration'),
    };
  } finally {
    server.close();
  }
}

const pglite = sqlDrivers.find((driver) => driver.name === 'pglite');

describe('oidc-provider accepts the keys and publishes them', { skip: pglite?.skip ?? 'no pglite' }, () => {
  let database: TestSql;
  let context: KeysContext;

  before(async () => {
    database = await (pglite?.fresh() ?? Promise.reject(new Error('no pglite')));
    context = keysContext(database.sql);
    await ensureSigningKeys(context);
    await rotateSigningKeys(context, { keepPreviousForSeconds: 600 });
  });

  after(async () => {
    await context?.ports.cache.close();
    await database?.dispose();
  });

  it('serves exactly the public JWKS, in order, with no private member', async () => {
    const documents = await providerDocuments(await loadProviderJwks(context));
    const served = JSON.parse(documents.jwks.text) as { keys: Array<Record<string, unknown>> };
    const expected = await publicJwks(context.ports.sql);
    assert.equal(served.keys.length, 6);
    assert.deepEqual(
      served.keys.map((key) => [key.kid, key.alg, key.use]),
      expected.keys.map((key) => [key.kid, key.alg, key.use]),
    );
    assert.equal(served.keys[0]?.alg, 'ES256');
    assert.doesNotMatch(documents.jwks.text, /"(d|p|q|dp|dq|qi)":/);

    const discovery = JSON.parse(documents.discovery.text) as {
      id_token_signing_alg_values_supported: string[];
    };
    assert.deepEqual([...discovery.id_token_signing_alg_values_supported].sort(), [
      'ES256',
      'EdDSA',
      'RS256',
    ]);
  });
});
