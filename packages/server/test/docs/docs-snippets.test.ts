import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Command, Option } from 'commander';
import ts from 'typescript';
import { buildCli } from '../../src/cli/main.ts';
import {
  anchorsOf,
  documentationFiles,
  type MarkdownFile,
  repositoryRoot,
  type Snippet,
  shellCommands,
  shellWords,
  snippetsOf,
} from './markdown-snippets.ts';

const run = promisify(execFile);

let files: MarkdownFile[];
let snippets: Snippet[];

function where(snippet: Snippet): string {
  return `${snippet.file}:${snippet.line}`;
}

/** The options a command accepts: its own, and the program's global ones. */
function findOption(command: Command, program: Command, flag: string): Option | undefined {
  return [...command.options, ...program.options].find(
    (option) => option.long === flag || option.short === flag,
  );
}

/** Checks `guichet <args>` against the CLI's own definitions; returns what is wrong, if anything. */
function checkGuichetCommand(program: Command, args: string[]): string | undefined {
  let command = program;
  let i = 0;
  const given = new Set<string>();
  const positionals: string[] = [];
  for (; i < args.length; i++) {
    const word = args[i] ?? '';
    if (word === '--help' || word === '-h') return undefined;
    if (word.startsWith('-')) {
      const [flag, inline] = word.split('=', 2) as [string, string | undefined];
      const option = findOption(command, program, flag);
      if (option === undefined) return `unknown option ${flag} of "${command.name()}"`;
      given.add(option.attributeName());
      if ((option.required || option.optional) && inline === undefined) i++;
      continue;
    }
    const sub = command.commands.find((candidate) => candidate.name() === word);
    if (sub !== undefined && positionals.length === 0) {
      command = sub;
      continue;
    }
    if (/[<>]/.test(word)) return `placeholder ${word} would be a shell redirection`;
    positionals.push(word);
  }
  if (command.commands.length > 0) return `"${command.name()}" needs a subcommand`;
  const expected = command.registeredArguments;
  const required = expected.filter((argument) => argument.required).length;
  const variadic = expected.some((argument) => argument.variadic);
  if (positionals.length < required) return `"${command.name()}" needs ${required} argument(s)`;
  if (!variadic && positionals.length > expected.length) return `too many arguments for "${command.name()}"`;
  for (const option of command.options) {
    if (option.mandatory && !given.has(option.attributeName())) return `missing ${option.long}`;
  }
  return undefined;
}

/** The arguments after `guichet` in a shell command, for each invocation of the CLI in it. */
function guichetInvocations(command: string): string[][] {
  return command
    .split(/\s*(?:\||&&|;)\s*/)
    .map((part) => shellWords(part))
    .filter((words) => words.length > 0)
    .flatMap((words) => {
      let start = 0;
      while (/^[A-Z_][A-Z0-9_]*=/.test(words[start] ?? '')) start++;
      if (words[start] === 'npx' && words[start + 1] === 'guichet') return [words.slice(start + 2)];
      if (words[start] === 'guichet') return [words.slice(start + 1)];
      return [];
    });
}

/** The names a module exports, read from its source. */
function exportedNames(file: string, source: string): string[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of sourceFile.statements) {
    if (
      ts.isExportDeclaration(statement) &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) names.push(element.name.text);
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    if (modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
        }
      } else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
        names.push((statement.name as ts.Identifier).text);
      }
    }
  }
  return names;
}

before(async () => {
  files = await documentationFiles();
  snippets = files.flatMap(snippetsOf);
});

