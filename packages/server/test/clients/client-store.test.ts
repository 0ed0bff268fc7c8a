import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql as rawSql } from 'kysely';
import { clientSecretPurpose } from '../../src/clients/client-credentials.ts';
import { ClientHasNoSecretError, ClientInputError } from '../../src/clients/client-errors.ts';
import {
  createClient,
  deleteClient,
  findClientMetadata,
  getClient,
  isFirstPartyClient,
  listClients,
  rotateClientSecret,
} from '../../src/clients/client-store.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { deriveKey } from '../../src/secrets/master-key.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';
import { createTestContext, newMasterKey, sqlDrivers, type TestSql } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';

after(removeFreshPgliteDirs);

async function countClients(context: ServerContext): Promise<number> {
  const { rows } = await rawSql<{ n: string }>`select count(*) as n from oidc_client`.execute(
    context.ports.sql.db,
  );
  return Number(rows[0]?.n);
}

/** The stored row as text, every column: what someone reading the database would see. */
async function rawRow(context: ServerContext, clientId: string): Promise<string> {
  const { rows } = await rawSql<{ row: string }>`
    select row_to_json(c)::text as row from oidc_client c where client_id = ${clientId}`.execute(
    context.ports.sql.db,
  );
  const row = rows[0]?.row;
  assert.ok(row, `no row for ${clientId}`);
  return row;
}

