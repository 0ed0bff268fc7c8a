import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { ensureSigningKeys } from '../../src/keys/ensure-signing-keys.ts';
import type { KeysContext } from '../../src/keys/keys-context.ts';
import { loadProviderJwks, publicJwks } from '../../src/keys/provider-jwks.ts';
import { retireExpiredKeys } from '../../src/keys/retire-expired-keys.ts';
import { rotateSigningKeys } from '../../src/keys/rotate-signing-keys.ts';
import { signingAlgorithms } from '../../src/keys/signing-algorithms.ts';
import type { PrivateSigningJwk } from '../../src/keys/signing-jwk.ts';
import { SigningKeyUnreadableError, signingKeyPurpose } from '../../src/keys/signing-key-box.ts';
import { listSigningKeys } from '../../src/keys/signing-key-view.ts';
import { deriveKey } from '../../src/secrets/master-key.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';
import { keysContext, newMasterKey, sqlDrivers, type TestSql } from './keys-test-support.ts';

after(removeFreshPgliteDirs);

async function rows(context: KeysContext) {
  return context.ports.sql.db
    .selectFrom('signing_key')
    .select(['kid', 'alg', 'state', 'private_jwk_sealed', 'public_jwk', 'retire_after'])
    .execute();
}

async function signWith(jwk: PrivateSigningJwk, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid })
    .setIssuer('https://guichet.test')
    .setExpirationTime('10m')
    .sign(await importJWK(jwk, jwk.alg));
}

function activeOf(jwks: { keys: PrivateSigningJwk[] }, alg: string): PrivateSigningJwk {
  const key = jwks.keys.find((candidate) => candidate.alg === alg);
  assert.ok(key, `no ${alg} key`);
  return key;
}

