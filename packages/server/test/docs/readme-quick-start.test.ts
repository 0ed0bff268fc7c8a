import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.ts';
import {
  documentationFiles,
  repositoryRoot,
  type Snippet,
  shellCommands,
  snippetsOf,
} from './markdown-snippets.ts';

/**
 * Runs the README's quick start as written: the block marked `<!-- docs-test: server -->` starts the
 * server, the blocks marked `<!-- docs-test: run -->` run against it. Two liberties, both needed to
 * run inside the test suite: `npm ci` is already done (running it would reinstall the tree the tests
 * run from), and the server gets a temporary data dir and a free port instead of ./data and 4000.
 */

interface ShellRun {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
}

function shell(command: string, env: NodeJS.ProcessEnv, options: { detached?: boolean } = {}): ShellRun {
  const child = spawn('sh', ['-c', command], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // 'close', not 'exit': the shell dies of a signal at once, while the server it started still holds
  // the pipes until it has stopped and said so.
  const exited = once(child, 'close').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, output: () => output, exited };
}

/** Signals the shell's whole process group: npm, the shell it spawns and the server. */
function signalGroup(run: ShellRun, signal: NodeJS.Signals): void {
  if (run.child.pid === undefined || run.child.exitCode !== null || run.child.signalCode !== null) return;
  try {
    process.kill(-run.child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitForReady(url: string, server: ShellRun, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | string | undefined;
  void server.exited.then((code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) assert.fail(`the server exited with ${exited}:\n${server.output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`/readyz did not answer within ${timeoutMs} ms:\n${server.output()}`);
}

describe('README quick start', () => {
  let snippets: Snippet[];
  let dataDir: string;
  let port: number;
  let server: ShellRun | undefined;

  before(async () => {
    const readme = (await documentationFiles()).find((file) => file.file === 'README.md');
    assert.ok(readme, 'README.md');
    snippets = snippetsOf(readme);
    dataDir = await mkdtemp(path.join(tmpdir(), 'guichet-quick-start-'));
    port = await freePort();
  });

  after(async () => {
    if (server !== undefined) {
      signalGroup(server, 'SIGKILL');
      await server.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The README's commands, pointed at this test's port instead of 4000. */
  function asWritten(command: string): string {
    return command.replaceAll('localhost:4000', `localhost:${port}`);
  }

  it('starts the server, answers /readyz, runs the first commands, and stops on SIGTERM', async () => {
    const serverBlocks = snippets.filter((snippet) => snippet.marker === 'server');
    assert.equal(serverBlocks.length, 1, 'one block marked <!-- docs-test: server -->');
    const [start = ''] = shellCommands(serverBlocks[0]?.code ?? '');
    assert.ok(start.startsWith('npm ci && '), 'the quick start installs, then starts');
    const env = {
      ...process.env,
      GUICHET_DATA_DIR: dataDir,
      PORT: String(port),
      GUICHET_LOG_LEVEL: 'info',
    };

    server = shell(asWritten(start.slice('npm ci && '.length)), env, { detached: true });
    await waitForReady(`http://localhost:${port}`, server, 60_000);

    const runBlocks = snippets.filter((snippet) => snippet.marker === 'run');
    assert.ok(runBlocks.length > 0, 'blocks marked <!-- docs-test: run -->');
    for (const block of runBlocks) {
      for (const command of shellCommands(block.code)) {
        const step = shell(asWritten(command), env);
        const code = await step.exited;
        assert.equal(
          code,
          0,
          `README.md:${block.line}: \`${command}\` exited with ${code}:\n${step.output()}`,
        );
      }
    }

    // npm and its shell die of the signal itself; the server must stop gracefully and log it.
    signalGroup(server, 'SIGTERM');
    const stopped = await Promise.race([
      server.exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000).unref()),
    ]);
    assert.ok(stopped, `npm start did not stop within 20 s of SIGTERM:\n${server.output()}`);
    assert.match(server.output(), /"msg":"guichet stopped"/, 'the server stopped gracefully');
    server = undefined;
  });

  it('documents the test command next to the start command', () => {
    const commands = snippets
      .filter((snippet) => snippet.language === 'sh')
      .flatMap((s) => shellCommands(s.code));
    assert.ok(commands.includes('npm test'));
    assert.ok(commands.includes('npm run demo'));
  });
});
