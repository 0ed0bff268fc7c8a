import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { allMigrations } from '../../src/ports/sql/migrations/index.ts';
import { freshDataDir } from '../support/embedded-data-dir.ts';
import { runGuichet, startGuichet } from '../support/guichet-process.ts';
import { freshPgliteDir } from '../support/pglite-template.ts';

describe('guichet CLI', () => {
  const dirs: Array<{ remove: () => Promise<void> }> = [];
  after(async () => {
    await Promise.all(dirs.map((d) => d.remove()));
  });

  it('prints its commands with --help', async () => {
    const run = runGuichet(['--help'], {});
    assert.equal(await run.exited, 0);
    for (const command of ['start', 'migrate', '--server', '--token'])
      assert.ok(run.output().includes(command), command);
  });

  it('refuses an unknown command with exit code 1 and help', async () => {
    const run = runGuichet(['frobnicate'], {});
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /unknown command 'frobnicate'/);
  });

  it('migrates the data dir directly when no server holds it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-cli-'));
    dirs.push({ remove: () => rm(dir, { recursive: true, force: true }) });
    await rename(await freshPgliteDir({ migrated: false }), path.join(dir, 'pglite'));
    const first = runGuichet(['migrate'], { GUICHET_DATA_DIR: dir });
    assert.equal(await first.exited, 0, first.output());
    assert.equal(first.output(), `applied: ${Object.keys(allMigrations).sort().join(', ')}\n`);
    const again = runGuichet(['migrate'], { GUICHET_DATA_DIR: dir });
    assert.equal(await again.exited, 0, again.output());
    assert.equal(again.output(), 'database is up to date\n');
  });

  it('fails clearly against a remote server with a wrong token', async () => {
    const data = await freshDataDir();
    dirs.push(data);
    const server = await startGuichet({ GUICHET_DATA_DIR: data.dir });
    try {
      const run = runGuichet(['--server', server.url, '--token', 'wrong', 'migrate'], {});
      assert.equal(await run.exited, 1);
      assert.match(run.output(), /401 a valid admin token is required/);
    } finally {
      await server.stop();
    }
  });
});

describe('guichet administrative commands wherever the data is', () => {
  it('works through a running server, directly on the data dir, and against --server', async () => {
    const data = await freshDataDir();
    const env = { GUICHET_DATA_DIR: data.dir };
    const server = await startGuichet(env);
    try {
      const viaServer = runGuichet(
        [
          'clients',
          'create',
          '--name',
          'Shop',
          '--redirect-uri',
          'http://localhost:3000/cb',
          '--first-party',
        ],
        env,
      );
      assert.equal(await viaServer.exited, 0, viaServer.output());
      const created = JSON.parse(viaServer.output()) as { client_id: string; client_secret: string };
      assert.ok(created.client_secret, 'the secret is shown once');

      const token = (await readFile(path.join(data.dir, 'admin.token'), 'utf8')).trim();
      const remote = runGuichet(
        ['--server', server.url, '--token', token, 'clients', 'show', created.client_id],
        {
          GUICHET_DATA_DIR: path.join(data.dir, 'elsewhere'),
        },
      );
      assert.equal(await remote.exited, 0, remote.output());
      const shown = JSON.parse(remote.output()) as Record<string, unknown>;
      assert.equal(shown.client_id, created.client_id);
      assert.equal(shown.client_secret, undefined, 'never shown again');
    } finally {
      assert.equal(await server.stop(), 0);
    }

    const direct = runGuichet(['clients', 'list'], env);
    assert.equal(await direct.exited, 0, direct.output());
    const listed = JSON.parse(direct.output()) as Array<{ name: string }>;
    assert.deepEqual(
      listed.map((client) => client.name),
      ['Shop'],
    );
    await data.remove();
  });
});
