import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keygrip from 'keygrip';
import { cookieSigner } from '../../src/oidc/cookie-signer.ts';

describe('cookie signer', () => {
  const keys = ['a-current-cookie-key-of-some-length', 'the-previous-cookie-key'];

  it('signs exactly as Keygrip does, so cookies set before keep working', () => {
    const ours = cookieSigner(keys);
    const theirs = new Keygrip(keys);
    for (const data of ['_session=abc', '_interaction=xyz; path=/', '']) {
      assert.equal(ours.sign(data), theirs.sign(data));
      assert.equal(ours.index(data, theirs.sign(data)), 0);
    }
  });

  it('accepts a signature of a previous key and names it, refuses anything else', () => {
    const ours = cookieSigner(keys);
    const old = new Keygrip([keys[1] as string]).sign('_session=abc');
    assert.equal(ours.index('_session=abc', old), 1);
    assert.equal(ours.verify('_session=abc', old), true);
    const signed = ours.sign('_session=abc');
    assert.equal(ours.verify('_session=abd', signed), false);
    assert.equal(ours.verify('_session=abc', `${signed.slice(0, -1)}A`), false);
    assert.equal(ours.verify('_session=abc', ''), false);
    assert.equal(ours.index('_session=abc', 'x'.repeat(200)), -1);
  });

  it('needs a key', () => {
    assert.throws(() => cookieSigner([]), /at least one cookie key/);
  });
});
