import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Config } from '../../src/config/config.ts';

export interface S3rverOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Reuse a data directory, e.g. one a stopped instance left behind. */
  directory?: string;
  bucket?: string;
}

export interface RunningS3rver {
  endpoint: string;
  port: number;
  directory: string;
  bucket: string;
  /** Ready for createS3Objects: path style, the s3rver credentials, this endpoint and bucket. */
  config: S3Config;
  /** Kills the process (SIGKILL), as a crash would; the data directory stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops it and deletes the data directory it created. */
  dispose(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./s3rver-process.ts', import.meta.url));
const startTimeoutMs = 15_000;

function spawnS3rver(
  port: number,
  directory: string,
  bucket: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(childScript, [String(port), directory, bucket], {
    // Without the legacy provider s3rver answers 500 to ListObjectsV2 continuation tokens on OpenSSL 3.
    execArgv: ['--openssl-legacy-provider', '--no-warnings'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start within ${startTimeoutMs} ms\n${stderr}`));
    }, startTimeoutMs);
    child.once('message', (message: { port?: number }) => {
      clearTimeout(timer);
      if (typeof message.port === 'number') resolve({ child, port: message.port });
      else reject(new Error(`unexpected message from s3rver: ${JSON.stringify(message)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited before it was ready (${signal ?? code})\n${stderr}`));
    });
  });
}

async function waitUntilAnswering(endpoint: string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    try {
      // Any HTTP answer will do (an anonymous request gets an S3 error document).
      const response = await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Starts s3rver in a child process on a loopback port, with a bucket, and waits until it answers. */
export async function startS3rver(options: S3rverOptions = {}): Promise<RunningS3rver> {
  const bucket = options.bucket ?? 'guichet-test';
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(os.tmpdir(), 'guichet-s3rver-')));
  let started: { child: ChildProcess; port: number };
  try {
    started = await spawnS3rver(options.port ?? 0, directory, bucket);
  } catch (error) {
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    throw error;
  }
  let child: ChildProcess | undefined = started.child;
  const port = started.port;
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint);

  const stop = async () => {
    await kill(child);
    child = undefined;
  };
  return {
    endpoint,
    port,
    directory,
    bucket,
    config: {
      bucket,
      endpoint,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    stop,
    async restart() {
      await stop();
      child = (await spawnS3rver(port, directory, bucket)).child;
      await waitUntilAnswering(endpoint);
    },
    async dispose() {
      await stop();
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
