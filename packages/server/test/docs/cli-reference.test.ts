import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { cliReference } from '../../src/cli/cli-reference.ts';
import { buildCli } from '../../src/cli/main.ts';

describe('docs/cli.md', () => {
  it('is the reference generated from the CLI definitions (run `npm run docs:cli` after changing them)', async () => {
    const committed = await readFile(new URL('../../../../docs/cli.md', import.meta.url), 'utf8');
    assert.equal(committed, cliReference(buildCli()));
  });

  it('documents every command', () => {
    const reference = cliReference(buildCli());
    for (const command of [
      'start',
      'migrate',
      'users create',
      'clients create',
      'clients rotate-secret',
      'keys rotate',
    ]) {
      assert.ok(reference.includes(`### \`guichet ${command}\``), command);
    }
  });
});
