import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CommanderError } from 'commander';
import type { FastifyInstance } from 'fastify';
import { ensureSigningKeys } from '../../src/keys/ensure-signing-keys.ts';
import { registerKeyCommands } from '../../src/keys/key-commands.ts';
import { keysAdminRoutes } from '../../src/keys/keys-admin-routes.ts';
import type { KeysContext } from '../../src/keys/keys-context.ts';
import { loadProviderJwks } from '../../src/keys/provider-jwks.ts';
import type { RotationResult } from '../../src/keys/rotate-signing-keys.ts';
import { defaultKeepPreviousSeconds } from '../../src/keys/rotation-window.ts';
import type { SigningKeyView } from '../../src/keys/signing-key-view.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { adminRoutesApp, listenLocally } from '../support/admin-app.ts';
import { guichetWith, onTheData, ways } from '../support/cli-harness.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { keysContext, serverContextAround, sqlDrivers, type TestSql } from './keys-test-support.ts';

after(removeFreshPgliteDirs);

const guichet = guichetWith(registerKeyCommands);

for (const driver of sqlDrivers) {
  describe(`guichet keys commands on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let context: KeysContext;
    let serverContext: ServerContext;
    let disposeServerContext: () => Promise<void>;
    let app: FastifyInstance;
    let url: string;

    before(async () => {
      database = await driver.fresh();
      context = keysContext(database.sql);
      ({ context: serverContext, dispose: disposeServerContext } = await serverContextAround(context));
      await ensureSigningKeys(context);
      app = await adminRoutesApp(keysAdminRoutes, context);
      url = await listenLocally(app);
    });

    after(async () => {
      await app?.close();
      await disposeServerContext?.();
      await context?.ports.cache.close();
      await database?.dispose();
    });

    for (const [way, run] of ways(
      () => serverContext,
      () => url,
    )) {
      it(`lists and rotates the keys, printing JSON (${way})`, async () => {
        const listText = await guichet(['keys', 'list'], run);
        assert.doesNotMatch(listText, /"d":/);
        const listed = JSON.parse(listText) as SigningKeyView[];
        const active = listed.filter((key) => key.state === 'active');
        assert.deepEqual(
          active.map((key) => key.alg),
          ['ES256', 'EdDSA', 'RS256'],
        );

        const startedAt = Date.now();
        const rotatedText = await guichet(['keys', 'rotate'], run);
        assert.doesNotMatch(rotatedText, /"d":/);
        const rotated = JSON.parse(rotatedText) as RotationResult;
        assert.deepEqual(
          rotated.previous.map((key) => key.kid),
          active.map((key) => key.kid),
        );
        for (const previous of rotated.previous) {
          const expected = startedAt + defaultKeepPreviousSeconds * 1000;
          assert.ok(Math.abs(Date.parse(previous.retireAfter) - expected) < 60_000, previous.retireAfter);
        }
        assert.deepEqual(
          (await loadProviderJwks(context)).keys.slice(0, 3).map((key) => key.kid),
          rotated.rotated.map((key) => key.kid),
        );

        const shortText = await guichet(['keys', 'rotate', '--keep-previous', '90'], run);
        const short = JSON.parse(shortText) as RotationResult;
        for (const previous of short.previous) {
          assert.ok(Math.abs(Date.parse(previous.retireAfter) - (Date.now() + 90_000)) < 60_000);
        }
        const after = JSON.parse(await guichet(['keys', 'list'], run)) as SigningKeyView[];
        assert.deepEqual(
          after.filter((key) => key.state === 'active').map((key) => key.kid),
          short.rotated.map((key) => key.kid),
        );
      });
    }

    it('refuses a bad --keep-previous or --rsa-bits before touching anything', async () => {
      const local = onTheData(() => serverContext);
      const before = await guichet(['keys', 'list'], local);
      for (const args of [
        ['keys', 'rotate', '--keep-previous', '-5'],
        ['keys', 'rotate', '--keep-previous', 'soon'],
        ['keys', 'rotate', '--keep-previous', '99999999'],
        ['keys', 'rotate', '--rsa-bits', '1024'],
      ]) {
        await assert.rejects(
          guichet(args, () => assert.fail('must not run')),
          (error: unknown) => error instanceof CommanderError,
        );
      }
      assert.equal(await guichet(['keys', 'list'], local), before);
    });
  });
}
