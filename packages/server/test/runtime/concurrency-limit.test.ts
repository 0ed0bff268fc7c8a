import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConcurrencyLimit } from '../../src/runtime/concurrency-limit.ts';

/** A promise settled from outside, so a test decides when each task ends. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise continuation run. */
const settle = () => sleep(5);

describe('concurrency limit', () => {
  it('never runs more than limit tasks at once, yet uses every slot, and gives each caller its result', async () => {
    const limit = createConcurrencyLimit(3);
    let running = 0;
    let highest = 0;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        limit.run(async () => {
          running += 1;
          highest = Math.max(highest, running);
          await sleep(1 + (index % 4) * 3);
          running -= 1;
          return index * 10;
        }),
      ),
    );
    assert.equal(highest, 3);
    assert.deepEqual(
      results,
      Array.from({ length: 30 }, (_, index) => index * 10),
    );
  });

  it('starts waiting tasks first come first served, ahead of tasks submitted later', async () => {
    const limit = createConcurrencyLimit(2);
    const started: number[] = [];
    const all: Array<Promise<void>> = [];
    let submitted = 0;
    function submit(): void {
      const number = submitted;
      submitted += 1;
      all.push(
        limit.run(async () => {
          started.push(number);
          await sleep((number * 7) % 5);
          // A newcomer submitted while this task still holds its slot: it must queue behind the others.
          if (number < 10) submit();
        }),
      );
    }
    for (let index = 0; index < 6; index += 1) submit();
    while (all.length < submitted || started.length < submitted) {
      await Promise.all(all);
      await settle();
    }
    assert.equal(started.length, 16);
    assert.deepEqual(
      started,
      Array.from({ length: 16 }, (_, index) => index),
    );
  });

  it('hands a freed slot to the oldest waiter, not to a caller arriving at that moment', async () => {
    const limit = createConcurrencyLimit(1);
    const holder = deferred<string>();
    const order: string[] = [];
    const first = limit.run(() => holder.promise);
    const waiter = limit.run(async () => {
      order.push('waiter');
    });
    // Registered after run() awaited the holder, so this runs right after the slot is released and
    // before the waiter's task starts: the window in which a newcomer could slip in.
    let orderWhenArriving: string[] | undefined;
    const newcomer = holder.promise.then(() => {
      orderWhenArriving = [...order];
      return limit.run(async () => {
        order.push('newcomer');
      });
    });
    holder.resolve('done');
    assert.equal(await first, 'done');
    await Promise.all([waiter, newcomer]);
    assert.deepEqual(orderWhenArriving, [], 'the newcomer arrived before the waiter started');
    assert.deepEqual(order, ['waiter', 'newcomer']);
  });

  it('frees the slot of a task that rejects or throws, and passes the error to its own caller only', async () => {
    const limit = createConcurrencyLimit(1);
    const failing = limit.run(async () => {
      await sleep(5);
      throw new Error('async failure');
    });
    // Not an async function: it throws before returning a promise.
    const throwing = limit.run((): Promise<never> => {
      throw new Error('sync failure');
    });
    const next = limit.run(async () => 'ran');
    await assert.rejects(failing, /async failure/);
    await assert.rejects(throwing, /sync failure/);
    assert.equal(await next, 'ran');
    // Still one slot, not zero and not two.
    const gate = deferred<void>();
    let concurrent = 0;
    let highest = 0;
    const tracked = () =>
      limit.run(async () => {
        concurrent += 1;
        highest = Math.max(highest, concurrent);
        await gate.promise;
        concurrent -= 1;
      });
    const pair = Promise.all([tracked(), tracked()]);
    await settle();
    assert.equal(concurrent, 1);
    gate.resolve();
    await pair;
    assert.equal(highest, 1);
  });

  it('keeps every slot usable after many failures', async () => {
    const limit = createConcurrencyLimit(2);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        limit.run(async () => {
          throw new Error('nope');
        }),
      ),
    );
    assert.ok(outcomes.every((outcome) => outcome.status === 'rejected'));
    const gate = deferred<void>();
    let concurrent = 0;
    const held = Array.from({ length: 3 }, () =>
      limit.run(async () => {
        concurrent += 1;
        await gate.promise;
      }),
    );
    await settle();
    assert.equal(concurrent, 2);
    gate.resolve();
    await Promise.all(held);
    assert.equal(concurrent, 3);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => createConcurrencyLimit(bad), RangeError, `limit ${bad}`);
    }
    assert.doesNotThrow(() => createConcurrencyLimit(1));
  });
});
