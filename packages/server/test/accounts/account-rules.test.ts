import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newAccountId } from '../../src/accounts/account-id.ts';
import { displayEmail, isPlausibleEmail, normalizeEmail } from '../../src/accounts/email-address.ts';
import {
  checkPasswordPolicy,
  isTooLongToBeAPassword,
  maxPasswordLength,
} from '../../src/accounts/password-policy.ts';
import { signInLimits } from '../../src/accounts/sign-in-throttle.ts';

describe('account ids', () => {
  it('are acc_ and 26 random base32 characters, never a sequence', () => {
    const ids = Array.from({ length: 1000 }, newAccountId);
    for (const id of ids) assert.match(id, /^acc_[a-z2-7]{26}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('email addresses', () => {
  it('normalize by trimming, lower-casing and NFC', () => {
    assert.equal(normalizeEmail('  A@X.com '), 'a@x.com');
    assert.equal(normalizeEmail('a@X.COM '), normalizeEmail('A@x.com'));
    assert.equal(normalizeEmail('Jose\u0301@example.com'), 'jos\u00e9@example.com');
    assert.equal(displayEmail('  Ann@Example.com\n'), 'Ann@Example.com');
  });

  it('accept ordinary and internationalized addresses and refuse malformed ones', () => {
    for (const good of [
      'a@x.com',
      'first.last+tag@sub.example.org',
      'jos\u00e9@b\u00fccher.de',
      'ops@intranet',
    ])
      assert.equal(isPlausibleEmail(good), true, good);
    for (const bad of [
      '',
      'plain',
      '@x.com',
      'a@',
      'a@@x.com',
      'a b@x.com',
      'a@x..com',
      'a@.x.com',
      'a@x.com.',
      `${'a'.repeat(65)}@x.com`,
      `a@${'b'.repeat(250)}.com`,
      'a\u0000@x.com',
    ])
      assert.equal(isPlausibleEmail(bad), false, JSON.stringify(bad));
  });
});

describe('password policy', () => {
  it('asks for 8 to 256 characters, counting code points', () => {
    assert.match(checkPasswordPolicy('seven77') ?? '', /at least 8/);
    assert.equal(checkPasswordPolicy('eight888'), undefined);
    assert.equal(checkPasswordPolicy('😀'.repeat(8)), undefined);
    assert.equal(checkPasswordPolicy('x'.repeat(maxPasswordLength)), undefined);
    assert.match(checkPasswordPolicy('x'.repeat(maxPasswordLength + 1)) ?? '', /at most 256/);
  });

  it('refuses a password made only of whitespace', () => {
    assert.match(checkPasswordPolicy(' \t\u00a0        ') ?? '', /whitespace/);
    assert.equal(checkPasswordPolicy('  spaced out  '), undefined);
  });

  it('knows which sign-in passwords no account can have', () => {
    assert.equal(isTooLongToBeAPassword('x'.repeat(maxPasswordLength)), false);
    assert.equal(isTooLongToBeAPassword('x'.repeat(maxPasswordLength + 1)), true);
    assert.equal(isTooLongToBeAPassword('x'.repeat(1_000_000)), true);
  });
});

describe('sign-up policy', () => {});

describe('sign-in limits', () => {
  it('default to 20 failures per IP and 5 per address, per 15 minutes', () => {
    assert.deepEqual(signInLimits(), {
      perIp: { failures: 20, windowMs: 900_000 },
      perEmail: { failures: 5, windowMs: 900_000 },
    });
    assert.deepEqual(signInLimits({ perEmail: { failures: 3, windowMs: 300 } }).perEmail, {
      failures: 3,
      windowMs: 300,
    });
  });

  it('refuse a limit that would silently switch throttling off', () => {
    assert.throws(() => signInLimits({ perIp: { failures: 0, windowMs: 1000 } }), RangeError);
    assert.throws(() => signInLimits({ perEmail: { failures: 2.5, windowMs: 1000 } }), RangeError);
    assert.throws(() => signInLimits({ perEmail: { failures: 5, windowMs: 0 } }), RangeError);
    assert.throws(() => signInLimits({ perEmail: { failures: 5, windowMs: Number.NaN } }), RangeError);
  });
});