describe('documentation snippets', () => {
  it('every TypeScript snippet type-checks against the packages of this repository', async () => {
    const scratch = path.join(repositoryRoot, '.tmp');
    await mkdir(scratch, { recursive: true });
    const dir = await mkdtemp(path.join(scratch, 'docs-snippets-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const tsSnippets = snippets.filter((snippet) => snippet.language === 'ts');
    assert.ok(tsSnippets.length >= 10, 'the docs have TypeScript snippets');
    const origins = new Map<string, Snippet>();
    for (const snippet of tsSnippets) {
      // One folder per document, so a document's snippets can import each other by the file name
      // their `<!-- docs-test: file=NAME -->` marker gives them.
      const folder = snippet.file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-');
      const named = /^file=(\S+\.ts)$/.exec(snippet.marker ?? '')?.[1];
      const file = path.join(folder, named ?? `snippet-line-${snippet.line}.ts`);
      assert.ok(!origins.has(file), `${where(snippet)}: ${file} is named twice`);
      origins.set(file, snippet);
      // A snippet without imports or exports would be a script: make it the module it is in an app.
      const isModule = /^\s*(import|export)\s/m.test(snippet.code);
      await mkdir(path.join(dir, folder), { recursive: true });
      await writeFile(path.join(dir, file), isModule ? snippet.code : `${snippet.code}\nexport {};\n`);
    }
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.relative(dir, path.join(repositoryRoot, 'tsconfig.json')),
        // What a NestJS app compiles with (see the nestjs package's README).
        compilerOptions: {
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          erasableSyntaxOnly: false,
        },
        include: ['**/*.ts'],
      }),
    );
    const tsc = path.join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(
      process.execPath,
      [tsc, '-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'],
      {
        cwd: dir,
      },
    ).then(
      () => '',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    // Name the document and line of each error rather than the scratch file.
    const located = result.replace(/^(\S+?\.ts)\((\d+),\d+\)/gm, (whole, file: string, line: string) => {
      const snippet = origins.get(path.normalize(file));
      return snippet ? `${snippet.file}:${snippet.line + Number(line)}` : whole;
    });
    assert.equal(located.trim(), '', `TypeScript snippets do not compile:\n${located}`);
  });

  it('every JSON snippet parses', () => {
    for (const snippet of snippets.filter((s) => s.language === 'json')) {
      assert.doesNotThrow(() => JSON.parse(snippet.code), where(snippet));
    }
  });

  it('every guichet command in a shell snippet exists, with options the CLI accepts', () => {
    const program = buildCli();
    let checked = 0;
    const problems: string[] = [];
    for (const snippet of snippets.filter((s) => s.language === 'sh')) {
      for (const command of shellCommands(snippet.code)) {
        for (const args of guichetInvocations(command)) {
          checked++;
          const problem = checkGuichetCommand(program, args);
          if (problem !== undefined) problems.push(`${where(snippet)}: \`${command}\`: ${problem}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 20, `${checked} guichet commands checked`);
  });

  it('every npm script a snippet runs exists', async () => {
    const manifest = JSON.parse(await readFile(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const builtIn = new Set(['ci', 'install', 'start', 'test']);
    for (const snippet of snippets.filter((s) => s.language === 'sh')) {
      for (const command of shellCommands(snippet.code)) {
        for (const match of command.matchAll(/\bnpm (run )?([a-z][\w:-]*)/g)) {
          const [, viaRun, name = ''] = match;
          if (viaRun === undefined && builtIn.has(name)) {
            if (name !== 'ci' && name !== 'install')
              assert.ok(manifest.scripts[name], `${where(snippet)}: npm ${name}`);
            continue;
          }
          if (viaRun === undefined) continue;
          assert.ok(
            manifest.scripts[name],
            `${where(snippet)}: npm run ${name} is not a script of package.json`,
          );
        }
      }
    }
  });

  it('every relative link points at an existing file and heading', () => {
    const texts = new Map(files.map((file) => [file.file, file.text]));
    for (const { file, text } of files) {
      const withoutCode = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
      for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue;
        const [targetPath = '', anchor] = target.split('#', 2);
        const resolved = targetPath === '' ? file : path.normalize(path.join(path.dirname(file), targetPath));
        assert.ok(
          existsSync(path.join(repositoryRoot, resolved)),
          `${file}: link to ${target}: no such file`,
        );
        if (anchor !== undefined && resolved.endsWith('.md')) {
          const targetText = texts.get(resolved);
          assert.ok(targetText !== undefined, `${file}: link to ${target}: not a documentation file`);
          assert.ok(anchorsOf(targetText).has(anchor), `${file}: link to ${target}: no such heading`);
        }
      }
    }
  });

  it('the README links every page of docs/', () => {
    const readme = files.find((file) => file.file === 'README.md')?.text ?? '';
    const index = files.find((file) => file.file === 'docs/README.md')?.text ?? '';
    for (const { file } of files) {
      if (file === 'README.md' || file === 'docs/README.md') continue;
      assert.ok(readme.includes(`(${file})`), `README.md does not link ${file}`);
      assert.ok(index.includes(`(${path.relative('docs', file)})`), `docs/README.md does not link ${file}`);
    }
  });

  it('the SDK reference names every export of @guichet/sdk and @guichet/nestjs', async () => {
    const reference = files.find((file) => file.file === 'docs/sdk.md')?.text ?? '';
    for (const entry of [
      'packages/sdk/src/index.ts',
      'packages/sdk/src/express.ts',
      'packages/sdk/src/fastify.ts',
      'packages/nestjs/src/index.ts',
    ]) {
      const names = exportedNames(entry, await readFile(path.join(repositoryRoot, entry), 'utf8'));
      assert.ok(names.length > 0, entry);
      const missing = names.filter((name) => !reference.includes(`\`${name}`));
      assert.deepEqual(missing, [], `docs/sdk.md does not mention these exports of ${entry}`);
    }
  });
});
