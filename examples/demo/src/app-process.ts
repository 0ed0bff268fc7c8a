import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** One process of the demo (Guichet, the shop, the back office), its output kept for diagnostics. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
  stop(): Promise<number | string>;
}

/** Runs a Node script with this process's Node (the repository's pinned Node 24). */
export function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: { echo?: boolean } = {},
): AppProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a Ctrl-C at the terminal reaches the demo, which then stops each child in order.
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-200_000);
    if (options.echo)
      for (const line of text.split('\n')) if (line !== '') process.stderr.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return {
    name,
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        timer.unref();
      }
      return exited;
    },
  };
}

/** Waits until a URL answers 2xx/3xx, or the process dies, or the time runs out. */
export async function waitForHttp(app: AppProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended: number | string | undefined;
  void app.exited.then((code) => {
    ended = code;
  });
  while (Date.now() < deadline) {
    if (ended !== undefined) throw new Error(`${app.name} exited with ${ended}:\n${app.output()}`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      if (response.status < 400) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${app.name} did not answer ${url} within ${timeoutMs} ms:\n${app.output()}`);
}
