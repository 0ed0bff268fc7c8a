import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerClientCommands } from '../../src/clients/client-commands.ts';
import { findClientMetadata } from '../../src/clients/client-store.ts';
import { clientsAdminRoutes } from '../../src/clients/clients-admin-routes.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest, listenLocally } from '../support/admin-app.ts';
import { guichetWith, ways } from '../support/cli-harness.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';

after(removeFreshPgliteDirs);

interface ClientJson {
  client_id: string;
  client_secret?: string;
  name: string;
  kind: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri?: string;
  first_party: boolean;
  subject_type: string;
}

const guichet = guichetWith(registerClientCommands);

for (const driver of sqlDrivers) {
  describe(`guichet clients commands on ${driver.name}`, { skip: driver.skip }, () => {
    let under: AdminAppUnderTest;
    let context: ServerContext;
    let url: string;

    before(async () => {
      under = await adminAppUnderTest(driver, clientsAdminRoutes);
      context = under.context;
      url = await listenLocally(under.app);
    });

    after(() => under?.close());

    for (const [way, run] of ways(
      () => context,
      () => url,
    )) {
      it(`creates, shows, lists, rotates and deletes a client (${way})`, async () => {
        const created = JSON.parse(
          await guichet(
            [
              'clients',
              'create',
              '--name',
              'Shop',
              '--redirect-uri',
              'https://shop.example.com/cb',
              '--redirect-uri',
              'http://localhost:3000/cb',
              '--post-logout-redirect-uri',
              'https://shop.example.com/',
              '--backchannel-logout-uri',
              'https://shop.example.com/logout',
              '--first-party',
            ],
            run,
          ),
        ) as ClientJson;
        assert.equal(created.name, 'Shop');
        assert.equal(created.kind, 'confidential');
        assert.deepEqual(created.redirect_uris, ['https://shop.example.com/cb', 'http://localhost:3000/cb']);
        assert.deepEqual(created.post_logout_redirect_uris, ['https://shop.example.com/']);
        assert.equal(created.backchannel_logout_uri, 'https://shop.example.com/logout');
        assert.equal(created.first_party, true);
        assert.ok(created.client_secret);
        assert.equal(
          (await findClientMetadata(context, created.client_id))?.client_secret,
          created.client_secret,
        );

        const shownText = await guichet(['clients', 'show', created.client_id], run);
        assert.equal(shownText.includes(created.client_secret), false);
        assert.equal((JSON.parse(shownText) as ClientJson).client_id, created.client_id);

        const listText = await guichet(['clients', 'list'], run);
        const list = JSON.parse(listText) as ClientJson[];
        assert.ok(list.some((client) => client.client_id === created.client_id));
        assert.equal(listText.includes(created.client_secret), false);

        const rotated = JSON.parse(
          await guichet(['clients', 'rotate-secret', created.client_id], run),
        ) as ClientJson;
        assert.ok(rotated.client_secret);
        assert.notEqual(rotated.client_secret, created.client_secret);
        assert.equal(
          (await findClientMetadata(context, created.client_id))?.client_secret,
          rotated.client_secret,
        );

        assert.equal(
          await guichet(['clients', 'delete', created.client_id], run),
          `deleted client ${created.client_id}`,
        );
        assert.equal(await findClientMetadata(context, created.client_id), undefined);
        await assert.rejects(guichet(['clients', 'show', created.client_id], run), /no client with id/);
        await assert.rejects(guichet(['clients', 'delete', created.client_id], run), /no client with id/);
        await assert.rejects(
          guichet(['clients', 'rotate-secret', created.client_id], run),
          /no client with id/,
        );
      });

      it(`creates public, service and pairwise clients (${way})`, async () => {
        const spa = JSON.parse(
          await guichet(
            ['clients', 'create', '--name', 'SPA', '--redirect-uri', 'http://127.0.0.1:5173/cb', '--public'],
            run,
          ),
        ) as ClientJson;
        assert.equal(spa.kind, 'public');
        assert.equal(spa.client_secret, undefined);
        await assert.rejects(
          guichet(['clients', 'rotate-secret', spa.client_id], run),
          /is public: it has no secret/,
        );

        const service = JSON.parse(
          await guichet(['clients', 'create', '--name', 'Job', '--service'], run),
        ) as ClientJson;
        assert.equal(service.kind, 'service');
        assert.ok(service.client_secret);

        const pairwise = JSON.parse(
          await guichet(
            [
              'clients',
              'create',
              '--name',
              'Partner',
              '--redirect-uri',
              'https://p.example/cb',
              '--pairwise',
            ],
            run,
          ),
        ) as ClientJson;
        assert.equal(pairwise.subject_type, 'pairwise');
      });

      it(`refuses a bad client with the policy's message (${way})`, async () => {
        await assert.rejects(
          guichet(['clients', 'create', '--name', 'Bad', '--redirect-uri', 'http://bad.example/cb'], run),
          /redirect URI "http:\/\/bad.example\/cb" must use https/,
        );
        await assert.rejects(
          guichet(['clients', 'create', '--name', 'Bad'], run),
          /at least one redirect URI is required/,
        );
      });
    }

    it('requires --name', async () => {
      await assert.rejects(
        guichet(['clients', 'create', '--redirect-uri', 'https://a.example/cb'], (operation) =>
          operation.local(context),
        ),
        /required option '--name <name>' not specified/,
      );
    });
  });
}
