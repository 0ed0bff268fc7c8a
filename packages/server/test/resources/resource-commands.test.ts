import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAdminClient } from '../../src/cli/admin-client.ts';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { installProblemHandlers } from '../../src/http/problem-details.ts';
import { registerResourceCommands } from '../../src/resources/resource-commands.ts';
import { resourceServerForToken } from '../../src/resources/resource-server-store.ts';
import { resourcesAdminRoutes } from '../../src/resources/resources-admin-routes.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
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

/** Runs `guichet <args>` with the given way to reach the data; returns what it printed. */
async function guichet(args: string[], run: CliContext['run']): Promise<string> {
  const lines: string[] = [];
  const program = new Command('guichet')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerResourceCommands(program, { run, print: (line) => lines.push(line), readStdin: async () => '' });
  await program.parseAsync(args, { from: 'user' });
  return lines.join('\n');
}

/** The same commands, once on the data itself and once through the admin API of a running server. */
function ways(context: () => ServerContext, serverUrl: () => string): Array<[string, CliContext['run']]> {
  return [
    ['local', (operation) => operation.local(context())],
    ['remote', (operation) => operation.remote(createAdminClient(serverUrl(), 'unused-in-this-test'))],
  ];
}

for (const driver of sqlDrivers) {
  describe(`guichet resources commands on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let context: ServerContext;
    let disposeContext: () => Promise<void>;
    let app: FastifyInstance;
    let url: string;
    let dir: string;
    let publicKeyFile: string;
    let privateKeyFile: string;

    before(async () => {
      database = await driver.fresh();
      ({ context, dispose: disposeContext } = await createTestContext({ sql: database.sql }));
      app = Fastify();
      installProblemHandlers(app);
      await app.register(resourcesAdminRoutes, { prefix: '/admin/v1', context });
      url = await app.listen({ port: 0, host: '127.0.0.1' });
      dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-resource-keys-'));
      publicKeyFile = path.join(dir, 'public.jwk.json');
      privateKeyFile = path.join(dir, 'private.jwk.json');
      await writeFile(publicKeyFile, JSON.stringify(keys.publicJwk, null, 2));
      await writeFile(privateKeyFile, JSON.stringify(keys.privateJwk));
    });

    after(async () => {
      await app?.close();
      await disposeContext?.();
      await database?.dispose();
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
