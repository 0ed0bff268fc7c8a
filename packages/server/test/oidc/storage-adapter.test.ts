import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair } from 'jose';
import { sql as rawSql } from 'kysely';
import Provider, { type Adapter, type AdapterPayload, errors, type JWK } from 'oidc-provider';
import { purgeExpiredPayloads, startPurgeJob } from '../../src/oidc/purge-expired.ts';
import { createStorageAdapterFactory, type ReuseEvent } from '../../src/oidc/storage-adapter.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import { migrateToLatest } from '../../src/ports/sql/migrate.ts';
import { openPgliteSql } from '../../src/ports/sql/pglite-driver.ts';
import { openPostgresSql } from '../../src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { freshPgliteDir, removePgliteDir } from '../support/pglite-template.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

const postgresSkip = await serviceGate('postgres');
const redisSkip = await serviceGate('redis');

/** One server instance's view: its own SQL pool and cache connection. */
interface Instance {
  sql: SqlPort;
  cache: CachePort;
}

/** Two instances on one database and one cache, as behind a load balancer. */
interface Backend {
  first: Instance;
  second: Instance;
  dispose(): Promise<void>;
}

interface BackendKind {
  name: string;
  skip: false | string;
  open(): Promise<Backend>;
}

const backendKinds: BackendKind[] = [
  {
    name: 'PGlite + memory cache',
    skip: false,
    open: async () => {
      const dir = await freshPgliteDir();
      const sql = await openPgliteSql(dir);
      const cache = createMemoryCache();
      // The embedded database belongs to one process: both "instances" share its port and cache.
      return {
        first: { sql, cache },
        second: { sql, cache },
        dispose: async () => {
          await cache.close();
          await sql.close();
          await removePgliteDir(dir);
        },
      };
    },
  },
  {
    name: 'PostgreSQL + Redis',
    skip: postgresSkip || redisSkip,
    open: async () => {
      const database = await createTestDatabase();
      const firstSql = await openPostgresSql(database.url);
      await migrateToLatest(firstSql);
      const secondSql = await openPostgresSql(database.url);
      const keyPrefix = `guichet-test-${randomBytes(6).toString('hex')}:`;
      const firstCache = await createRedisCache(testRedisUrl, { keyPrefix });
      const secondCache = await createRedisCache(testRedisUrl, { keyPrefix });
      return {
        first: { sql: firstSql, cache: firstCache },
        second: { sql: secondSql, cache: secondCache },
        // Keys left in Redis all carry a TTL of at most two minutes.
        dispose: async () => {
          await Promise.all([firstCache.close(), secondCache.close()]);
          await Promise.all([firstSql.close(), secondSql.close()]);
          await database.drop();
        },
      };
    },
  },
];

const epochNow = () => Math.floor(Date.now() / 1000);

function payloadFor(model: string, id: string, extra: Partial<AdapterPayload> = {}): AdapterPayload {
  const iat = epochNow();
  return {
    iat,
    exp: iat + 60,
    jti: id,
    kind: model,
    clientId: 'shop',
    accountId: 'account-1',
    extra: { nested: [1, 'two', { three: true }] },
    ...extra,
  };
}

function isInvalidGrant(error: unknown): boolean {
  return error instanceof errors.InvalidGrant && error.error === 'invalid_grant';
}

