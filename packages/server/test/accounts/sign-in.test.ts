import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createAccount, disableAccount } from '../../src/accounts/account-store.ts';
import { type AuditEvent, listAuditEvents } from '../../src/accounts/audit-log.ts';
import { authenticate, type SignInDependencies } from '../../src/accounts/sign-in.ts';
import type { CachePort } from '../../src/ports/cache/cache-port.ts';
import { createMemoryCache } from '../../src/ports/cache/memory-driver.ts';
import { createRedisCache } from '../../src/ports/cache/redis-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';
import {
  collectingLogger,
  countingHasher,
  type OpenedSql,
  sqlDrivers,
  uniqueEmail,
} from './accounts-fixtures.ts';

const password = 'correct horse battery';
const invalid = { ok: false, reason: 'invalid_credentials' } as const;
/** Limits no test reaches unless it means to. */
const roomy = { perIp: { failures: 1000, windowMs: 60_000 }, perEmail: { failures: 1000, windowMs: 60_000 } };

let ipSequence = 0;
/** Each test signs in from its own address so IP counters never leak between tests. */
function freshIp(): string {
  ipSequence += 1;
  return `198.51.100.${ipSequence}`;
}

async function eventsOf(sql: SqlPort, accountId: string): Promise<AuditEvent[]> {
  return listAuditEvents(sql, { accountId, limit: 100 });
}