for (const driver of sqlDrivers) {
  describe(`clients store on ${driver.name}`, { skip: driver.skip }, () => {
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

    it('creates a confidential client with a secret and oidc-provider metadata', async () => {
      const created = await createClient(context, {
        name: 'Shop',
        redirectUris: ['https://shop.example.com/callback'],
        postLogoutRedirectUris: ['https://shop.example.com/'],
        backchannelLogoutUri: 'https://shop.example.com/backchannel-logout',
      });
      assert.match(created.client_id, /^[A-Za-z0-9]{24}$/);
      assert.match(created.client_secret ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal(created.kind, 'confidential');
      assert.equal(created.name, 'Shop');
      assert.equal(created.first_party, false);

      const metadata = await findClientMetadata(context, created.client_id);
      assert.deepEqual(metadata, {
        client_id: created.client_id,
        client_secret: created.client_secret,
        client_name: 'Shop',
        redirect_uris: ['https://shop.example.com/callback'],
        post_logout_redirect_uris: ['https://shop.example.com/'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
        subject_type: 'public',
        backchannel_logout_uri: 'https://shop.example.com/backchannel-logout',
        backchannel_logout_session_required: true,
      });
    });

    it('creates a public client without a secret', async () => {
      const created = await createClient(context, {
        name: 'Single-page app',
        redirectUris: ['http://localhost:5173/callback'],
        public: true,
      });
      assert.equal(created.kind, 'public');
      assert.equal('client_secret' in created, false);
      const metadata = await findClientMetadata(context, created.client_id);
      assert.equal(metadata?.token_endpoint_auth_method, 'none');
      assert.equal('client_secret' in (metadata ?? {}), false);
      assert.deepEqual(metadata?.grant_types, ['authorization_code', 'refresh_token']);
      assert.deepEqual(metadata?.response_types, ['code']);
      assert.match(await rawRow(context, created.client_id), /"secret_sealed":null/);
    });

    it('creates a service client for client credentials only', async () => {
      const created = await createClient(context, { name: 'Billing job', redirectUris: [], service: true });
      assert.equal(created.kind, 'service');
      assert.ok(created.client_secret);
      const metadata = await findClientMetadata(context, created.client_id);
      assert.deepEqual(metadata?.grant_types, ['client_credentials']);
      assert.deepEqual(metadata?.response_types, []);
      assert.deepEqual(metadata?.redirect_uris, []);
      assert.equal(metadata?.token_endpoint_auth_method, 'client_secret_basic');
      assert.equal(metadata?.client_secret, created.client_secret);
    });

    it('marks first-party clients and asks for pairwise subjects', async () => {
      const own = await createClient(context, {
        name: 'Back office',
        redirectUris: ['https://office.example.com/cb'],
        firstParty: true,
      });
      const partner = await createClient(context, {
        name: 'Partner',
        redirectUris: ['https://partner.example.net/cb', 'https://partner.example.net/cb2'],
        pairwise: true,
      });
      assert.equal(own.first_party, true);
      assert.equal(await isFirstPartyClient(context, own.client_id), true);
      assert.equal(await isFirstPartyClient(context, partner.client_id), false);
      assert.equal(await isFirstPartyClient(context, 'no-such-client'), false);
      assert.equal((await findClientMetadata(context, own.client_id))?.subject_type, 'public');
      assert.equal((await findClientMetadata(context, partner.client_id))?.subject_type, 'pairwise');
      assert.equal(partner.subject_type, 'pairwise');
    });

    it('keeps the secret sealed: not in any column, and another master key cannot open it', async () => {
      const created = await createClient(context, { name: 'Sealed', redirectUris: ['https://s.example/cb'] });
      const secret = created.client_secret;
      assert.ok(secret);
      const row = await rawRow(context, created.client_id);
      assert.equal(row.includes(secret), false);
      const sealed = (JSON.parse(row) as { secret_sealed: string }).secret_sealed;
      assert.match(sealed, /^v1\./);

      const ownBox = createSecretBox(deriveKey(context.masterKey, clientSecretPurpose));
      assert.equal(ownBox.open(sealed, `client:${created.client_id}`), secret);
      const otherBox = createSecretBox(deriveKey(newMasterKey(), clientSecretPurpose));
      assert.throws(() => otherBox.open(sealed, `client:${created.client_id}`));
      // Bound to its client: the same sealed value does not open for another client id.
      assert.throws(() => ownBox.open(sealed, 'client:someone-else'));

      const other = await createTestContext({ sql: context.ports.sql, masterKey: newMasterKey() });
      try {
        await assert.rejects(findClientMetadata(other.context, created.client_id), /cannot be opened/);
      } finally {
        await other.dispose();
      }
    });

    it('never shows the secret in get or list', async () => {
      const created = await createClient(context, { name: 'Quiet', redirectUris: ['https://q.example/cb'] });
      const shown = await getClient(context, created.client_id);
      assert.ok(shown);
      assert.equal('client_secret' in shown, false);
      const { client_secret: _secret, ...withoutSecret } = created;
      assert.deepEqual(shown, withoutSecret);
      const listed = await listClients(context);
      assert.ok(listed.some((client) => client.client_id === created.client_id));
      assert.equal(JSON.stringify(listed).includes(created.client_secret ?? '?'), false);
      assert.equal(await getClient(context, 'unknown'), undefined);
    });

    it('refuses bad input with a ClientInputError and stores nothing', async () => {
      const before = await countClients(context);
      await assert.rejects(
        createClient(context, { name: 'Bad', redirectUris: ['http://evil.example/cb'] }),
        (error: unknown) => error instanceof ClientInputError && /must use https/.test(error.message),
      );
      await assert.rejects(createClient(context, { name: 'Bad', redirectUris: [] }), ClientInputError);
      assert.equal(await countClients(context), before);
    });

    it('rotates a secret: the new one is served, the old one is gone', async () => {
      const created = await createClient(context, {
        name: 'Rotating',
        redirectUris: ['https://r.example/cb'],
      });
      const before = await findClientMetadata(context, created.client_id);
      assert.equal(before?.client_secret, created.client_secret);
      const rowBefore = await rawRow(context, created.client_id);

      const rotated = await rotateClientSecret(context, created.client_id);
      assert.ok(rotated?.client_secret);
      assert.notEqual(rotated.client_secret, created.client_secret);
      const after = await findClientMetadata(context, created.client_id);
      assert.equal(after?.client_secret, rotated.client_secret);

      const rowAfter = await rawRow(context, created.client_id);
      const sealedBefore = (JSON.parse(rowBefore) as { secret_sealed: string }).secret_sealed;
      assert.equal(rowAfter.includes(sealedBefore), false);
      assert.equal(rowAfter.includes(created.client_secret ?? '?'), false);
      assert.equal(rowAfter.includes(rotated.client_secret), false);
    });

    it('refuses to rotate a public client and answers undefined for an unknown one', async () => {
      const spa = await createClient(context, {
        name: 'SPA',
        redirectUris: ['https://spa.example/cb'],
        public: true,
      });
      await assert.rejects(rotateClientSecret(context, spa.client_id), ClientHasNoSecretError);
      assert.equal(await rotateClientSecret(context, 'unknown'), undefined);
    });

    it('deletes a client, which the provider then no longer finds', async () => {
      const created = await createClient(context, { name: 'Gone', redirectUris: ['https://g.example/cb'] });
      assert.ok(await findClientMetadata(context, created.client_id));
      assert.equal(await deleteClient(context, created.client_id), true);
      assert.equal(await findClientMetadata(context, created.client_id), undefined);
      assert.equal(await getClient(context, created.client_id), undefined);
      assert.equal(await deleteClient(context, created.client_id), false);
    });

    it('answers undefined for unknown and absurd client ids', async () => {
      assert.equal(await findClientMetadata(context, 'nope'), undefined);
      assert.equal(await findClientMetadata(context, ''), undefined);
      assert.equal(await findClientMetadata(context, 'x'.repeat(10_000)), undefined);
    });
  });
}
