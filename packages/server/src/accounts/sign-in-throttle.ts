import { createHash } from 'node:crypto';
import type { CachePort } from '../ports/cache/cache-port.ts';
import type { AccountsLogger } from './accounts-logger.ts';

/** At most `failures` failed sign-ins per `windowMs`; further attempts are refused until the window ends. */
export interface FailureLimit {
  failures: number;
  windowMs: number;
}

export interface SignInLimits {
  /** Slows one client guessing many accounts. */
  perIp: FailureLimit;
  /** Slows many clients guessing one account; applies to unknown addresses alike, so it reveals nothing. */
  perEmail: FailureLimit;
}

export const defaultSignInLimits: SignInLimits = {
  perIp: { failures: 20, windowMs: 15 * 60_000 },
  perEmail: { failures: 5, windowMs: 15 * 60_000 },
};

function checkedLimit(name: string, limit: FailureLimit): FailureLimit {
  if (!Number.isInteger(limit.failures) || limit.failures < 1)
    throw new RangeError(`${name}.failures must be a positive integer`);
  if (!Number.isFinite(limit.windowMs) || limit.windowMs <= 0)
    throw new RangeError(`${name}.windowMs must be a positive number of milliseconds`);
  return limit;
}

/**
 * The defaults with the given overrides, checked: a bad limit must fail loudly, not make every
 * increment reject and so (failing open) switch throttling off.
 */
export function signInLimits(overrides: Partial<SignInLimits> = {}): SignInLimits {
  return {
    perIp: checkedLimit('perIp', overrides.perIp ?? defaultSignInLimits.perIp),
    perEmail: checkedLimit('perEmail', overrides.perEmail ?? defaultSignInLimits.perEmail),
  };
}

export type ThrottleScope = 'ip' | 'email';

/** One failure counter of the fixed-window kind CachePort.increment() keeps. */
export interface FailureCounter {
  scope: ThrottleScope;
  key: string;
  limit: FailureLimit;
}

export type ThrottleState =
  | { throttled: false }
  | { throttled: true; scopes: ThrottleScope[]; retryAfterSeconds: number };

/** The address is hashed so that cache keys (and Redis dumps) hold no email. */
export function failureCounters(ip: string, normalizedEmail: string, limits: SignInLimits): FailureCounter[] {
  const emailDigest = createHash('sha256').update(normalizedEmail).digest('base64url').slice(0, 32);
  return [
    { scope: 'ip', key: `sign-in:failures:ip:${ip}`, limit: limits.perIp },
    { scope: 'email', key: `sign-in:failures:email:${emailDigest}`, limit: limits.perEmail },
  ];
}

/** When the window a counter opened ends, so a throttled answer can say how long to wait. */
function windowEndKey(counter: FailureCounter): string {
  return `${counter.key}:until`;
}

/*
 * Throttling fails open: when the cache rejects, the attempt goes ahead as if no failure were counted,
 * and the trouble is logged. Redis only accelerates Guichet; turning a cache outage into "nobody can
 * sign in" would hurt every user to slow an attacker who is still held to argon2id's cost (a few
 * dozen guesses per second per core) during the outage.
 */

async function failuresSoFar(
  cache: CachePort,
  counter: FailureCounter,
  logger: AccountsLogger,
): Promise<number> {
  try {
    const value = await cache.get(counter.key);
    return value === undefined ? 0 : Number.parseInt(value, 10) || 0;
  } catch (error) {
    logger.warn({ err: error, scope: counter.scope }, 'sign-in throttle unavailable; failing open');
    return 0;
  }
}

async function secondsLeft(cache: CachePort, counter: FailureCounter): Promise<number> {
  const fallback = Math.ceil(counter.limit.windowMs / 1000);
  try {
    const until = Number(await cache.get(windowEndKey(counter)));
    if (!Number.isFinite(until) || until <= 0) return fallback;
    return Math.min(fallback, Math.max(1, Math.ceil((until - Date.now()) / 1000)));
  } catch {
    return fallback;
  }
}

/** Reads the counters without counting: an attempt refused here costs no hashing at all. */
export async function throttleState(
  cache: CachePort,
  counters: FailureCounter[],
  logger: AccountsLogger,
): Promise<ThrottleState> {
  const counts = await Promise.all(counters.map((counter) => failuresSoFar(cache, counter, logger)));
  const blocking = counters.filter((counter, index) => (counts[index] ?? 0) >= counter.limit.failures);
  if (blocking.length === 0) return { throttled: false };
  const waits = await Promise.all(blocking.map((counter) => secondsLeft(cache, counter)));
  return {
    throttled: true,
    scopes: blocking.map((counter) => counter.scope),
    retryAfterSeconds: Math.max(...waits),
  };
}

/**
 * Counts one failure on every counter and returns the scopes this failure just locked (the count
 * reached the limit). Attempts running concurrently with the one that reaches the limit were already
 * past the check, so a burst can exceed the limit by the number of attempts in flight.
 */
export async function countFailure(
  cache: CachePort,
  counters: FailureCounter[],
  logger: AccountsLogger,
): Promise<ThrottleScope[]> {
  const locked = await Promise.all(
    counters.map(async (counter) => {
      try {
        const count = await cache.increment(counter.key, counter.limit.windowMs);
        if (count === 1) {
          const until = Date.now() + counter.limit.windowMs;
          await cache.set(windowEndKey(counter), String(until), counter.limit.windowMs);
        }
        return count === counter.limit.failures ? counter.scope : undefined;
      } catch (error) {
        logger.warn({ err: error, scope: counter.scope }, 'sign-in failure not counted; cache unavailable');
        return undefined;
      }
    }),
  );
  return locked.filter((scope) => scope !== undefined);
}

/** Clears one counter, e.g. an address's after its right password; trouble is logged, not thrown. */
export async function forgetFailures(
  cache: CachePort,
  counter: FailureCounter,
  logger: AccountsLogger,
): Promise<void> {
  try {
    await Promise.all([cache.delete(counter.key), cache.delete(windowEndKey(counter))]);
  } catch (error) {
    logger.warn({ err: error, scope: counter.scope }, 'sign-in failures not cleared; cache unavailable');
  }
}
