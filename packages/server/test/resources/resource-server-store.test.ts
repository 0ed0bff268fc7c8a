import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import {
  ResourceServerExistsError,
  ResourceServerInputError,
} from '../../src/resources/resource-server-errors.ts';
import {
  createResourceServer,
  deleteResourceServer,
  getResourceServer,
  listResourceServers,
  resourceServerForToken,
} from '../../src/resources/resource-server-store.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { resourceKeyPair } from './resource-keys.ts';

after(removeFreshPgliteDirs);

const keys = await resourceKeyPair();

function refusedWith(pattern: RegExp) {
  return (error: unknown) => error instanceof ResourceServerInputError && pattern.test(error.message);
}

for (const driver of sqlDrivers) {
  describe(`resource servers on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let context: ServerContext;
    let disposeContext: () => Promise<void>;

    before(async () => {
      database = await driver.fresh();
      ({ context, dispose: disposeContext } = await createTestContext({ sql: database.sql }));
    });

    after(async () => {
      await disposeContext?.();
      await database?.dispose();
    });

    async function storedCount(audience: string): Promise<number> {
      const rows = await context.ports.sql.db
        .selectFrom('resource_server')
        .select('audience')
        .where('audience', '=', audience)
        .execute();
      return rows.length;
    }

    it('creates an opaque resource server with the defaults', async () => {
      const created = await createResourceServer(context, {
        audience: 'https://opaque.example.com',
        format: 'opaque',
      });
      assert.equal(created.audience, 'https://opaque.example.com');
      assert.equal(created.format, 'opaque');
      assert.equal(created.name, null);
      assert.deepEqual(created.scopes, []);
      assert.equal(created.access_token_ttl, 600);
      assert.equal('encryption_key' in created, false);
      assert.equal('encryption_alg' in created, false);
      assert.ok(Date.parse(created.created_at) <= Date.now());
      assert.deepEqual(await resourceServerForToken(context, 'https://opaque.example.com'), {
        audience: 'https://opaque.example.com',
        format: 'opaque',
        scopes: [],
        ttl: 600,
      });
    });

    it('creates a jwt resource server with its scopes, lifetime and name', async () => {
      const created = await createResourceServer(context, {
        audience: 'http://localhost:4000/api',
        format: 'jwt',
        name: '  Orders API ',
        scopes: ['orders:read', 'orders:write', 'orders:read'],
        accessTokenTtl: 300,
      });
      assert.equal(created.name, 'Orders API');
      assert.deepEqual(created.scopes, ['orders:read', 'orders:write']);
      assert.equal(created.access_token_ttl, 300);
      assert.deepEqual(await getResourceServer(context, 'http://localhost:4000/api'), created);
      assert.deepEqual(await resourceServerForToken(context, 'http://localhost:4000/api'), {
        audience: 'http://localhost:4000/api',
        format: 'jwt',
        scopes: ['orders:read', 'orders:write'],
        ttl: 300,
      });
    });

    it('creates a jwe resource server, storing its public key only, named by thumbprint', async () => {
      const created = await createResourceServer(context, {
        audience: 'https://secret.example.com',
        format: 'jwe',
        encryptionKey: keys.publicJwk,
      });
      const kid = await calculateJwkThumbprint(keys.publicJwk);
      const expectedJwk = { ...keys.publicJwk, kid, alg: 'ECDH-ES+A256KW', use: 'enc' };
      assert.deepEqual(created.encryption_key, expectedJwk);
      assert.equal(created.encryption_alg, 'ECDH-ES+A256KW');
      assert.equal(created.encryption_enc, 'A256GCM');

      const row = await context.ports.sql.db
        .selectFrom('resource_server')
        .selectAll()
        .where('audience', '=', 'https://secret.example.com')
        .executeTakeFirstOrThrow();
      assert.deepEqual(row.encryption_jwk, expectedJwk);

      const forToken = await resourceServerForToken(context, 'https://secret.example.com');
      assert.deepEqual(forToken, {
        audience: 'https://secret.example.com',
        format: 'jwe',
        scopes: [],
        ttl: 600,
        encryptionKey: { jwk: expectedJwk, alg: 'ECDH-ES+A256KW', enc: 'A256GCM' },
      });
      // Shared by every token request for a while: nobody may change it.
      assert.ok(forToken && Object.isFrozen(forToken) && Object.isFrozen(forToken.encryptionKey?.jwk));
    });

    it('keeps the chosen alg and enc for an RSA key', async () => {
      const rsa = await resourceKeyPair('RSA-OAEP-256', { modulusLength: 2048 });
      const created = await createResourceServer(context, {
        audience: 'https://rsa.example.com',
        format: 'jwe',
        encryptionKey: { ...rsa.publicJwk, kid: 'rsa-1' },
        encryptionEnc: 'A256CBC-HS512',
      });
      assert.equal(created.encryption_alg, 'RSA-OAEP-256');
      assert.equal(created.encryption_enc, 'A256CBC-HS512');
      assert.equal(created.encryption_key?.kid, 'rsa-1');
    });

    it('refuses jwe without a key, and a key for another format, storing nothing', async () => {
      await assert.rejects(
        createResourceServer(context, { audience: 'https://nokey.example.com', format: 'jwe' }),
        refusedWith(/format jwe needs the resource server's public encryption key/),
      );
      await assert.rejects(
        createResourceServer(context, {
          audience: 'https://nokey.example.com',
          format: 'jwt',
          encryptionKey: keys.publicJwk,
        }),
        refusedWith(/format jwt tokens are not encrypted/),
      );
      assert.equal(await storedCount('https://nokey.example.com'), 0);
    });

    it('refuses a private key and stores nothing of it', async () => {
      await assert.rejects(
        createResourceServer(context, {
          audience: 'https://leaky.example.com',
          format: 'jwe',
          encryptionKey: keys.privateJwk,
        }),
        refusedWith(/must be a PUBLIC key, but it has private member d/),
      );
      assert.equal(await storedCount('https://leaky.example.com'), 0);
      const anywhere = await context.ports.sql.db
        .selectFrom('resource_server')
        .select('audience')
        .where(
          (eb) => eb.fn('strpos', [eb.cast('encryption_jwk', 'text'), eb.val(String(keys.privateJwk.d))]),
          '>',
          0,
        )
        .execute();
      assert.deepEqual(anywhere, []);
    });

    it('has the database refuse a private key member even past the domain checks', async () => {
      await assert.rejects(
        context.ports.sql.db
          .insertInto('resource_server')
          .values({
            audience: 'https://bypass.example.com',
            format: 'jwe',
            encryption_jwk: JSON.stringify(keys.privateJwk),
            encryption_alg: 'ECDH-ES+A256KW',
            encryption_enc: 'A256GCM',
          })
          .execute(),
        /resource_server_public_key_only/,
      );
      await assert.rejects(
        context.ports.sql.db
          .insertInto('resource_server')
          .values({ audience: 'https://bypass.example.com', format: 'jwe' })
          .execute(),
        /resource_server_key_by_format/,
      );
    });

    it('refuses a bad audience, a bad lifetime and bad scopes', async () => {
      await assert.rejects(
        createResourceServer(context, { audience: 'http://api.example.com', format: 'jwt' }),
        refusedWith(/audience "http:\/\/api.example.com" must use https/),
      );
      await assert.rejects(
        createResourceServer(context, { audience: 'https://api.example.com#x', format: 'jwt' }),
        refusedWith(/must not contain a fragment/),
      );
      await assert.rejects(
        createResourceServer(context, { audience: '/relative', format: 'jwt' }),
        refusedWith(/is not an absolute URL/),
      );
      for (const accessTokenTtl of [59, 86_401, 600.5]) {
        await assert.rejects(
          createResourceServer(context, {
            audience: 'https://ttl.example.com',
            format: 'jwt',
            accessTokenTtl,
          }),
          refusedWith(/TTL must be a whole number of seconds from 60 to 86400/),
        );
      }
      await assert.rejects(
        createResourceServer(context, {
          audience: 'https://ttl.example.com',
          format: 'jwt',
          scopes: ['a b'],
        }),
        refusedWith(/is not a valid scope/),
      );
      await assert.rejects(
        createResourceServer(context, { audience: 'https://ttl.example.com', format: 'paseto' as 'jwt' }),
        refusedWith(/format must be one of opaque, jwt, jwe/),
      );
      assert.equal(await storedCount('https://ttl.example.com'), 0);
    });

    it('refuses a second resource server with the same audience, keeping the first', async () => {
      await createResourceServer(context, { audience: 'https://twice.example.com', format: 'opaque' });
      await assert.rejects(
        createResourceServer(context, { audience: 'https://twice.example.com', format: 'jwt' }),
        (error: unknown) =>
          error instanceof ResourceServerExistsError && error.audience === 'https://twice.example.com',
      );
      assert.equal((await getResourceServer(context, 'https://twice.example.com'))?.format, 'opaque');
    });

    it('lists, shows and deletes', async () => {
      await createResourceServer(context, { audience: 'https://gone.example.com/v1', format: 'jwt' });
      const listed = await listResourceServers(context);
      assert.ok(listed.some((server) => server.audience === 'https://gone.example.com/v1'));
      assert.deepEqual(
        listed.find((server) => server.audience === 'https://gone.example.com/v1'),
        await getResourceServer(context, 'https://gone.example.com/v1'),
      );
      assert.ok(await resourceServerForToken(context, 'https://gone.example.com/v1'));

      assert.equal(await deleteResourceServer(context, 'https://gone.example.com/v1'), true);
      assert.equal(await getResourceServer(context, 'https://gone.example.com/v1'), undefined);
      assert.equal(await resourceServerForToken(context, 'https://gone.example.com/v1'), undefined);
      assert.equal(await deleteResourceServer(context, 'https://gone.example.com/v1'), false);
      assert.equal(
        (await listResourceServers(context)).some(
          (server) => server.audience === 'https://gone.example.com/v1',
        ),
        false,
      );
    });

    it('answers unknown and implausible audiences with nothing', async () => {
      const long = `https://x.example.com/${'a'.repeat(3000)}`;
      assert.equal(await getResourceServer(context, 'https://unknown.example.com'), undefined);
      assert.equal(await resourceServerForToken(context, 'https://unknown.example.com'), undefined);
      assert.equal(await resourceServerForToken(context, long), undefined);
      assert.equal(await getResourceServer(context, long), undefined);
      assert.equal(await deleteResourceServer(context, long), false);
    });
  });
}
