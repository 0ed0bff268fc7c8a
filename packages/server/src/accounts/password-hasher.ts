import { availableParallelism } from 'node:os';
import { hash, type Options, verify } from '@node-rs/argon2';
import { createConcurrencyLimit } from '../runtime/concurrency-limit.ts';

/**
 * OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. About 12 ms per hash on one core, and 19 MiB
 * per hash in flight, so the libuv thread pool (4 threads by default) bounds memory too.
 */
export const argon2idOptions = {
  // Algorithm.Argon2id: the package declares a const enum, which type stripping cannot read at run time.
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

/**
 * Hash of a random password nobody knows, with the same parameters as real ones. Sign-in verifies
 * against it when there is no hash to check, so a missing account costs as much as a wrong password.
 * A test keeps its parameters equal to argon2idOptions.
 */
export const dummyPasswordHash =
  '$argon2id$v=19$m=19456,t=2,p=1$yC0mZvaSydS234bIG/RV/Q$kxAP+Qv269WepNE3FnyC2Zm8Asquwyzex+XUxPPW1j0';

/**
 * The same password typed on different systems can arrive composed or decomposed (é as one code point
 * or two); NFKC makes them one password, as NIST SP 800-63B suggests. Changing this breaks every hash.
 */
function canonicalPassword(plain: string): string {
  return plain.normalize('NFKC');
}

/**
 * Hashes in flight at once: one core fewer than the machine has, so the event loop always keeps a
 * core and its delay stays low under a sign-in burst. Others queue; extra threads would only share
 * the same cores.
 */
const hashing = createConcurrencyLimit(Math.max(1, availableParallelism() - 1));

/** Runs on the libuv thread pool, not the event loop (a test measures it). */
export function hashPassword(plain: string): Promise<string> {
  return hashing.run(() => hash(canonicalPassword(plain), argon2idOptions));
}

/** Resolves false for a wrong password; rejects when `hashed` is not an argon2 PHC string. */
export function verifyPassword(hashed: string, plain: string): Promise<boolean> {
  return hashing.run(() => verify(hashed, canonicalPassword(plain)));
}

/** What account creation and sign-in hash with; a parameter so tests can count calls. */
export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  verify(hashed: string, plain: string): Promise<boolean>;
}

export const argon2idHasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword };
