import assert from 'node:assert/strict';

/** The rejection of a promise that did not settle in time, told apart from the promise's own. */
class DeadlineExceeded extends Error {}

/** The promise's own outcome if it settles in time; a DeadlineExceeded rejection otherwise. */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts a prompt rejection: a hang past the deadline fails with its own message. */
export async function rejectsWithin(ms: number, promise: Promise<unknown>): Promise<Error> {
  let caught: unknown;
  await assert.rejects(within(ms, promise), (error) => {
    caught = error;
    return !(error instanceof DeadlineExceeded);
  });
  assert.ok(caught instanceof Error);
  return caught;
}
