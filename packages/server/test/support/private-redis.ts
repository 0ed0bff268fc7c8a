import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';

/** A redis-server of the test's own, so it can crash and come back without disturbing other suites. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: a crash, not a clean shutdown. */
  stop(): Promise<void>;
  /** Starts again on the same port. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** False when redis-server can run here; the skip reason otherwise (a failure in CI). */
export function privateRedisGate(): false | string {
  const binary = spawnSync('redis-server', ['--version']);
  if (!binary.error) return false;
  const reason = 'redis-server is not installed';
  if (process.env.CI) throw new Error(`CI requires the redis-server binary: ${reason}`);
  process.stderr.write(`\n*** SKIPPING private Redis test: ${reason} ***\n\n`);
  return reason;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function spawnRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 5_000;
  while (!(await reachable(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-redis-'));
  const port = await freePort();
  let child = await spawnRedis(port, dir);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      child = await spawnRedis(port, dir);
    },
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
