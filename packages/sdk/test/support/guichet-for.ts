import assert from 'node:assert/strict';
import { createGuichet } from '../../src/create-guichet.ts';
import { GuichetAuthError } from '../../src/errors.ts';
import type { Guichet } from '../../src/guichet.ts';
import type { GuichetOptions } from '../../src/options.ts';
import type { FakeIssuer } from './fake-issuer.ts';

/** A Guichet client of the fake issuer; events off unless the test asks for them. */
export function guichetFor(fake: FakeIssuer, overrides: Partial<GuichetOptions> = {}): Guichet {
  return createGuichet({
    issuer: fake.issuer,
    audience: fake.audience,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    decryptionKey: fake.decryptionJwk,
    events: 'none',
    ...overrides,
  });
}

/** The GuichetAuthError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function authErrorOf(promise: Promise<unknown>): Promise<GuichetAuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GuichetAuthError, `expected a GuichetAuthError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected authenticate to reject');
}

export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** Resolves with the first value `probe` returns other than undefined, polling every few ms. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Retries `check` until it passes or `timeoutMs` passes; then its last failure is thrown. */
export async function eventuallyPasses(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
