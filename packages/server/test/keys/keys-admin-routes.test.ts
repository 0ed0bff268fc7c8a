import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';
import { problemContentType } from '../../src/http/problem-details.ts';
import { ensureSigningKeys } from '../../src/keys/ensure-signing-keys.ts';
import { keysAdminRoutes } from '../../src/keys/keys-admin-routes.ts';
import type { KeysContext } from '../../src/keys/keys-context.ts';
import { loadProviderJwks, publicJwks } from '../../src/keys/provider-jwks.ts';
import type { RotationResult } from '../../src/keys/rotate-signing-keys.ts';
import { defaultKeepPreviousSeconds } from '../../src/keys/rotation-window.ts';
import type { SigningKeyView } from '../../src/keys/signing-key-view.ts';
import { adminRoutesApp } from '../support/admin-app.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { keysContext, sqlDrivers, type TestSql } from './keys-test-support.ts';

after(removeFreshPgliteDirs);

/** No private JWK member, and no sealed value, in anything the admin API says. */
async function assertNoKeyMaterial(context: KeysContext, response: LightMyRequestResponse): Promise<void> {
  assert.doesNotMatch(response.body, /"(d|p|q|dp|dq|qi)":/);
  const sealed = await context.ports.sql.db.selectFrom('signing_key').select('private_jwk_sealed').execute();
  for (const row of sealed) {
    if (row.private_jwk_sealed !== '') assert.equal(response.body.includes(row.private_jwk_sealed), false);
  }
  for (const key of (await loadProviderJwks(context)).keys)
    assert.equal(response.body.includes(key.d), false);
}

function problemOf(response: LightMyRequestResponse, status: number): { detail?: string } {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['content-type'], problemContentType);
  return response.json<{ detail?: string }>();
}

for (const driver of sqlDrivers) {
  describe(`keys admin routes on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let context: KeysContext;
    let app: FastifyInstance;

    before(async () => {
      database = await driver.fresh();
      context = keysContext(database.sql);
      await ensureSigningKeys(context);
      app = await adminRoutesApp(keysAdminRoutes, context);
    });

    after(async () => {
      await app?.close();
      await context?.ports.cache.close();
      await database?.dispose();
    });

    async function list(): Promise<SigningKeyView[]> {
      const response = await app.inject({ method: 'GET', url: '/admin/v1/keys' });
      assert.equal(response.statusCode, 200, response.body);
      await assertNoKeyMaterial(context, response);
      return response.json<{ keys: SigningKeyView[] }>().keys;
    }

    it('lists the keys: metadata only', async () => {
      const keys = await list();
      assert.equal(keys.length, 3);
      assert.deepEqual(
        keys.map((key) => [key.alg, key.state, key.retireAfter]),
        [
          ['ES256', 'active', null],
          ['EdDSA', 'active', null],
          ['RS256', 'active', null],
        ],
      );
      for (const key of keys) {
        assert.deepEqual(Object.keys(key).sort(), [
          'activatedAt',
          'alg',
          'createdAt',
          'kid',
          'retireAfter',
          'state',
        ]);
        assert.ok(Date.parse(key.createdAt) > 0);
      }
    });

    it('rotates with the default window when the body is left out', async () => {
      const before = await list();
      const startedAt = Date.now();
      const response = await app.inject({ method: 'POST', url: '/admin/v1/keys/rotate' });
      assert.equal(response.statusCode, 200, response.body);
      await assertNoKeyMaterial(context, response);
      const result = response.json<RotationResult>();
      assert.deepEqual(
        result.rotated.map((key) => key.alg),
        ['ES256', 'EdDSA', 'RS256'],
      );
      assert.deepEqual(
        result.previous.map((key) => key.kid),
        before.map((key) => key.kid),
      );
      for (const previous of result.previous) {
        const expected = startedAt + defaultKeepPreviousSeconds * 1000;
        assert.ok(Math.abs(Date.parse(previous.retireAfter) - expected) < 60_000, previous.retireAfter);
      }
      const after = await list();
      assert.deepEqual(
        after.map((key) => [key.kid, key.state]),
        [
          ...result.rotated.map((key) => [key.kid, 'active']),
          ...result.previous.map((key) => [key.kid, 'previous']),
        ],
      );
      // The new key signs tokens that the published JWKS verifies.
      const signer = (await loadProviderJwks(context)).keys[0];
      assert.ok(signer);
      assert.equal(signer.kid, result.rotated[0]?.kid);
      const token = await new SignJWT({ sub: 'x' })
        .setProtectedHeader({ alg: signer.alg, kid: signer.kid })
        .sign(await importJWK(signer, signer.alg));
      assert.equal(
        (await jwtVerify(token, createLocalJWKSet(await publicJwks(context.ports.sql)))).payload.sub,
        'x',
      );
    });

    it('rotates with the window and RSA size asked for', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/admin/v1/keys/rotate',
        payload: { keepPreviousForSeconds: 120, rsaModulusLength: 3072 },
      });
      assert.equal(response.statusCode, 200, response.body);
      await assertNoKeyMaterial(context, response);
      const result = response.json<RotationResult>();
      for (const previous of result.previous) {
        assert.ok(Math.abs(Date.parse(previous.retireAfter) - (Date.now() + 120_000)) < 60_000);
      }
      const rsa = (await publicJwks(context.ports.sql)).keys.find((key) => key.alg === 'RS256');
      assert.equal(Buffer.from(rsa?.n ?? '', 'base64url').length * 8, 3072);
      const empty = await app.inject({ method: 'POST', url: '/admin/v1/keys/rotate', payload: {} });
      assert.equal(empty.statusCode, 200, empty.body);
    });

    it('answers 400 problem details for a bad body and rotates nothing', async () => {
      const before = (await list()).map((key) => key.kid);
      const rotate = (payload: object) =>
        app.inject({ method: 'POST', url: '/admin/v1/keys/rotate', payload });
      assert.match(
        problemOf(await rotate({ keepPreviousForSeconds: -1 }), 400).detail ?? '',
        /keepPreviousForSeconds/,
      );
      assert.match(
        problemOf(await rotate({ keepPreviousForSeconds: 1.5 }), 400).detail ?? '',
        /keepPreviousForSeconds/,
      );
      assert.match(
        problemOf(await rotate({ keepPreviousForSeconds: 10 * 365 * 24 * 3600 }), 400).detail ?? '',
        /keepPreviousForSeconds/,
      );
      assert.match(problemOf(await rotate({ rsaModulusLength: 1024 }), 400).detail ?? '', /rsaModulusLength/);
      assert.match(
        problemOf(await rotate({ keepPrevious: 60 }), 400).detail ?? '',
        /unknown field keepPrevious/,
      );
      problemOf(
        await app.inject({
          method: 'POST',
          url: '/admin/v1/keys/rotate',
          headers: { 'content-type': 'application/json' },
          payload: '{"keepPreviousForSeconds":',
        }),
        400,
      );
      assert.deepEqual(
        (await list()).map((key) => key.kid),
        before,
      );
    });
  });
}
