import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { registerResourceCommands } from '../../src/resources/resource-commands.ts';
import { resourceServerForToken } from '../../src/resources/resource-server-store.ts';
import { resourcesAdminRoutes } from '../../src/resources/resources-admin-routes.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest, listenLocally } from '../support/admin-app.ts';
import { guichetWith, ways } from '../support/cli-harness.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { resourceKeyPair } from './resource-keys.ts';

after(removeFreshPgliteDirs);

const keys = await resourceKeyPair();

interface ResourceJson {
  audience: string;
  name: string | null;
  format: string;
  scopes: string[];
  access_token_ttl: number;
  encryption_key?: { kid: string; x?: string };
  encryption_alg?: string;
  encryption_enc?: string;
}

const guichet = guichetWith(registerResourceCommands);

for (const driver of sqlDrivers) {
  describe(`guichet resources commands on ${driver.name}`, { skip: driver.skip }, () => {
    let under: AdminAppUnderTest;
    let context: ServerContext;
    let url: string;
    let dir: string;
    let publicKeyFile: string;
    let privateKeyFile: string;

    before(async () => {
      under = await adminAppUnderTest(driver, resourcesAdminRoutes);
      context = under.context;
      url = await listenLocally(under.app);
      dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-resource-keys-'));
      publicKeyFile = path.join(dir, 'public.jwk.json');
      privateKeyFile = path.join(dir, 'private.jwk.json');
      await writeFile(publicKeyFile, JSON.stringify(keys.publicJwk, null, 2));
      await writeFile(privateKeyFile, JSON.stringify(keys.privateJwk));
    });

    after(async () => {
      await under?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    for (const [way, run] of ways(
      () => context,
      () => url,
    )) {
      it(`creates, shows, lists and deletes a jwe resource server, key from a file (${way})`, async () => {
        const audience = `https://${way}.example.com/api`;
        const created = JSON.parse(
          await guichet(
            [
              'resources',
              'create',
              '--audience',
              audience,
              '--format',
              'jwe',
              '--encryption-key',
              publicKeyFile,
              '--scope',
              'orders:read',
              '--scope',
              'orders:write',
              '--ttl',
              '900',
              '--name',
              'Orders',
            ],
            run,
          ),
        ) as ResourceJson;
        assert.equal(created.audience, audience);
        assert.equal(created.format, 'jwe');
        assert.equal(created.name, 'Orders');
        assert.deepEqual(created.scopes, ['orders:read', 'orders:write']);
        assert.equal(created.access_token_ttl, 900);
        assert.equal(created.encryption_alg, 'ECDH-ES+A256KW');
        assert.equal(created.encryption_enc, 'A256GCM');
        assert.equal(created.encryption_key?.x, keys.publicJwk.x);
        const forToken = await resourceServerForToken(context, audience);
        assert.equal(forToken?.encryptionKey?.jwk.kid, created.encryption_key?.kid);

        const shown = JSON.parse(await guichet(['resources', 'show', audience], run)) as ResourceJson;
        assert.deepEqual(shown, created);

        const list = JSON.parse(await guichet(['resources', 'list'], run)) as ResourceJson[];
        assert.deepEqual(
          list.find((server) => server.audience === audience),
          created,
        );

        assert.equal(
          await guichet(['resources', 'delete', audience], run),
          `deleted resource server ${audience}`,
        );
        assert.equal(await resourceServerForToken(context, audience), undefined);
        await assert.rejects(
          guichet(['resources', 'show', audience], run),
          /no resource server with audience/,
        );
        await assert.rejects(
          guichet(['resources', 'delete', audience], run),
          /no resource server with audience/,
        );
      });

      it(`creates opaque and jwt resource servers, and jwe with the key as JSON text (${way})`, async () => {
        const opaque = JSON.parse(
          await guichet(
            ['resources', 'create', '--audience', `http://localhost:7000/${way}`, '--format', 'opaque'],
            run,
          ),
        ) as ResourceJson;
        assert.equal(opaque.format, 'opaque');
        assert.equal(opaque.access_token_ttl, 600);
        assert.equal(opaque.encryption_key, undefined);

        const jwt = JSON.parse(
          await guichet(
            ['resources', 'create', '--audience', `https://jwt-${way}.example.com`, '--format', 'jwt'],
            run,
          ),
        ) as ResourceJson;
        assert.equal(jwt.format, 'jwt');

        const rsa = await resourceKeyPair('RSA-OAEP-256', { modulusLength: 2048 });
        const jwe = JSON.parse(
          await guichet(
            [
              'resources',
              'create',
              '--audience',
              `https://jwe-${way}.example.com`,
              '--format',
              'jwe',
              '--encryption-key',
              JSON.stringify(rsa.publicJwk),
              '--encryption-enc',
              'A128GCM',
            ],
            run,
          ),
        ) as ResourceJson;
        assert.equal(jwe.encryption_alg, 'RSA-OAEP-256');
        assert.equal(jwe.encryption_enc, 'A128GCM');
      });

      it(`refuses a private key, a jwe without key and a bad audience, storing nothing (${way})`, async () => {
        const audience = `https://refused-${way}.example.com`;
        await assert.rejects(
          guichet(
            [
              'resources',
              'create',
              '--audience',
              audience,
              '--format',
              'jwe',
              '--encryption-key',
              privateKeyFile,
            ],
            run,
          ),
          /must be a PUBLIC key, but it has private member d/,
        );
        await assert.rejects(
          guichet(
            [
              'resources',
              'create',
              '--audience',
              audience,
              '--format',
              'jwe',
              '--encryption-key',
              JSON.stringify(keys.privateJwk),
            ],
            run,
          ),
          (error: Error) =>
            /private member d/.test(error.message) && !error.message.includes(String(keys.privateJwk.d)),
        );
        await assert.rejects(
          guichet(['resources', 'create', '--audience', audience, '--format', 'jwe'], run),
          /format jwe needs the resource server's public encryption key/,
        );
        await assert.rejects(
          guichet(['resources', 'create', '--audience', 'http://api.example.com', '--format', 'jwt'], run),
          /audience "http:\/\/api.example.com" must use https/,
        );
        await assert.rejects(
          guichet(['resources', 'show', audience], run),
          /no resource server with audience/,
        );
      });
    }

    it('checks its own arguments before reaching any data', async () => {
      const local: CliContext['run'] = () => assert.fail('the command should have stopped before running');
      await assert.rejects(
        guichet(
          [
            'resources',
            'create',
            '--audience',
            'https://a.example.com',
            '--format',
            'jwe',
            '--encryption-key',
            privateKeyFile,
          ],
          local,
        ),
        /must be a PUBLIC key, but it has private member d/,
      );
      await assert.rejects(
        guichet(['resources', 'create', '--audience', 'https://a.example.com', '--format', 'paseto'], local),
        /expected one of opaque, jwt, jwe/,
      );
      await assert.rejects(
        guichet(['resources', 'create', '--format', 'jwt'], local),
        /required option '--audience <uri>' not specified/,
      );
      await assert.rejects(
        guichet(
          ['resources', 'create', '--audience', 'https://a.example.com', '--format', 'jwt', '--ttl', '1h'],
          local,
        ),
        /expected a whole number of seconds/,
      );
      await assert.rejects(
        guichet(
          [
            'resources',
            'create',
            '--audience',
            'https://a.example.com',
            '--format',
            'jwe',
            '--encryption-key',
            path.join(dir, 'missing.json'),
          ],
          local,
        ),
        /is neither a JWK \(JSON text starting with "\{"\) nor a readable file \(ENOENT\)/,
      );
      await assert.rejects(
        guichet(
          [
            'resources',
            'create',
            '--audience',
            'https://a.example.com',
            '--format',
            'jwe',
            '--encryption-key',
            '{"kty":',
          ],
          local,
        ),
        /the encryption key in the --encryption-key argument is not valid JSON/,
      );
    });
  });
}
