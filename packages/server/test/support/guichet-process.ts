import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

export const guichetBin = fileURLToPath(new URL('../../bin/guichet.js', import.meta.url));

export interface GuichetProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs the real CLI (`guichet ...`) in a child process with the given environment. */
export function runGuichet(
  args: string[],
  env: Record<string, string>,
): {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
} {
  const child = spawn(process.execPath, [guichetBin, ...args], {
    env: { PATH: process.env.PATH ?? '', GUICHET_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, output: () => output, exited };
}

/** Levels at which the server logs that it started, on its own process's output. */
const startLineLevels = new Set(['info', 'debug', 'trace']);

async function startOnce(
  env: Record<string, string>,
  port: string,
  timeoutMs: number,
): Promise<{ run: ReturnType<typeof runGuichet>; url: string } | 'port taken'> {
  const url = `http://127.0.0.1:${port}`;
  const run = runGuichet(['start'], { PORT: port, GUICHET_ISSUER: url, ...env });
  // Another test's server may grab a port between freePort() and our listen, and would then answer
  // /healthz for us: when the level allows, only our own "guichet started" line counts.
  const ownLine = startLineLevels.has(env.GUICHET_LOG_LEVEL ?? 'info');
  const deadline = Date.now() + timeoutMs;
  let ended: number | string | undefined;
  run.exited.then((code) => {
    ended = code;
  });
  while (Date.now() < deadline) {
    if (ended !== undefined) {
      if (run.output().includes('EADDRINUSE')) return 'port taken';
      throw new Error(`guichet exited with ${ended} before answering:\n${run.output()}`);
    }
    if (ownLine) {
      if (run.output().includes('"msg":"guichet started"')) return { run, url };
    } else {
      try {
        const response = await fetch(`${url}/healthz`);
        if (response.ok) return { run, url };
      } catch {
        // not listening yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  run.child.kill('SIGKILL');
  throw new Error(`guichet did not answer within ${timeoutMs} ms:\n${run.output()}`);
}

/** Starts `guichet start` on a free port and waits until it has said it started (or /healthz answers). */
export async function startGuichet(env: Record<string, string>, timeoutMs = 20_000): Promise<GuichetProcess> {
  let started: { run: ReturnType<typeof runGuichet>; url: string } | 'port taken' = 'port taken';
  for (let attempt = 1; started === 'port taken'; attempt += 1) {
    if (attempt > 3) throw new Error('guichet found its port taken three times');
    started = await startOnce(env, env.PORT ?? String(await freePort()), timeoutMs);
    if (started === 'port taken' && env.PORT !== undefined) throw new Error(`port ${env.PORT} is taken`);
  }
  const { run, url } = started;
  return {
    url,
    child: run.child,
    output: run.output,
    exited: run.exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
      return run.exited;
    },
  };
}
