import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Command } from 'commander';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { newFileId } from '../../src/files/file-keys.ts';
import { janitorAdminRoutes } from '../../src/files/janitor/janitor-admin-routes.ts';
import { registerJanitorCommands } from '../../src/files/janitor/janitor-commands.ts';
import type { JanitorReport } from '../../src/files/janitor/janitor-report.ts';
import { acquireLease, releaseLease } from '../../src/files/janitor/job-lease.ts';
import { janitorLeaseName } from '../../src/files/janitor/run-janitor-now.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { type AdminAppUnderTest, adminAppUnderTest, listenLocally } from '../support/admin-app.ts';
import { guichetWith, ways } from '../support/cli-harness.ts';
import { sqlDrivers } from '../support/domain-test-context.ts';
import { insertBusiness, insertFile, insertPurpose, listKeys, putBytes, thumb } from './janitor-fixtures.ts';

const pglite = sqlDrivers.find((driver) => driver.name === 'pglite');
if (pglite === undefined) throw new Error('no pglite driver');

/** Progress as a pipe or a log file sees it. */
function capture(isTTY: boolean) {
  let text = '';
  return {
    stream: {
      isTTY,
      columns: 100,
      write(chunk: string) {
        text += chunk;
        return true;
      },
    },
    text: () => text,
  };
}

function parseReport(output: string): JanitorReport {
  return JSON.parse(output.slice(output.indexOf('{'))) as JanitorReport;
}

describe('guichet files janitor', () => {
  let under: AdminAppUnderTest;
  let url: string;
  let context: ServerContext;
  let businessId: string;
  const bytes = Buffer.from('bytes');

  before(async () => {
    under = await adminAppUnderTest(pglite, janitorAdminRoutes);
    url = await listenLocally(under.app);
    context = under.context;
    businessId = await insertBusiness(context.ports.sql);
    await insertPurpose(context.ports.sql, 'photo', [thumb]);
  });
  after(() => under?.close());

  async function litter() {
    const { sql, objects } = context.ports;
    const expired = await insertFile(sql, {
      businessId,
      purpose: 'photo',
      state: 'staged',
      stagedUntil: new Date(Date.now() - 1000),
    });
    await putBytes(objects, expired.objectKey, bytes);
    const orphan = `files/${newFileId()}`;
    await putBytes(objects, orphan, bytes);
    return { expired, orphan };
  }

  for (const [way, run] of ways(
    () => context,
    () => url,
  )) {
    it(`--dry-run reports and removes nothing, a run removes (${way})`, async () => {
      const progress = capture(false);
      const guichet = guichetWith((program: Command, cli: CliContext) => {
        registerJanitorCommands(program.command('files'), cli, progress.stream);
      });
      const { expired, orphan } = await litter();

      const dry = await guichet(['files', 'janitor', '--dry-run', '--grace', '0'], run);
      assert.match(
        dry.split('\n')[0] ?? '',
        /^files janitor: would remove 1 expired upload\(s\) and 1 object\(s\)/,
      );
      assert.equal(parseReport(dry).dryRun, true);
      assert.ok((await listKeys(context.ports.objects)).includes(orphan));

      // The default grace (an hour) protects the fresh orphan.
      const graced = parseReport(await guichet(['files', 'janitor'], run));
      assert.deepEqual(
        [graced.expiredUploads, graced.orphanObjects, graced.recentUnrecordedObjects],
        [1, 0, 1],
      );
      const report = parseReport(await guichet(['files', 'janitor', '--grace', '0'], run));
      assert.equal(report.orphanObjects, 1);
      assert.deepEqual(await listKeys(context.ports.objects), []);
      assert.equal(await context.ports.objects.head(expired.objectKey), undefined);
      if (way === 'local') {
        assert.match(progress.text(), /^files janitor: expired uploads: \d+ checked$/m);
        assert.match(progress.text(), /^files janitor: files: \d+ checked$/m);
        assert.match(progress.text(), /^files janitor: variants: \d+ checked$/m);
      }
    });

    it(`refuses to run beside another run (${way})`, async () => {
      await acquireLease(context.ports.sql, janitorLeaseName, 'elsewhere', 60);
      try {
        const guichet = guichetWith((program, cli) => registerJanitorCommands(program.command('files'), cli));
        await assert.rejects(guichet(['files', 'janitor'], run), /running elsewhere/);
      } finally {
        await releaseLease(context.ports.sql, janitorLeaseName, 'elsewhere');
      }
    });
  }

  it('draws a progress bar on a terminal', async () => {
    const progress = capture(true);
    const guichet = guichetWith((program, cli) =>
      registerJanitorCommands(program.command('files'), cli, progress.stream),
    );
    await guichet(['files', 'janitor', '--dry-run'], (operation) => operation.local(context));
    assert.match(progress.text(), /expired uploads\s+\[[^\]]*\] \d+\/\d+/);
    assert.match(progress.text(), /variants\s+\[[^\]]*\] \d+\/\d+/);
  });

  it('rejects a grace that is not a whole number of seconds', async () => {
    const guichet = guichetWith((program, cli) => registerJanitorCommands(program.command('files'), cli));
    await assert.rejects(
      guichet(['files', 'janitor', '--grace', '1h'], (operation) => operation.local(context)),
      /whole number of seconds/,
    );
  });
});