async function elapsedMs(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Medians, so one garbage collection or scheduling hiccup does not decide the comparison. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function signInSuite(
  name: string,
  skip: false | string,
  openSql: () => Promise<OpenedSql>,
  openCache: () => Promise<CachePort>,
) {
  describe(`sign-in on ${name}`, { skip }, () => {
    let opened: OpenedSql;
    let sql: SqlPort;
    let cache: CachePort;

    before(async () => {
      opened = await openSql();
      sql = opened.sql;
      cache = await openCache();
    });
    after(async () => {
      await cache?.close();
      await opened?.dispose();
    });

    const deps = (extra: Partial<SignInDependencies> = {}): SignInDependencies => ({
      sql,
      cache,
      limits: roomy,
      ...extra,
    });

    async function person(label = 'person') {
      const email = uniqueEmail(label);
      const account = await createAccount(sql, { email, name: label, password });
      return { email, account };
    }

    it('signs in with the right password, whatever the case and spacing of the email', async () => {
      const { email, account } = await person();
      const result = await authenticate(
        { email: ` ${email.toUpperCase()} `, password, ip: freshIp() },
        deps(),
      );
      assert.deepEqual(result, { ok: true, account });
    });

    it('gives one identical answer for a wrong password, an unknown email, a disabled account and no password', async () => {
      const { email } = await person();
      const disabled = await person('disabled');
      await disableAccount(sql, disabled.account.id);
      const passwordless = uniqueEmail('passwordless');
      await createAccount(sql, { email: passwordless, name: 'No Password' });
      const ip = freshIp();

      const answers = [
        await authenticate({ email, password: 'wrong horse battery', ip }, deps()),
        await authenticate({ email: uniqueEmail('unknown'), password, ip }, deps()),
        await authenticate({ email: disabled.email, password, ip }, deps()),
        await authenticate({ email: passwordless, password, ip }, deps()),
        await authenticate({ email, password: '', ip }, deps()),
        await authenticate({ email, password: 'x'.repeat(100_000), ip }, deps()),
      ];
      for (const answer of answers) assert.deepEqual(answer, invalid);
    });

    it('does the same hashing work for an unknown email, a disabled account and a wrong password', async () => {
      const { email } = await person();
      const disabled = await person('disabled');
      await disableAccount(sql, disabled.account.id);
      const hasher = countingHasher();
      const ip = freshIp();
      await authenticate({ email, password: 'wrong horse battery', ip }, deps({ hasher }));
      assert.equal(hasher.verifications, 1);
      await authenticate({ email: uniqueEmail('unknown'), password, ip }, deps({ hasher }));
      assert.equal(hasher.verifications, 2);
      await authenticate({ email: disabled.email, password, ip }, deps({ hasher }));
      assert.equal(hasher.verifications, 3);
    });

    it('takes about as long for an unknown email as for a wrong password', async (t) => {
      const { email } = await person();
      const ip = freshIp();
      // Warm both paths (first hashes, first queries) before measuring.
      await authenticate({ email, password: 'wrong horse battery', ip }, deps());
      await authenticate({ email: uniqueEmail('unknown'), password, ip }, deps());
      const wrongMs: number[] = [];
      const unknownMs: number[] = [];
      const wrong = (round: number) => () =>
        authenticate({ email, password: `wrong password ${round}`, ip }, deps());
      const unknown = () => () => authenticate({ email: uniqueEmail('unknown'), password, ip }, deps());
      // Interleaved, taking turns at going first, so a slow moment of the machine weighs on both alike.
      for (let round = 0; round < 9; round += 1) {
        if (round % 2 === 0) {
          wrongMs.push(await elapsedMs(wrong(round)));
          unknownMs.push(await elapsedMs(unknown()));
        } else {
          unknownMs.push(await elapsedMs(unknown()));
          wrongMs.push(await elapsedMs(wrong(round)));
        }
      }
      const ratio = median(unknownMs) / median(wrongMs);
      t.diagnostic(
        `median of 9: wrong password ${median(wrongMs).toFixed(1)} ms, unknown email ${median(unknownMs).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
      );
      assert.ok(ratio > 0.5 && ratio < 2, `unknown/wrong time ratio ${ratio.toFixed(2)}`);
    });

    it('throttles an address after its failures, without hashing, until the window ends', async () => {
      const { email, account } = await person();
      const hasher = countingHasher();
      const limits = {
        perIp: { failures: 1000, windowMs: 60_000 },
        perEmail: { failures: 3, windowMs: 300 },
      };
      const ip = freshIp();
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        assert.deepEqual(
          await authenticate({ email, password: `wrong ${attempt} password`, ip }, deps({ hasher, limits })),
          invalid,
          `attempt ${attempt}`,
        );
      }
      assert.equal(hasher.verifications, 3);

      // Even the right password is refused now, from any IP, and nothing is hashed.
      const throttled = await authenticate({ email, password, ip: freshIp() }, deps({ hasher, limits }));
      assert.equal(throttled.ok, false);
      assert.equal(throttled.ok === false && throttled.reason, 'throttled');
      assert.ok(
        throttled.ok === false && throttled.reason === 'throttled' && throttled.retryAfterSeconds > 0,
      );
      assert.equal(hasher.verifications, 3);

      await delay(350);
      assert.deepEqual(await authenticate({ email, password, ip }, deps({ hasher, limits })), {
        ok: true,
        account,
      });
      assert.equal(hasher.verifications, 4);
    });

    it('throttles an unknown email exactly like a known one', async () => {
      const limits = {
        perIp: { failures: 1000, windowMs: 60_000 },
        perEmail: { failures: 2, windowMs: 60_000 },
      };
      const unknown = uniqueEmail('unknown');
      const ip = freshIp();
      await authenticate({ email: unknown, password, ip }, deps({ limits }));
      await authenticate({ email: unknown, password, ip }, deps({ limits }));
      const answer = await authenticate({ email: unknown, password, ip }, deps({ limits }));
      assert.deepEqual(answer, { ok: false, reason: 'throttled', retryAfterSeconds: 60 });
    });

    it('throttles an IP that fails against many addresses, and only that IP', async () => {
      const { email, account } = await person();
      const limits = {
        perIp: { failures: 3, windowMs: 60_000 },
        perEmail: { failures: 1000, windowMs: 60_000 },
      };
      const hasher = countingHasher();
      const ip = freshIp();
      for (let attempt = 0; attempt < 3; attempt += 1)
        await authenticate({ email: uniqueEmail('guess'), password, ip }, deps({ limits, hasher }));
      const refused = await authenticate({ email, password, ip }, deps({ limits, hasher }));
      assert.equal(refused.ok === false && refused.reason, 'throttled');
      assert.ok(refused.ok === false && refused.reason === 'throttled' && refused.retryAfterSeconds > 55);
      assert.equal(hasher.verifications, 3);
      assert.deepEqual(await authenticate({ email, password, ip: freshIp() }, deps({ limits })), {
        ok: true,
        account,
      });
    });

    it('does not count a success as a failure, nor let it reset the IP count', async () => {
      const own = await person('own');
      const limits = {
        perIp: { failures: 3, windowMs: 60_000 },
        perEmail: { failures: 1000, windowMs: 60_000 },
      };
      const ip = freshIp();
      const signInOwn = () => authenticate({ email: own.email, password, ip }, deps({ limits }));
      const guess = () => authenticate({ email: uniqueEmail('victim'), password, ip }, deps({ limits }));

      assert.deepEqual(await guess(), invalid);
      assert.equal((await signInOwn()).ok, true);
      assert.equal((await signInOwn()).ok, true);
      assert.deepEqual(await guess(), invalid);
      // Two failures so far: the successes did not count.
      assert.equal((await signInOwn()).ok, true);
      assert.deepEqual(await guess(), invalid);
      // Three failures: the successes in between did not reset the count.
      const refused = await signInOwn();
      assert.equal(refused.ok === false && refused.reason, 'throttled');
    });

    it("clears an address's failures once its right password is given", async () => {
      const { email } = await person();
      const limits = {
        perIp: { failures: 1000, windowMs: 60_000 },
        perEmail: { failures: 3, windowMs: 60_000 },
      };
      const ip = freshIp();
      const attempt = (given: string) => authenticate({ email, password: given, ip }, deps({ limits }));
      assert.deepEqual(await attempt('wrong one password'), invalid);
      assert.deepEqual(await attempt('wrong two password'), invalid);
      assert.equal((await attempt(password)).ok, true);
      assert.deepEqual(await attempt('wrong three password'), invalid);
      assert.deepEqual(await attempt('wrong four password'), invalid);
      assert.equal((await attempt(password)).ok, true);
    });

    it('writes success, failure and lockout audit events, without the password', async () => {
      const { email, account } = await person();
      const limits = {
        perIp: { failures: 1000, windowMs: 60_000 },
        perEmail: { failures: 2, windowMs: 60_000 },
      };
      const ip = freshIp();
      await authenticate({ email, password, ip, clientId: 'shop' }, deps({ limits }));
      await authenticate({ email, password: 'secret-wrong-1', ip, clientId: 'shop' }, deps({ limits }));
      await authenticate({ email, password: 'secret-wrong-2', ip, clientId: 'shop' }, deps({ limits }));
      // Refused attempts write nothing, so a flood of them cannot fill the audit log.
      await authenticate({ email, password: 'secret-wrong-3', ip, clientId: 'shop' }, deps({ limits }));

      const events = (await eventsOf(sql, account.id)).reverse();
      assert.deepEqual(
        events.map((event) => [event.type, event.details]),
        [
          ['account.created', {}],
          ['sign_in.success', {}],
          ['sign_in.failure', { reason: 'wrong_password' }],
          ['sign_in.failure', { reason: 'wrong_password' }],
          ['sign_in.throttled', { scope: 'email', failures: 2, windowSeconds: 60 }],
        ],
      );
      for (const event of events.slice(1)) {
        assert.equal(event.ip, ip);
        assert.equal(event.clientId, 'shop');
      }
      const written = JSON.stringify(events);
      assert.ok(!written.includes('secret-wrong') && !written.includes(password));
    });

    it('audits the reason of a failure that the answer hides', async () => {
      const disabled = await person('disabled');
      await disableAccount(sql, disabled.account.id);
      await authenticate({ email: disabled.email, password, ip: freshIp() }, deps());
      const [latest] = await eventsOf(sql, disabled.account.id);
      assert.equal(latest?.type, 'sign_in.failure');
      assert.deepEqual(latest?.details, { reason: 'account_disabled' });

      const unknown = uniqueEmail('unknown');
      const ip = freshIp();
      await authenticate({ email: unknown, password, ip }, deps());
      const failures = await listAuditEvents(sql, { type: 'sign_in.failure', limit: 100 });
      const mine = failures.find((event) => event.ip === ip);
      assert.deepEqual(
        { accountId: mine?.accountId, details: mine?.details },
        { accountId: null, details: { reason: 'unknown_email' } },
      );
      assert.ok(!JSON.stringify(failures).includes(unknown));
    });
  });
}

for (const driver of sqlDrivers) {
  signInSuite(
    `${driver.name} with the memory cache`,
    driver.skip,
    () => driver.open(),
    async () => createMemoryCache(),
  );
}

const pglite = sqlDrivers[0];
if (pglite) {
  signInSuite(
    'PGlite with Redis',
    await serviceGate('redis'),
    () => pglite.open(),
    () => createRedisCache(testRedisUrl, { keyPrefix: `guichet-test-${randomBytes(4).toString('hex')}:` }),
  );
}

describe('sign-in when the cache is down', () => {
  let opened: OpenedSql;
  let down: CachePort;

  before(async () => {
    const driver = sqlDrivers[0];
    assert.ok(driver);
    opened = await driver.open();
    down = createMemoryCache();
    // A closed cache rejects every call, as an unreachable Redis does.
    await down.close();
  });
  after(() => opened?.dispose());

  it('fails open: signs in, refuses wrong passwords as usual, and logs the trouble', async () => {
    const email = uniqueEmail();
    const account = await createAccount(opened.sql, { email, name: 'Open', password });
    const logger = collectingLogger();
    const limits = { perIp: { failures: 1, windowMs: 60_000 }, perEmail: { failures: 1, windowMs: 60_000 } };
    const deps = { sql: opened.sql, cache: down, logger, limits };
    assert.deepEqual(
      await authenticate({ email, password: 'wrong password 1', ip: '203.0.113.1' }, deps),
      invalid,
    );
    assert.deepEqual(
      await authenticate({ email, password: 'wrong password 2', ip: '203.0.113.1' }, deps),
      invalid,
    );
    assert.deepEqual(await authenticate({ email, password, ip: '203.0.113.1' }, deps), { ok: true, account });
    assert.ok(logger.lines.some((line) => line.startsWith('sign-in throttle unavailable; failing open')));
    assert.ok(logger.lines.some((line) => line.startsWith('sign-in failure not counted')));
    assert.ok(!logger.lines.join('\n').includes('wrong password'));
  });
});
