import assert from 'node:assert/strict';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { hashSync, parseOptions } from '@node-rs/argon2';
import {
  argon2idOptions,
  dummyPasswordHash,
  hashPassword,
  verifyPassword,
} from '../../src/accounts/password-hasher.ts';

/** Largest lateness of a `intervalMs` timer while `work` runs: what every other request would wait. */
async function timerLag(
  work: () => Promise<unknown>,
  intervalMs = 10,
): Promise<{ maxLagMs: number; ticks: number }> {
  let last = performance.now();
  let maxLagMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - intervalMs);
    last = now;
    ticks += 1;
  }, intervalMs);
  try {
    await work();
    // One more period, so a block at the very end of the work is seen by a late tick.
    await delay(intervalMs * 2);
  } finally {
    clearInterval(timer);
  }
  return { maxLagMs, ticks };
}

describe('password hashing', () => {
  it('produces argon2id PHC strings with the OWASP parameters and a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    assert.match(first, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.notEqual(first, second);
    const parsed = parseOptions(first);
    assert.equal(parsed.memoryCost, 19456);
    assert.equal(parsed.timeCost, 2);
    assert.equal(parsed.parallelism, 1);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hashed = await hashPassword('correct horse battery');
    assert.equal(await verifyPassword(hashed, 'correct horse battery'), true);
    assert.equal(await verifyPassword(hashed, 'correct horse batterY'), false);
    assert.equal(await verifyPassword(hashed, ''), false);
  });

  it('treats composed and decomposed Unicode spellings as one password', async () => {
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    assert.notEqual(composed, decomposed);
    assert.equal(await verifyPassword(await hashPassword(composed), decomposed), true);
  });

  it('rejects a stored value that is not an argon2 hash', async () => {
    await assert.rejects(verifyPassword('not-a-hash', 'whatever1'));
  });

  it('keeps the dummy hash at the same cost as real hashes, so a missing account costs the same', async () => {
    const dummy = parseOptions(dummyPasswordHash);
    const real = parseOptions(await hashPassword('some password'));
    assert.deepEqual(dummy, real);
    assert.equal(dummy.memoryCost, argon2idOptions.memoryCost);
    assert.equal(dummy.timeCost, argon2idOptions.timeCost);
  });

  it('keeps the event loop responsive while 8 hashes run (they run on the libuv thread pool)', async (t) => {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const started = performance.now();
    const { maxLagMs, ticks } = await timerLag(() =>
      Promise.all(Array.from({ length: 8 }, (_, index) => hashPassword(`password number ${index}`))),
    );
    const elapsedMs = performance.now() - started;
    histogram.disable();
    const p99Ms = histogram.percentile(99) / 1e6;
    t.diagnostic(
      `8 hashes in ${elapsedMs.toFixed(0)} ms; 10 ms timer max lag ${maxLagMs.toFixed(1)} ms over ${ticks} ticks; loop delay p99 ${p99Ms.toFixed(1)} ms`,
    );
    assert.ok(maxLagMs < 50, `timer was ${maxLagMs.toFixed(1)} ms late`);
    assert.ok(p99Ms < 50, `event-loop delay p99 ${p99Ms.toFixed(1)} ms`);
    // The timer really ran during the hashing, not only after it.
    assert.ok(ticks >= Math.floor(elapsedMs / 10 / 2), `only ${ticks} ticks in ${elapsedMs.toFixed(0)} ms`);
  });

  it('(control) the same probe does see a block when the hashes run on the event loop', async () => {
    let blockedMs = 0;
    const { maxLagMs } = await timerLag(async () => {
      await delay(15);
      const started = performance.now();
      for (let index = 0; index < 8; index += 1) hashSync(`password number ${index}`, argon2idOptions);
      blockedMs = performance.now() - started;
    });
    assert.ok(
      maxLagMs >= blockedMs / 2,
      `${blockedMs.toFixed(0)} ms of synchronous hashing delayed the timer by only ${maxLagMs.toFixed(1)} ms`,
    );
  });
});
