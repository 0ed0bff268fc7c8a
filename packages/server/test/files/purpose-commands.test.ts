import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerPurposeCommands } from '../../src/files/purposes/purpose-commands.ts';
import { findPurpose } from '../../src/files/purposes/purpose-store.ts';
import { purposesAdminRoutes } from '../../src/files/purposes/purposes-admin-routes.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest, listenLocally } from '../support/admin-app.ts';
import { guichetWith, ways } from '../support/cli-harness.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { removeFreshPgliteDirs } from '../support/pglite-template.ts';

after(removeFreshPgliteDirs);

const guichet = guichetWith((program, cli) => registerPurposeCommands(program.command('files'), cli));

for (const driver of sqlDrivers) {
  describe(`guichet files purposes on ${driver.name}`, { skip: driver.skip }, () => {
    let under: AdminAppUnderTest;
    let context: ServerContext;
    let url: string;

    before(async () => {
      under = await adminAppUnderTest(driver, purposesAdminRoutes);
      context = under.context;
      url = await listenLocally(under.app);
    });
    after(async () => {
      await under?.close();
    });

    for (const [way, run] of ways(
      () => context,
      () => url,
    )) {
      it(`sets, shows, lists, replaces and deletes a purpose (${way})`, async () => {
        const name = `product-image-${way}`;
        const set = JSON.parse(
          await guichet(
            [
              'files',
              'purposes',
              'set',
              name,
              '--types',
              'image/jpeg,image/png,image/webp',
              '--max-bytes',
              '10MB',
              '--max-count',
              '5',
              '--max-pixels',
              '40M',
              '--variant',
              'thumb:320x320',
              '--variant',
              'medium:1024x1024:inside:jpeg',
            ],
            run,
          ),
        ) as Record<string, unknown>;
        assert.deepEqual(set, {
          name,
          types: ['image/jpeg', 'image/png', 'image/webp'],
          maxBytes: 10_000_000,
          maxCount: 5,
          maxPixels: 40_000_000,
          maxWidth: null,
          maxHeight: null,
          variants: [
            { name: 'thumb', width: 320, height: 320, fit: 'cover', format: 'webp' },
            { name: 'medium', width: 1024, height: 1024, fit: 'inside', format: 'jpeg' },
          ],
        });
        assert.deepEqual(JSON.parse(await guichet(['files', 'purposes', 'show', name], run)), set);
        const listed = JSON.parse(await guichet(['files', 'purposes', 'list'], run)) as Array<{
          name: string;
        }>;
        assert.ok(listed.some((purpose) => purpose.name === name));

        await guichet(
          ['files', 'purposes', 'set', name, '--types', 'application/pdf', '--max-bytes', '1MiB'],
          run,
        );
        const replaced = await findPurpose(context.ports.sql, name);
        assert.deepEqual(replaced?.types, ['application/pdf']);
        assert.equal(replaced?.maxBytes, 1024 * 1024);
        assert.equal(replaced?.maxCount, 1);
        assert.deepEqual(replaced?.variants, []);

        assert.equal(await guichet(['files', 'purposes', 'delete', name], run), `deleted purpose ${name}`);
        assert.equal(await findPurpose(context.ports.sql, name), undefined);
        await assert.rejects(guichet(['files', 'purposes', 'show', name], run), /no file purpose named/);
      });

      it(`refuses bad definitions and keeps nothing (${way})`, async () => {
        const name = `bad-${way}`;
        const attempts = [
          [['--types', 'text/plain', '--max-bytes', '1MB'], /cannot recognise text\/plain/],
          [['--types', 'image/png', '--max-bytes', 'lots'], /not a size/],
          [['--types', 'image/png', '--max-bytes', '6GB'], /maxBytes must be an integer between/],
          [['--types', 'image/png', '--max-bytes', '1MB', '--variant', 'thumb'], /not a variant/],
          [['--types', 'image/png', '--max-bytes', '1MB', '--max-count', '0'], /positive integer/],
        ] as const;
        for (const [options, message] of attempts) {
          await assert.rejects(guichet(['files', 'purposes', 'set', name, ...options], run), message);
        }
        await assert.rejects(
          guichet(
            ['files', 'purposes', 'set', 'Bad Name', '--types', 'image/png', '--max-bytes', '1MB'],
            run,
          ),
          /purpose name/,
        );
        assert.equal(await findPurpose(context.ports.sql, name), undefined);
      });
    }

    it('answers malformed admin requests with problem details', async () => {
      const put = (name: string, body: unknown) =>
        fetch(`${url}/admin/v1/file-purposes/${name}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
      const cases: Array<[Response, number]> = [
        [await put('ok-name', { types: ['image/png'], maxBytes: 10, maxCount: 1, pubic: true }), 400],
        [await put('ok-name', { types: ['image/png'], maxBytes: -1, maxCount: 1 }), 400],
        [await put('ok-name', '{"types": ['), 400],
        [await put('ok-name', { types: ['text/html'], maxBytes: 10, maxCount: 1 }), 422],
        [await put('Not%20ok', { types: ['image/png'], maxBytes: 10, maxCount: 1 }), 400],
        [
          await put('ok-name', {
            types: ['image/png'],
            maxBytes: 10,
            maxCount: 1,
            variants: [{ name: 'x', width: 0, height: 1 }],
          }),
          400,
        ],
        [await fetch(`${url}/admin/v1/file-purposes/missing`), 404],
        [await fetch(`${url}/admin/v1/file-purposes/missing`, { method: 'DELETE' }), 404],
      ];
      for (const [index, [response, status]] of cases.entries()) {
        assert.equal(response.status, status, `case ${index}`);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        await response.arrayBuffer();
      }
      assert.equal(await findPurpose(context.ports.sql, 'ok-name'), undefined);
    });
  });
}
