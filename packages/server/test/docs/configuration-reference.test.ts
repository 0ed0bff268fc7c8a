import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { repositoryRoot } from './markdown-snippets.ts';

/** Variables of Node.js itself that the reference documents on purpose. */
const nodeVariables = new Set(['UV_THREADPOOL_SIZE']);

/** Every variable `loadConfig` reads: it is handed an environment that records each name asked for. */
function variablesLoadConfigReads(): Set<string> {
  const read = new Set<string>();
  const recorder = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, name) {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
    has(_target, name) {
      if (typeof name === 'string') read.add(name);
      return false;
    },
  });
  loadConfig(recorder);
  return read;
}

/** Variables read elsewhere in the server: `process.env.NAME`, `process.env['NAME']`, commander's `.env('NAME')`. */
async function variablesReadInSource(): Promise<Set<string>> {
  const sourceRoot = path.join(repositoryRoot, 'packages/server/src');
  const found = new Set<string>();
  const entries = await readdir(sourceRoot, { recursive: true });
  for (const entry of entries) {
    if (!entry.endsWith('.ts')) continue;
    const text = await readFile(path.join(sourceRoot, entry), 'utf8');
    const patterns = [
      /process\.env\.([A-Z][A-Z0-9_]*)/g,
      /process\.env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
      /\.env\(['"]([A-Z][A-Z0-9_]*)['"]\)/g,
    ];
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.add(match[1] ?? '');
  }
  return found;
}

/** The variables of a Markdown table's first column: rows starting with `| \`NAME\``. */
function documentedVariables(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cell = /^\|\s*([^|]+?)\s*\|/.exec(line)?.[1] ?? '';
    for (const match of cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1] ?? '');
  }
  return names;
}

describe('docs/configuration.md', () => {
  let read: Set<string>;
  let reference: string;

  before(async () => {
    read = new Set([...variablesLoadConfigReads(), ...(await variablesReadInSource())]);
    reference = await readFile(path.join(repositoryRoot, 'docs/configuration.md'), 'utf8');
  });

  it('sees the variables the server reads', () => {
    for (const name of ['PORT', 'DATABASE_URL', 'S3_BUCKET', 'GUICHET_SECRET', 'GUICHET_ADMIN_TOKEN']) {
      assert.ok(read.has(name), name);
    }
  });

  it('lists every variable the server reads', () => {
    const documented = documentedVariables(reference);
    const missing = [...read].filter((name) => !documented.has(name)).sort();
    assert.deepEqual(missing, [], 'variables read by the server but missing from docs/configuration.md');
  });

  it('lists no variable the server does not read', () => {
    const stale = [...documentedVariables(reference)]
      .filter((name) => !read.has(name) && !nodeVariables.has(name))
      .sort();
    assert.deepEqual(stale, [], 'variables in docs/configuration.md that nothing reads');
  });

  it("the README's configuration table names only real variables", async () => {
    const readme = await readFile(path.join(repositoryRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'));
    const names = documentedVariables(section);
    assert.ok(names.size >= 8, 'the README has a configuration table');
    for (const name of names) assert.ok(read.has(name), `README.md names ${name}, which nothing reads`);
  });
});
