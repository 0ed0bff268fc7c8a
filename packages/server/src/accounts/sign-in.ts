import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { type Account, findPasswordCredential, type PasswordCredential } from './account-store.ts';
import { type AccountsLogger, processWarningLogger } from './accounts-logger.ts';
import { recordAuditEvent } from './audit-log.ts';
import { normalizeEmail } from './email-address.ts';
import { argon2idHasher, dummyPasswordHash, type PasswordHasher } from './password-hasher.ts';
import { isTooLongToBeAPassword } from './password-policy.ts';
import {
  countFailure,
  failureCounters,
  forgetFailures,
  type SignInLimits,
  signInLimits,
  throttleState,
} from './sign-in-throttle.ts';

export interface SignInAttempt {
  email: string;
  password: string;
  /** The client's address as the server sees it (behind a proxy, per trustProxy). */
  ip: string;
  /** The OIDC client the person is signing in to, for the audit trail. */
  clientId?: string | undefined;
}

export interface SignInDependencies {
  sql: SqlPort;
  cache: CachePort;
  hasher?: PasswordHasher;
  logger?: AccountsLogger;
  /** Defaults: 20 failures per IP and 5 per address, each per 15 minutes. */
  limits?: Partial<SignInLimits> | undefined;
}

/**
 * One answer for every wrong reason (unknown address, disabled account, no password, wrong password),
 * so the answer never tells whether an account exists.
 */
export type SignInResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Why a sign-in failed, for the audit trail only: never shown to the person signing in. */
type FailureReason =
  | 'unknown_email'
  | 'no_password'
  | 'account_disabled'
  | 'wrong_password'
  | 'password_too_long';

/**
 * Returns why the attempt fails, or undefined when it succeeds. Does the same work whatever is wrong:
 * a missing account or hash is verified against a dummy hash of the same cost, and a disabled
 * account's password is still verified, so timing reveals nothing either.
 */
async function failureReason(
  credential: PasswordCredential | undefined,
  password: string,
  hasher: PasswordHasher,
  logger: AccountsLogger,
): Promise<FailureReason | undefined> {
  // No account can have such a password, so refusing it without hashing reveals nothing.
  if (isTooLongToBeAPassword(password)) return 'password_too_long';
  const hash = credential?.passwordHash ?? dummyPasswordHash;
  const matches = await hasher.verify(hash, password).catch((error: unknown) => {
    logger.warn({ err: error, accountId: credential?.account.id }, 'stored password hash is unreadable');
    return false;
  });
  if (credential === undefined) return 'unknown_email';
  if (credential.passwordHash === null) return 'no_password';
  if (!matches) return 'wrong_password';
  if (credential.account.disabledAt !== null) return 'account_disabled';
  return undefined;
}

/**
 * Checks an email and password. Failures are counted per IP and per address; once either count reaches
 * its limit, attempts are refused before any hashing until that window ends. A success is not a failure.
 * It clears the address's count (only that account's password can) but never the IP's, or signing in
 * to one's own account between guesses would buy unlimited guesses at other accounts.
 */
export async function authenticate(attempt: SignInAttempt, deps: SignInDependencies): Promise<SignInResult> {
  const hasher = deps.hasher ?? argon2idHasher;
  const logger = deps.logger ?? processWarningLogger;
  const limits = signInLimits(deps.limits);
  const email = normalizeEmail(attempt.email);
  const counters = failureCounters(attempt.ip, email, limits);
  const audit = { ip: attempt.ip, clientId: attempt.clientId };

  const throttle = await throttleState(deps.cache, counters, logger);
  // Nothing is written for a refused attempt, so a flood of them costs neither hashing nor SQL.
  if (throttle.throttled)
    return { ok: false, reason: 'throttled', retryAfterSeconds: throttle.retryAfterSeconds };

  const credential = await findPasswordCredential(deps.sql, email);
  const reason = await failureReason(credential, attempt.password, hasher, logger);
  const accountId = credential?.account.id;
  if (reason === undefined && credential !== undefined) {
    const emailCounter = counters.find((counter) => counter.scope === 'email');
    if (emailCounter !== undefined) await forgetFailures(deps.cache, emailCounter, logger);
    await recordAuditEvent(deps.sql, { type: 'sign_in.success', accountId, ...audit }, logger);
    return { ok: true, account: credential.account };
  }

  const locked = await countFailure(deps.cache, counters, logger);
  await recordAuditEvent(
    deps.sql,
    { type: 'sign_in.failure', accountId, ...audit, details: { reason } },
    logger,
  );
  // One lockout event per counter and window: the failure that reaches the limit writes it.
  for (const scope of locked) {
    const limit = scope === 'ip' ? limits.perIp : limits.perEmail;
    await recordAuditEvent(
      deps.sql,
      {
        type: 'sign_in.throttled',
        accountId,
        ...audit,
        details: { scope, failures: limit.failures, windowSeconds: Math.ceil(limit.windowMs / 1000) },
      },
      logger,
    );
  }
  return { ok: false, reason: 'invalid_credentials' };
}
