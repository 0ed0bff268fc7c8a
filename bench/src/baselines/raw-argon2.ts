// Baseline for `login`: raw argon2id verifies with Guichet's parameters, CONCURRENCY at a time for
// DURATION_MS, after a short warm-up. Prints {verifies, seconds, eventLoopWindowsMs, cpuMs} as JSON on
// stdout. Like Guichet, it runs them on libuv's thread pool at its default size (the bench passes no
// UV_THREADPOOL_SIZE). Its own event-loop delay is read the way Guichet's /metrics reads it
// (monitorEventLoopDelay at 10 ms resolution, p99 per 500 ms window): a process that does nothing
// but wait for argon2id shows what the hashing threads alone cost the event loop on this machine.
import { hash, verify } from '@node-rs/argon2';
import { argon2idOptions } from '../../../packages/server/src/accounts/password-hasher.ts';
import { watchEventLoopWindows } from '../harness/event-loop-windows.ts';

const concurrency = Number(process.env.CONCURRENCY);
const durationMs = Number(process.env.DURATION_MS);
const warmUpMs = 500;

const password = 'bench password that is long enough';
const stored = await hash(password, argon2idOptions);

async function verifyUntil(deadline: number): Promise<number> {
  let verifies = 0;
  while (performance.now() < deadline) {
    if (!(await verify(stored, password))) throw new Error('argon2id verify refused the right password');
    verifies += 1;
  }
  return verifies;
}

interface RawRun {
  verifies: number;
  seconds: number;
  eventLoopWindowsMs: number[];
  /** CPU of the whole process (the hashing threads included), in milliseconds. */
  cpuMs: number;
}

async function run(ms: number): Promise<RawRun> {
  const eventLoop = watchEventLoopWindows();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const counts = await Promise.all(Array.from({ length: concurrency }, () => verifyUntil(start + ms)));
  // The clock stops when the last verify in flight at the deadline has finished, as for the logins.
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const eventLoopWindowsMs = eventLoop.stop();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { verifies: counts.reduce((sum, n) => sum + n, 0), seconds, eventLoopWindowsMs, cpuMs };
}

await run(warmUpMs);
process.stdout.write(`${JSON.stringify(await run(durationMs))}\n`);
