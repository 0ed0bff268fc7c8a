import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientCacheTtlMs } from '../../src/clients/client-row-cache.ts';
import {
  createClient,
  deleteClient,
  findClientMetadata,
  rotateClientSecret,
} from '../../src/clients/client-store.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, newMasterKey, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { serviceGate } from '../support/services.ts';
import { type Instance, msUntil, type TwoInstances, twoInstances } from '../support/two-instances.ts';

after(removeFreshPgliteDirs);

const postgresSkip = await serviceGate('postgres');
const redisSkip = postgresSkip || (await serviceGate('redis'));

/** Polls until the instance serves `expected` as the secret (undefined: no client); returns the wait in ms. */
function msUntilSecret(
  context: ServerContext,
  clientId: string,
  expected: string | undefined,
  limitMs: number,
): Promise<number> {
  const served = async () => {
    const metadata = await findClientMetadata(context, clientId);
    return metadata?.client_secret === expected && (expected !== undefined || metadata === undefined);
  };
  return msUntil(served, String(expected), limitMs);
}

for (const driver of sqlDrivers) {
  describe(`client cache within one process on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    before(async () => {
      database = await driver.fresh();
    });
    after(() => database?.dispose());

    it('shows a change made through one context to another on the same connection at once', async () => {
      const masterKey = newMasterKey();
      const a = await createTestContext({ sql: database.sql, masterKey });
      const b = await createTestContext({ sql: database.sql, masterKey });
      try {
        const created = await createClient(a.context, {
          name: 'Shared',
          redirectUris: ['https://x.example/cb'],
        });
        assert.equal(
          (await findClientMetadata(b.context, created.client_id))?.client_secret,
          created.client_secret,
        );
        const rotated = await rotateClientSecret(a.context, created.client_id);
        assert.equal(
          (await findClientMetadata(b.context, created.client_id))?.client_secret,
          rotated?.client_secret,
        );
        await deleteClient(a.context, created.client_id);
        assert.equal(await findClientMetadata(b.context, created.client_id), undefined);
      } finally {
        await a.dispose();
        await b.dispose();
      }
    });
  });
}

describe('client cache across instances sharing Redis', { skip: redisSkip }, () => {
  let instances: TwoInstances;
  let a: Instance;
  let b: Instance;

  before(async () => {
    instances = await twoInstances('redis');
    ({ a, b } = instances);
  });

  after(() => instances?.dispose());

  it('stops serving a rotated secret on the other instance as soon as the event arrives', async () => {
    const created = await createClient(a.context, {
      name: 'Rotated',
      redirectUris: ['https://r.example/cb'],
    });
    // Instance b now holds the row in memory.
    assert.equal(
      (await findClientMetadata(b.context, created.client_id))?.client_secret,
      created.client_secret,
    );
    const rotated = await rotateClientSecret(a.context, created.client_id);
    assert.ok(rotated?.client_secret);
    const waited = await msUntilSecret(b.context, created.client_id, rotated.client_secret, clientCacheTtlMs);
    // Far below the cache lifetime: the event, not the expiry, dropped the old row.
    assert.ok(waited < 1_000, `took ${Math.round(waited)} ms`);
  });

  it('stops serving a deleted client on the other instance as soon as the event arrives', async () => {
    const created = await createClient(a.context, {
      name: 'Deleted',
      redirectUris: ['https://d.example/cb'],
    });
    assert.ok(await findClientMetadata(b.context, created.client_id));
    assert.equal(await deleteClient(a.context, created.client_id), true);
    const waited = await msUntilSecret(b.context, created.client_id, undefined, clientCacheTtlMs);
    assert.ok(waited < 1_000, `took ${Math.round(waited)} ms`);
  });
});

describe('client cache when the event is lost', { skip: postgresSkip }, () => {
  let instances: TwoInstances;
  let a: Instance;
  let b: Instance;

  before(async () => {
    instances = await twoInstances('separate-memory');
    ({ a, b } = instances);
  });

  after(() => instances?.dispose());

  it('still stops serving a rotated secret within clientCacheTtlMs', async () => {
    const created = await createClient(a.context, {
      name: 'Unheard',
      redirectUris: ['https://u.example/cb'],
    });
    const cachedAt = performance.now();
    assert.equal(
      (await findClientMetadata(b.context, created.client_id))?.client_secret,
      created.client_secret,
    );
    const rotated = await rotateClientSecret(a.context, created.client_id);
    assert.ok(rotated?.client_secret);
    // b really serves from memory (this test would prove nothing otherwise)...
    assert.equal(
      (await findClientMetadata(b.context, created.client_id))?.client_secret,
      created.client_secret,
    );
    // ...and no longer than the documented bound.
    await msUntilSecret(b.context, created.client_id, rotated.client_secret, clientCacheTtlMs + 1_000);
    const sinceCached = performance.now() - cachedAt;
    assert.ok(
      sinceCached <= clientCacheTtlMs + 500,
      `served the old secret for ${Math.round(sinceCached)} ms`,
    );
  });
});