for (const driver of sqlDrivers) {
  describe(`signing keys on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestSql;
    let context: KeysContext;

    before(async () => {
      database = await driver.fresh();
      context = keysContext(database.sql);
    });

    after(async () => {
      await context?.ports.cache.close();
      await database?.dispose();
    });

    it('creates one active key per algorithm on first start, and none on the next', async () => {
      const created = await ensureSigningKeys(context);
      assert.deepEqual(
        created.map((key) => key.alg),
        ['ES256', 'EdDSA', 'RS256'],
      );
      const stored = await rows(context);
      assert.equal(stored.length, 3);
      assert.ok(stored.every((row) => row.state === 'active'));
      assert.deepEqual(stored.map((row) => row.alg).sort(), [...signingAlgorithms].sort());
      for (const row of stored) {
        // The kid is the RFC 7638 thumbprint of the public key.
        assert.equal(row.kid, await calculateJwkThumbprint(row.public_jwk, 'sha256'));
        assert.equal(row.public_jwk.alg, row.alg);
        assert.equal(row.public_jwk.use, 'sig');
      }
      assert.equal(
        Buffer.from(stored.find((row) => row.alg === 'RS256')?.public_jwk.n ?? '', 'base64url').length,
        256,
      );

      assert.deepEqual(await ensureSigningKeys(context), []);
      assert.deepEqual(
        (await rows(context)).map((row) => row.kid).sort(),
        stored.map((row) => row.kid).sort(),
      );
    });

    it('keeps private keys unreadable in the table', async () => {
      for (const row of await rows(context)) {
        assert.equal(row.private_jwk_sealed.includes('"d"'), false);
        assert.throws(() => JSON.parse(row.private_jwk_sealed));
        assert.equal('d' in row.public_jwk, false);
        assert.equal(JSON.stringify(row.public_jwk).includes('"d"'), false);
        // Opens with the keys' own derived key and the row's context only.
        const box = createSecretBox(deriveKey(context.masterKey, signingKeyPurpose));
        const opened = JSON.parse(
          box.open(row.private_jwk_sealed, `signing-key:${row.kid}`),
        ) as PrivateSigningJwk;
        assert.equal(opened.kid, row.kid);
        assert.ok(opened.d);
        const otherBox = createSecretBox(deriveKey(newMasterKey(), signingKeyPurpose));
        assert.throws(() => otherBox.open(row.private_jwk_sealed, `signing-key:${row.kid}`));
        const otherRow = (await rows(context)).find((candidate) => candidate.kid !== row.kid);
        assert.ok(otherRow);
        assert.throws(() => box.open(row.private_jwk_sealed, `signing-key:${otherRow.kid}`));
      }
      const elsewhere = keysContext(context.ports.sql, { masterKey: newMasterKey() });
      await assert.rejects(loadProviderJwks(elsewhere), SigningKeyUnreadableError);
      await elsewhere.ports.cache.close();
    });

    it('gives oidc-provider private keys, ES256 first, whose tokens verify against the public JWKS', async () => {
      const jwks = await loadProviderJwks(context);
      assert.deepEqual(
        jwks.keys.map((key) => key.alg),
        ['ES256', 'EdDSA', 'RS256'],
      );
      for (const key of jwks.keys) {
        assert.ok(key.kid);
        assert.equal(key.use, 'sig');
        assert.ok(key.d);
      }
      const published = await publicJwks(context.ports.sql);
      assert.deepEqual(
        published.keys.map((key) => key.kid),
        jwks.keys.map((key) => key.kid),
      );
      assert.equal(JSON.stringify(published).includes('"d"'), false);

      const verifier = createLocalJWKSet(published);
      for (const alg of signingAlgorithms) {
        const token = await signWith(activeOf(jwks, alg), { sub: 'someone' });
        const { payload, protectedHeader } = await jwtVerify(token, verifier, {
          issuer: 'https://guichet.test',
        });
        assert.equal(payload.sub, 'someone');
        assert.equal(protectedHeader.alg, alg);
      }
      const first = jwks.keys[0];
      assert.ok(first);
      const token = await signWith(first, { sub: 'x' });
      assert.equal(decodeProtectedHeader(token).kid, first.kid);
      // The verifier really checks: without the key, the same token is refused.
      await assert.rejects(jwtVerify(token, createLocalJWKSet({ keys: [] })));
    });

    it('rotates: a new active key per algorithm, the old ones previous and published after them', async () => {
      const before = await loadProviderJwks(context);
      const oldToken = await signWith(activeOf(before, 'ES256'), { sub: 'old' });
      const startedAt = Date.now();
      const result = await rotateSigningKeys(context, { keepPreviousForSeconds: 3600 });

      assert.deepEqual(
        result.rotated.map((key) => key.alg),
        ['ES256', 'EdDSA', 'RS256'],
      );
      assert.deepEqual(
        result.previous.map((key) => key.kid),
        before.keys.map((key) => key.kid),
      );
      assert.equal(result.announced, true);
      for (const previous of result.previous) {
        const deadline = Date.parse(previous.retireAfter);
        assert.ok(Math.abs(deadline - (startedAt + 3600_000)) < 60_000, previous.retireAfter);
      }

      const stored = await rows(context);
      assert.equal(stored.length, 6);
      for (const alg of signingAlgorithms) {
        const active = stored.filter((row) => row.alg === alg && row.state === 'active');
        assert.equal(active.length, 1);
        assert.equal(active[0]?.kid, result.rotated.find((key) => key.alg === alg)?.kid);
      }

      const after = await loadProviderJwks(context);
      assert.deepEqual(
        after.keys.map((key) => key.kid),
        [...result.rotated.map((key) => key.kid), ...before.keys.map((key) => key.kid)],
      );
      const published = await publicJwks(context.ports.sql);
      assert.deepEqual(
        published.keys.map((key) => key.kid),
        after.keys.map((key) => key.kid),
      );
      // Tokens signed before the rotation still verify; new ones are signed with the new key.
      const verifier = createLocalJWKSet(published);
      assert.equal((await jwtVerify(oldToken, verifier)).payload.sub, 'old');
      const newToken = await signWith(activeOf(after, 'ES256'), { sub: 'new' });
      assert.equal(decodeProtectedHeader(newToken).kid, result.rotated[0]?.kid);
      assert.equal((await jwtVerify(newToken, verifier)).payload.sub, 'new');

      // Not yet due: nothing is retired.
      assert.deepEqual(await retireExpiredKeys(context.ports.sql), []);
    });

    it('retires previous keys once their deadline has passed, and never publishes them again', async () => {
      const before = await loadProviderJwks(context);
      const result = await rotateSigningKeys(context, { keepPreviousForSeconds: 0 });
      const rotatedOut = result.previous.map((key) => key.kid);
      assert.deepEqual(
        rotatedOut,
        before.keys.slice(0, 3).map((key) => key.kid),
      );
      // Published until the retirement job runs.
      const published = (await publicJwks(context.ports.sql)).keys.map((key) => key.kid);
      for (const kid of rotatedOut) assert.ok(published.includes(kid));

      const retired = await retireExpiredKeys(context.ports.sql);
      assert.deepEqual(retired.sort(), [...rotatedOut].sort());
      const jwks = await loadProviderJwks(context);
      const publicKids = (await publicJwks(context.ports.sql)).keys.map((key) => key.kid);
      for (const kid of rotatedOut) {
        assert.equal(
          jwks.keys.some((key) => key.kid === kid),
          false,
        );
        assert.equal(publicKids.includes(kid), false);
      }
      // The active keys and the previous ones still within their window stay.
      assert.deepEqual(
        jwks.keys.map((key) => key.kid),
        [...result.rotated.map((key) => key.kid), ...before.keys.slice(3).map((key) => key.kid)],
      );
      const stored = await rows(context);
      for (const row of stored.filter((candidate) => rotatedOut.includes(candidate.kid))) {
        assert.equal(row.state, 'retired');
        assert.equal(row.private_jwk_sealed, '');
      }
      assert.deepEqual(await retireExpiredKeys(context.ports.sql), []);

      const listed = await listSigningKeys(context.ports.sql);
      assert.deepEqual(
        listed
          .filter((key) => key.state === 'retired')
          .map((key) => key.kid)
          .sort(),
        [...rotatedOut].sort(),
      );
      assert.equal(listed.filter((key) => key.state === 'active').length, 3);
    });

    it('keeps the RSA size across rotations unless told otherwise', async () => {
      const modulusBits = async () => {
        const key = (await publicJwks(context.ports.sql)).keys.find((candidate) => candidate.alg === 'RS256');
        return Buffer.from(key?.n ?? '', 'base64url').length * 8;
      };
      assert.equal(await modulusBits(), 2048);
      await rotateSigningKeys(context, { keepPreviousForSeconds: 60, rsaModulusLength: 3072 });
      assert.equal(await modulusBits(), 3072);
      await rotateSigningKeys(context, { keepPreviousForSeconds: 60 });
      assert.equal(await modulusBits(), 3072);
    });

    it('refuses a negative or fractional window and leaves the keys as they were', async () => {
      const before = (await publicJwks(context.ports.sql)).keys.map((key) => key.kid);
      await assert.rejects(rotateSigningKeys(context, { keepPreviousForSeconds: -1 }), RangeError);
      await assert.rejects(rotateSigningKeys(context, { keepPreviousForSeconds: 1.5 }), RangeError);
      assert.deepEqual(
        (await publicJwks(context.ports.sql)).keys.map((key) => key.kid),
        before,
      );
    });

    it('enforces one active key per algorithm in the schema itself', async () => {
      const active = (await rows(context)).find((row) => row.state === 'active' && row.alg === 'ES256');
      assert.ok(active);
      await assert.rejects(
        context.ports.sql.db
          .insertInto('signing_key')
          .values({
            kid: 'duplicate-active',
            alg: 'ES256',
            private_jwk_sealed: active.private_jwk_sealed,
            public_jwk: JSON.stringify(active.public_jwk),
            state: 'active',
          })
          .execute(),
        /signing_key_one_active_per_alg/,
      );
    });
  });
}
