import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { buildCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/config.ts';
import { registerLifecycleCommands } from '../../src/files/janitor/lifecycle-commands.ts';
import { guichetLifecycleRules, mergeLifecycleRules } from '../../src/files/janitor/lifecycle-rules.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { guichetWith } from '../support/cli-harness.ts';
import { s3Env } from '../support/files-world.ts';
import { runGuichet } from '../support/guichet-process.ts';
import { type RunningS3rver, startS3rver } from '../support/s3rver.ts';

const guichet = guichetWith((program, cli) => registerLifecycleCommands(program.command('files'), cli));

/** Only the configuration matters to these commands. */
function contextWith(env: Record<string, string>): ServerContext {
  return { config: loadConfig({ GUICHET_DATA_DIR: '/nonexistent', ...env }) } as ServerContext;
}

const wired = buildCli()
  .commands.find((command) => command.name() === 'files')
  ?.commands.some((command) => command.name() === 'lifecycle');

describe('guichet files lifecycle', () => {
  let s3rver: RunningS3rver;
  before(async () => {
    s3rver = await startS3rver();
  });
  after(() => s3rver?.dispose());

  it('prints the rules as PutBucketLifecycleConfiguration takes them', async () => {
    const output = await guichet(['files', 'lifecycle'], (operation) =>
      operation.local(contextWith({ ...s3Env(s3rver), GUICHET_UPLOAD_TTL_SECONDS: '3600' })),
    );
    const { Rules } = JSON.parse(output) as { Rules: LifecycleRule[] };
    assert.deepEqual(Rules, [
      {
        ID: 'guichet-expire-staged-uploads',
        Status: 'Enabled',
        Filter: { Tag: { Key: 'guichet-state', Value: 'staged' } },
        Expiration: { Days: 2 },
      },
      {
        ID: 'guichet-abort-incomplete-multipart-uploads',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
  });

  it('keeps the TTL plus a day of margin before S3 expires what is still staged', () => {
    assert.equal(guichetLifecycleRules(3 * 86_400)[0]?.Expiration?.Days, 4);
    assert.equal(guichetLifecycleRules(86_400 + 1)[0]?.Expiration?.Days, 3);
  });

  it("replaces Guichet's rules and keeps the bucket's others", () => {
    const theirs: LifecycleRule = {
      ID: 'logs',
      Status: 'Enabled',
      Filter: { Prefix: 'logs/' },
      Expiration: { Days: 30 },
    };
    const stale: LifecycleRule = { ID: 'guichet-old', Status: 'Enabled', Filter: { Prefix: '' } };
    const ours = guichetLifecycleRules(3600);
    assert.deepEqual(mergeLifecycleRules([theirs, stale], ours), [theirs, ...ours]);
  });

  it('--apply says clearly that s3rver does not implement bucket lifecycle', async () => {
    await assert.rejects(
      guichet(['files', 'lifecycle', '--apply'], (operation) => operation.local(contextWith(s3Env(s3rver)))),
      (error: Error) => {
        assert.match(error.message, /NotImplemented/);
        assert.equal(error.message.includes('\n'), false);
        return true;
      },
    );
  });

  it('with the filesystem driver, says lifecycle rules are S3-only', async () => {
    await assert.rejects(
      guichet(['files', 'lifecycle'], (operation) => operation.local(contextWith({}))),
      /S3-only/,
    );
  });

  it('the real CLI exits 1 with one line when --apply fails', async () => {
    assert.ok(wired, 'guichet files lifecycle is registered');
    const run = runGuichet(['files', 'lifecycle', '--apply'], {
      ...s3Env(s3rver),
      GUICHET_DATA_DIR: s3rver.directory,
      GUICHET_SECRET: 'x'.repeat(40),
    });
    assert.equal(await run.exited, 1);
    const lines = run.output().trim().split('\n');
    assert.equal(lines.length, 1, run.output());
    assert.match(lines[0] ?? '', /^guichet: bucket guichet-test: .*NotImplemented/);
  });
});