async function countExpired(sql: SqlPort): Promise<number> {
  const row = await sql.db
    .selectFrom('oidc_payload')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('expires_at', '<=', rawSql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function expireNow(sql: SqlPort, model: string, id: string): Promise<void> {
  await sql.db
    .updateTable('oidc_payload')
    .set({ expires_at: rawSql<Date>`now() - interval '1 minute'` })
    .where('model', '=', model)
    .where('id', '=', id)
    .execute();
}

/**
 * The real cache, with writes that can be held back: a slow link to the cache, so that a read's write
 * of what it found lands after another instance's change, as it can in production.
 */
function withHeldWrites(cache: CachePort) {
  const held: Array<() => void> = [];
  let holding = false;
  const port: CachePort = {
    driver: cache.driver,
    get: (key) => cache.get(key),
    getMany: (keys) => cache.getMany(keys),
    set: async (key, value, ttlMs) => {
      if (holding) await new Promise<void>((resume) => held.push(resume));
      await cache.set(key, value, ttlMs);
    },
    delete: (key) => cache.delete(key),
    increment: (key, windowMs) => cache.increment(key, windowMs),
    publish: (channel, message) => cache.publish(channel, message),
    subscribe: (channel, handler) => cache.subscribe(channel, handler),
    ping: () => cache.ping(),
    close: () => cache.close(),
  };
  return {
    port,
    hold: () => {
      holding = true;
    },
    heldCount: () => held.length,
    release: () => {
      holding = false;
      for (const resume of held.splice(0)) resume();
    },
  };
}

const shopClient = {
  client_id: 'shop',
  client_secret: 'shop-secret-that-is-long-enough',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['https://shop.example/cb'],
  id_token_signed_response_alg: 'ES256',
};

const clientsSource = {
  find: async (id: string) => (id === 'shop' ? { ...shopClient } : undefined),
};

/** One oidc-provider instance behind its own HTTP server, as one Guichet instance would run it. */
interface ProviderInstance {
  provider: Provider;
  server: http.Server;
  tokenUrl: string;
}

async function startProvider(adapter: (model: string) => Adapter, jwk: JWK): Promise<ProviderInstance> {
  const provider = new Provider('http://127.0.0.1', {
    adapter,
    jwks: { keys: [jwk] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    rotateRefreshToken: true,
    scopes: ['openid', 'offline_access'],
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, RefreshToken: 3600 },
    features: { devInteractions: { enabled: false } },
  });
  const server = http.createServer(provider.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { provider, server, tokenUrl: `http://127.0.0.1:${port}/token` };
}

async function tokenRequest(instance: ProviderInstance, parameters: Record<string, string>) {
  const credentials = Buffer.from(`${shopClient.client_id}:${shopClient.client_secret}`).toString('base64');
  const response = await fetch(instance.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(parameters),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string | undefined> };
}

for (const kind of backendKinds) {
  describe(`OIDC storage adapter: ${kind.name}`, { skip: kind.skip }, () => {
    let backend: Backend;
    let first: (model: string) => Adapter;
    let second: (model: string) => Adapter;
    const reuses: ReuseEvent[] = [];

    before(async () => {
      backend = await kind.open();
      const onReuse = (event: ReuseEvent) => void reuses.push(event);
      first = createStorageAdapterFactory({ ...backend.first, clients: clientsSource, onReuse });
      second = createStorageAdapterFactory({ ...backend.second, clients: clientsSource, onReuse });
    });

    after(async () => {
      await backend?.dispose();
    });

    /** A grant with a code, two tokens and its Grant row, all stored through the first instance. */
    async function seedGrant() {
      const grantId = randomUUID();
      const ids = { code: randomUUID(), accessToken: randomUUID(), refreshToken: randomUUID() };
      await first('Grant').upsert(grantId, payloadFor('Grant', grantId), 600);
      await first('AuthorizationCode').upsert(
        ids.code,
        payloadFor('AuthorizationCode', ids.code, { grantId }),
        60,
      );
      await first('AccessToken').upsert(
        ids.accessToken,
        payloadFor('AccessToken', ids.accessToken, { grantId }),
        600,
      );
      await first('RefreshToken').upsert(
        ids.refreshToken,
        payloadFor('RefreshToken', ids.refreshToken, { grantId }),
        600,
      );
      return { grantId, ...ids };
    }

    it('finds what it stored for every model, and nothing once it has expired', async () => {
      const models = [
        'Session',
        'AccessToken',
        'AuthorizationCode',
        'RefreshToken',
        'ClientCredentials',
        'Grant',
        'Interaction',
        'DeviceCode',
        'PushedAuthorizationRequest',
      ];
      const shortLived = await Promise.all(
        models.map(async (model) => {
          const id = randomUUID();
          const payload = payloadFor(model, id);
          await first(model).upsert(id, payload, 600);
          assert.deepEqual(await first(model).find(id), payload, `${model} round trip`);
          assert.deepEqual(await second(model).find(id), payload, `${model} seen by the other instance`);

          const brief = randomUUID();
          await first(model).upsert(brief, payloadFor(model, brief), 1);
          // Read now, so a cached model has a cache entry that must not outlive the row.
          assert.ok(await first(model).find(brief), `${model} before expiry`);
          return { model, id: brief };
        }),
      );
      await sleep(1_200);
      for (const { model, id } of shortLived) {
        assert.equal(await first(model).find(id), undefined, `${model} after expiry`);
        assert.equal(await second(model).find(id), undefined, `${model} after expiry, other instance`);
      }
      assert.equal(await first('AccessToken').find(randomUUID()), undefined, 'never stored');
    });

    it('keeps no expiry when none is given', async () => {
      const grantId = randomUUID();
      await first('Grant').upsert(grantId, payloadFor('Grant', grantId), undefined);
      const row = await backend.first.sql.db
        .selectFrom('oidc_payload')
        .select('expires_at')
        .where('model', '=', 'Grant')
        .where('id', '=', grantId)
        .executeTakeFirstOrThrow();
      assert.equal(row.expires_at, null);
      assert.ok(await first('Grant').find(grantId));
    });

    it('serves a changed payload to every instance after an upsert', async () => {
      for (const model of ['Session', 'Interaction', 'Grant', 'AuthorizationCode']) {
        const id = randomUUID();
        await first(model).upsert(id, payloadFor(model, id, { accountId: 'before' }), 600);
        // Both instances read (and cache) the first version.
        assert.equal((await first(model).find(id))?.accountId, 'before');
        assert.equal((await second(model).find(id))?.accountId, 'before');
        await first(model).upsert(id, payloadFor(model, id, { accountId: 'after' }), 600);
        assert.equal((await second(model).find(id))?.accountId, 'after', `${model} on the other instance`);
        assert.equal((await first(model).find(id))?.accountId, 'after', `${model} on the writer`);
      }
    });

    it('never lets a read that began before a change put the old payload back in the cache', async () => {
      const slow = withHeldWrites(backend.second.cache);
      const slowInstance = createStorageAdapterFactory({ sql: backend.second.sql, cache: slow.port });
      for (const model of ['Session', 'AccessToken']) {
        const id = randomUUID();
        await first(model).upsert(id, payloadFor(model, id, { accountId: 'before' }), 600);
        // Saved again: an update leaves no cache entry (a new session's insert would), so the read
        // below goes to SQL.
        await first(model).upsert(id, payloadFor(model, id, { accountId: 'before' }), 600);
        slow.hold();
        // Reads 'before' from SQL; its cache write is held back.
        const staleRead = slowInstance(model).find(id);
        await waitFor('the read to reach its cache write', () => slow.heldCount() > 0);
        await first(model).upsert(id, payloadFor(model, id, { accountId: 'after' }), 600);
        slow.release();
        assert.equal((await staleRead)?.accountId, 'before');
        assert.equal(
          (await slowInstance(model).find(id))?.accountId,
          'after',
          `${model} on the slow instance`,
        );
        assert.equal((await first(model).find(id))?.accountId, 'after', `${model} on the writer`);
      }
    });

    it('caches a new session, grant and interaction with their insert, so the next read needs no SQL', async () => {
      let reads = 0;
      const counted: SqlPort = {
        ...backend.second.sql,
        run: (statement, values) => {
          if (statement.text.startsWith('select')) reads += 1;
          return backend.second.sql.run(statement, values);
        },
      };
      const reader = createStorageAdapterFactory({ sql: counted, cache: backend.second.cache });
      for (const model of ['Session', 'Grant', 'Interaction']) {
        const id = randomUUID();
        const payload = payloadFor(model, id);
        await first(model).upsert(id, payload, 600);
        reads = 0;
        assert.deepEqual(await reader(model).find(id), payload);
        assert.equal(reads, 0, `${model}: read from the cache`);
        // A change made elsewhere is seen at once, through SQL.
        await second(model).upsert(id, payloadFor(model, id, { accountId: 'changed' }), 600);
        assert.equal((await reader(model).find(id))?.accountId, 'changed');
        assert.equal(reads, 1, `${model}: read again from SQL after the change`);
      }
      // Tokens are cached on their first read, not on issue.
      const token = randomUUID();
      const tokenPayload = payloadFor('AccessToken', token);
      await first('AccessToken').upsert(token, tokenPayload, 600);
      reads = 0;
      assert.deepEqual(await reader('AccessToken').find(token), tokenPayload);
      assert.equal(reads, 1, 'AccessToken: first read from SQL');
      assert.deepEqual(await reader('AccessToken').find(token), tokenPayload);
      assert.equal(reads, 1, 'AccessToken: second read from the cache');
    });

    it('finds a session by uid and a device code by user code', async () => {
      const sessionId = randomUUID();
      const uid = randomUUID();
      const session = payloadFor('Session', sessionId, { uid });
      await first('Session').upsert(sessionId, session, 600);
      assert.deepEqual(await first('Session').findByUid(uid), session);
      // Twice, so the second read goes through whatever the first one cached.
      assert.deepEqual(await second('Session').findByUid(uid), session);
      assert.deepEqual(await second('Session').findByUid(uid), session);
      assert.equal(await first('Session').findByUid(randomUUID()), undefined);

      // oidc-provider rotates a session's id: the old row is destroyed and a new one saved with the same uid.
      const rotatedId = randomUUID();
      const rotated = payloadFor('Session', rotatedId, { uid, accountId: 'rotated' });
      await second('Session').destroy(sessionId);
      await second('Session').upsert(rotatedId, rotated, 600);
      assert.deepEqual(await first('Session').findByUid(uid), rotated);

      await second('Session').destroy(rotatedId);
      assert.equal(await first('Session').findByUid(uid), undefined);

      const deviceCode = randomUUID();
      const userCode = 'BCDF-GHJK';
      const device = payloadFor('DeviceCode', deviceCode, { userCode });
      await first('DeviceCode').upsert(deviceCode, device, 600);
      assert.deepEqual(await second('DeviceCode').findByUserCode(userCode), device);
      assert.equal(await second('DeviceCode').findByUserCode('XXXX-XXXX'), undefined);
    });

    it('forgets a destroyed row on every instance', async () => {
      for (const model of ['AccessToken', 'Session', 'RefreshToken']) {
        const id = randomUUID();
        await first(model).upsert(id, payloadFor(model, id), 600);
        assert.ok(await first(model).find(id));
        assert.ok(await second(model).find(id));
        await second(model).destroy(id);
        assert.equal(await first(model).find(id), undefined, `${model} on the other instance`);
        assert.equal(await second(model).find(id), undefined, `${model} on the destroyer`);
      }
    });

    it('marks a consumed code, shows it to find, and never unconsumes it on a later save', async () => {
      const id = randomUUID();
      const payload = payloadFor('AuthorizationCode', id, { grantId: randomUUID() });
      await first('AuthorizationCode').upsert(id, payload, 60);
      assert.equal((await first('AuthorizationCode').find(id))?.consumed, undefined);

      const before = epochNow();
      await first('AuthorizationCode').consume(id);
      const found = await second('AuthorizationCode').find(id);
      assert.equal(typeof found?.consumed, 'number');
      const consumed = found?.consumed as number;
      assert.ok(consumed >= before - 1 && consumed <= epochNow() + 1, `consumed at ${consumed}`);
      assert.deepEqual({ ...found, consumed: undefined }, { ...payload, consumed: undefined });

      await first('AuthorizationCode').upsert(id, payload, 60);
      assert.equal((await first('AuthorizationCode').find(id))?.consumed, consumed);
    });

    it('answers a reused code with invalid_grant, revokes its whole grant and reports it', async () => {
      const seeded = await seedGrant();
      const bystander = randomUUID();
      await first('AccessToken').upsert(
        bystander,
        payloadFor('AccessToken', bystander, { grantId: randomUUID() }),
        600,
      );
      // Cached on both instances before the revocation.
      assert.ok(await first('AccessToken').find(seeded.accessToken));
      assert.ok(await second('AccessToken').find(seeded.accessToken));
      assert.ok(await second('Grant').find(seeded.grantId));

      await first('AuthorizationCode').consume(seeded.code);
      await assert.rejects(second('AuthorizationCode').consume(seeded.code), isInvalidGrant);

      assert.equal(await first('AuthorizationCode').find(seeded.code), undefined);
      assert.equal(await first('AccessToken').find(seeded.accessToken), undefined);
      assert.equal(await second('AccessToken').find(seeded.accessToken), undefined);
      assert.equal(await first('RefreshToken').find(seeded.refreshToken), undefined);
      assert.equal(await second('Grant').find(seeded.grantId), undefined);
      assert.ok(await first('AccessToken').find(bystander), 'a token of another grant stays');
      assert.ok(
        reuses.some((event) => event.model === 'AuthorizationCode' && event.grantId === seeded.grantId),
      );
    });

    it('answers a rotated refresh token presented again with invalid_grant and revokes its grant', async () => {
      const seeded = await seedGrant();
      await first('RefreshToken').consume(seeded.refreshToken);
      const next = randomUUID();
      await first('RefreshToken').upsert(
        next,
        payloadFor('RefreshToken', next, { grantId: seeded.grantId, rotations: 1 }),
        600,
      );
      assert.ok(await second('RefreshToken').find(next));

      await assert.rejects(second('RefreshToken').consume(seeded.refreshToken), isInvalidGrant);
      assert.equal(await first('RefreshToken').find(next), undefined, 'the rotated-in token is revoked');
      assert.equal(await first('AccessToken').find(seeded.accessToken), undefined);
      assert.equal(await first('Grant').find(seeded.grantId), undefined);
      assert.ok(reuses.some((event) => event.model === 'RefreshToken' && event.grantId === seeded.grantId));
    });

    it('lets exactly one of 20 concurrent consumptions on two instances succeed', async () => {
      for (const model of ['AuthorizationCode', 'RefreshToken']) {
        const seeded = await seedGrant();
        const id = model === 'AuthorizationCode' ? seeded.code : seeded.refreshToken;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? first : second)(model).consume(id)),
        );
        const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        assert.equal(succeeded.length, 1, `${model}: exactly one consumption succeeds`);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected')
            assert.ok(isInvalidGrant(outcome.reason), String(outcome.reason));
        }
        assert.ok(reuses.some((event) => event.model === model && event.grantId === seeded.grantId));
        assert.equal(await first('Grant').find(seeded.grantId), undefined, `${model}: grant revoked`);
      }
    });

    it('revokes every row of a grant, cached copies included, and only that grant', async () => {
      const seeded = await seedGrant();
      const secondToken = randomUUID();
      await first('AccessToken').upsert(
        secondToken,
        payloadFor('AccessToken', secondToken, { grantId: seeded.grantId }),
        600,
      );
      const otherGrant = randomUUID();
      const bystander = randomUUID();
      await first('AccessToken').upsert(
        bystander,
        payloadFor('AccessToken', bystander, { grantId: otherGrant }),
        600,
      );
      for (const id of [seeded.accessToken, secondToken]) {
        assert.ok(await first('AccessToken').find(id));
        assert.ok(await second('AccessToken').find(id));
      }
      // Changed behind the adapter's back: reads that still show the old payload come from the cache.
      await backend.first.sql.db
        .updateTable('oidc_payload')
        .set({ payload: rawSql`payload || '{"marker": "changed in SQL"}'::jsonb` })
        .where('grant_id', '=', seeded.grantId)
        .execute();
      assert.equal(
        (await first('AccessToken').find(seeded.accessToken))?.marker,
        undefined,
        'served from cache',
      );
      assert.equal((await second('AccessToken').find(secondToken))?.marker, undefined, 'served from cache');

      await second('AccessToken').revokeByGrantId(seeded.grantId);

      for (const factory of [first, second]) {
        assert.equal(await factory('AccessToken').find(seeded.accessToken), undefined);
        assert.equal(await factory('AccessToken').find(secondToken), undefined);
        assert.equal(await factory('RefreshToken').find(seeded.refreshToken), undefined);
        assert.equal(await factory('AuthorizationCode').find(seeded.code), undefined);
        assert.ok(await factory('AccessToken').find(bystander), 'another grant keeps its tokens');
      }
      // The Grant itself is oidc-provider's to destroy, according to its revokeGrantPolicy.
      assert.ok(await first('Grant').find(seeded.grantId));
    });

    it('keeps working through SQL while the cache is unreachable', async () => {
      const cacheErrors: Error[] = [];
      const deadCache = await createRedisCache('redis://127.0.0.1:1', {
        keyPrefix: `guichet-test-${randomBytes(6).toString('hex')}:`,
        onError: (error) => void cacheErrors.push(error),
      });
      try {
        const outage: ReuseEvent[] = [];
        const degraded = createStorageAdapterFactory({
          sql: backend.first.sql,
          cache: deadCache,
          onReuse: (event) => void outage.push(event),
        });
        const sessionId = randomUUID();
        const uid = randomUUID();
        const session = payloadFor('Session', sessionId, { uid });
        await degraded('Session').upsert(sessionId, session, 600);
        assert.deepEqual(await degraded('Session').find(sessionId), session);
        assert.deepEqual(await degraded('Session').findByUid(uid), session);
        await degraded('Session').destroy(sessionId);
        assert.equal(await degraded('Session').find(sessionId), undefined);

        const grantId = randomUUID();
        const code = randomUUID();
        const token = randomUUID();
        await degraded('AuthorizationCode').upsert(
          code,
          payloadFor('AuthorizationCode', code, { grantId }),
          60,
        );
        await degraded('AccessToken').upsert(token, payloadFor('AccessToken', token, { grantId }), 600);
        assert.ok(await degraded('AccessToken').find(token));
        await degraded('AuthorizationCode').consume(code);
        await assert.rejects(degraded('AuthorizationCode').consume(code), isInvalidGrant);
        assert.equal(await degraded('AccessToken').find(token), undefined);
        assert.deepEqual(outage, [{ model: 'AuthorizationCode', grantId }]);
        assert.ok(cacheErrors.length > 0, 'the cache did report its outage');
      } finally {
        await deadCache.close();
      }
    });

    describe('under two real oidc-provider instances', () => {
      const instances: ProviderInstance[] = [];
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');

      before(async () => {
        const { privateKey } = await generateKeyPair('ES256', { extractable: true });
        const jwk: JWK = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'test' };
        instances.push(await startProvider(first, jwk), await startProvider(second, jwk));
      });

      after(() => {
        for (const instance of instances) instance.server.close();
      });

      /** What a completed sign-in leaves: a grant and its code, minted through the first instance. */
      async function signedIn() {
        const { provider } = instances[0] as ProviderInstance;
        const client = await provider.Client.find('shop');
        assert.ok(client);
        const grant = new provider.Grant({ clientId: 'shop', accountId: 'alice' });
        grant.addOIDCScope('openid offline_access');
        const grantId = await grant.save();
        const code = await new provider.AuthorizationCode({
          client,
          accountId: 'alice',
          grantId,
          gty: 'authorization_code',
          scope: 'openid offline_access',
          redirectUri: shopClient.redirect_uris[0],
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
        }).save();
        return { grantId, code };
      }

      const exchange = (instance: ProviderInstance, code: string) =>
        tokenRequest(instance, {
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: shopClient.redirect_uris[0] as string,
        });
      const refresh = (instance: ProviderInstance, refreshToken: string) =>
        tokenRequest(instance, { grant_type: 'refresh_token', refresh_token: refreshToken });
      const instance = (index: number) => instances[index % 2] as ProviderInstance;

      it('answers a code used twice with invalid_grant and revokes the tokens it gave', async () => {
        const { code } = await signedIn();
        const issued = await exchange(instance(0), code);
        assert.equal(issued.status, 200);
        assert.ok(issued.body.access_token && issued.body.refresh_token);

        const reused = await exchange(instance(1), code);
        assert.equal(reused.status, 400);
        assert.equal(reused.body.error, 'invalid_grant');
        const { provider } = instance(0);
        assert.equal(await provider.AccessToken.find(issued.body.access_token), undefined);
        assert.equal((await refresh(instance(0), issued.body.refresh_token)).body.error, 'invalid_grant');
      });

      it('answers a rotated refresh token used again with invalid_grant and revokes the grant', async () => {
        const { code } = await signedIn();
        const issued = await exchange(instance(0), code);
        const rotated = await refresh(instance(1), issued.body.refresh_token as string);
        assert.equal(rotated.status, 200);
        assert.notEqual(rotated.body.refresh_token, issued.body.refresh_token);

        const reused = await refresh(instance(0), issued.body.refresh_token as string);
        assert.equal(reused.status, 400);
        assert.equal(reused.body.error, 'invalid_grant');
        assert.equal(
          (await refresh(instance(1), rotated.body.refresh_token as string)).body.error,
          'invalid_grant',
        );
        assert.equal(
          await instance(0).provider.AccessToken.find(rotated.body.access_token as string),
          undefined,
        );
      });

      it('lets one of ten concurrent exchanges of a code succeed and revokes what it got', async () => {
        const { code } = await signedIn();
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, index) => exchange(instance(index), code)),
        );
        const granted = answers.filter((answer) => answer.status === 200);
        assert.equal(granted.length, 1, answers.map((answer) => answer.status).join(','));
        for (const answer of answers.filter((each) => each.status !== 200)) {
          assert.equal(answer.status, 400);
          assert.equal(answer.body.error, 'invalid_grant');
        }
        const winner = granted[0]?.body.refresh_token as string;
        assert.equal((await refresh(instance(0), winner)).body.error, 'invalid_grant');
      });

      it('lets one of ten concurrent refreshes succeed and revokes the grant', async () => {
        const { code } = await signedIn();
        const issued = await exchange(instance(0), code);
        const token = issued.body.refresh_token as string;
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, index) => refresh(instance(index), token)),
        );
        const granted = answers.filter((answer) => answer.status === 200);
        assert.equal(granted.length, 1, answers.map((answer) => answer.status).join(','));
        assert.ok(answers.every((answer) => answer.status === 200 || answer.body.error === 'invalid_grant'));
        const winner = granted[0]?.body.refresh_token as string;
        assert.equal((await refresh(instance(1), winner)).body.error, 'invalid_grant');
      });
    });

    it('reads clients from the clients source and refuses to store them', async () => {
      assert.deepEqual(await first('Client').find('shop'), shopClient);
      assert.equal(await first('Client').find('unknown'), undefined);
      const withoutClients = createStorageAdapterFactory(backend.first);
      assert.equal(await withoutClients('Client').find('shop'), undefined);
      await assert.rejects(first('Client').upsert('shop', { client_id: 'shop' }, undefined), /not supported/);
      await assert.rejects(first('Client').destroy('shop'), /not supported/);
    });

    it('purges only expired rows, in batches, and says how many', async () => {
      const live = randomUUID();
      const forever = randomUUID();
      await first('AccessToken').upsert(live, payloadFor('AccessToken', live), 600);
      await first('Grant').upsert(forever, payloadFor('Grant', forever), undefined);
      const expired = Array.from({ length: 5 }, () => randomUUID());
      for (const id of expired) {
        await first('RefreshToken').upsert(id, payloadFor('RefreshToken', id), 600);
        await expireNow(backend.first.sql, 'RefreshToken', id);
      }
      const before = await countExpired(backend.first.sql);
      assert.ok(before >= expired.length);

      assert.equal(await purgeExpiredPayloads(backend.first.sql, { batchSize: 2 }), before);
      assert.equal(await countExpired(backend.first.sql), 0);
      const remaining = await backend.first.sql.db
        .selectFrom('oidc_payload')
        .select('id')
        .where('id', 'in', [live, forever, ...expired])
        .execute();
      assert.deepEqual(remaining.map((row) => row.id).sort(), [live, forever].sort());
      assert.equal(await purgeExpiredPayloads(backend.first.sql), 0);
      await assert.rejects(purgeExpiredPayloads(backend.first.sql, { batchSize: 0 }), RangeError);
    });

    it('runs the purge periodically until stopped', async () => {
      const id = randomUUID();
      await first('AccessToken').upsert(id, payloadFor('AccessToken', id), 600);
      await expireNow(backend.first.sql, 'AccessToken', id);
      const logged: Array<{ fields: object; message: string }> = [];
      const record = (fields: object, message: string) => void logged.push({ fields, message });
      const job = startPurgeJob(backend.first.sql, {
        intervalMs: 20,
        logger: { info: record, error: record },
      });
      try {
        await waitFor(
          'the expired row to be purged',
          async () => (await countExpired(backend.first.sql)) === 0,
        );
        await waitFor('the purge to be logged', () => logged.length > 0);
        // At least our row: rows other tests left expiring may go in the same run.
        const [entry] = logged;
        assert.ok(entry);
        assert.equal(entry.message, 'purged expired oidc payloads');
        assert.ok((entry.fields as { deleted: number }).deleted >= 1);
      } finally {
        job.stop();
      }
    });
  });
}

describe('OIDC payload purge job', () => {
  // Nothing listens on port 1: every run fails to connect.
  const unreachableUrl = 'postgres://postgres@127.0.0.1:1/guichet';

  it('logs a failing run and keeps running, without throwing', async () => {
    const sql = await openPostgresSql(unreachableUrl);
    const failures: object[] = [];
    const job = startPurgeJob(sql, {
      intervalMs: 10,
      logger: { info: () => {}, error: (fields) => void failures.push(fields) },
    });
    try {
      await waitFor('two failed runs', () => failures.length >= 2);
      assert.ok(failures.every((fields) => 'err' in fields && fields.err instanceof Error));
    } finally {
      job.stop();
      await sql.close();
    }
    const afterStop = failures.length;
    await sleep(50);
    assert.ok(failures.length <= afterStop + 1, 'stop() ends the job');
  });

  it('refuses a non-positive interval', async () => {
    const sql = await openPostgresSql(unreachableUrl);
    try {
      assert.throws(() => startPurgeJob(sql, { intervalMs: 0 }), RangeError);
    } finally {
      await sql.close();
    }
  });
});
