import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { csrfToken, verifyCsrfToken } from '../../src/pages/csrf.ts';

describe('CSRF tokens', () => {
  const key = randomBytes(32);

  it('is the base64url HMAC-SHA256 of the binding', () => {
    const expected = createHmac('sha256', key).update('interaction:abc').digest('base64url');
    assert.equal(csrfToken(key, 'interaction:abc'), expected);
    assert.match(csrfToken(key, 'x'), /^[A-Za-z0-9_-]{43}$/);
  });

  it('accepts the token of the same key and binding', () => {
    assert.equal(verifyCsrfToken(key, 'interaction:abc', csrfToken(key, 'interaction:abc')), true);
  });

  it('rejects a token bound to another interaction', () => {
    assert.equal(verifyCsrfToken(key, 'interaction:abc', csrfToken(key, 'interaction:abd')), false);
  });

  it('rejects a token made with another key', () => {
    assert.equal(
      verifyCsrfToken(key, 'interaction:abc', csrfToken(randomBytes(32), 'interaction:abc')),
      false,
    );
  });

  it('rejects wrong, truncated, padded and empty tokens', () => {
    const good = csrfToken(key, 'b');
    const flipped = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    for (const token of [flipped, good.slice(0, -1), `${good}=`, '', 'x'.repeat(43)]) {
      assert.equal(verifyCsrfToken(key, 'b', token), false, token);
    }
  });

  it('rejects anything that is not a string without throwing', () => {
    const good = csrfToken(key, 'b');
    for (const token of [undefined, null, 42, [good], { toString: () => good }, Buffer.from(good)]) {
      assert.equal(verifyCsrfToken(key, 'b', token), false);
    }
  });

  it('rejects multi-byte strings of the same character length', () => {
    assert.equal(verifyCsrfToken(key, 'b', 'é'.repeat(43)), false);
  });
});
