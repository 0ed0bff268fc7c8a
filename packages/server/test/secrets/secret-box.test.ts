import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { deriveKey, loadMasterKey } from '../../src/secrets/master-key.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';

describe('master key', () => {
  it('is generated once into the data dir with mode 0600 and reused', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-key-'));
    try {
      const all = await Promise.all(
        Array.from({ length: 16 }, () => loadMasterKey({ secret: undefined, dataDir })),
      );
      const [first = ''] = all;
      assert.deepEqual(new Set(all), new Set([first]), 'processes starting at once agree on one key');
      assert.ok(first.length >= 32);
      assert.equal(await loadMasterKey({ secret: undefined, dataDir }), first);
      assert.equal((await stat(path.join(dataDir, 'secret.key'))).mode & 0o777, 0o600);
      assert.equal((await readFile(path.join(dataDir, 'secret.key'), 'utf8')).trim(), first);
      assert.deepEqual(await readdir(dataDir), ['secret.key'], 'no draft is left behind');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('prefers GUICHET_SECRET and writes nothing then', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-key-'));
    try {
      const secret = 'x'.repeat(40);
      assert.equal(await loadMasterKey({ secret, dataDir }), secret);
      await assert.rejects(stat(path.join(dataDir, 'secret.key')), { code: 'ENOENT' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('derives distinct subkeys per purpose', () => {
    const master = 'm'.repeat(43);
    assert.notDeepEqual(deriveKey(master, 'a'), deriveKey(master, 'b'));
    assert.deepEqual(deriveKey(master, 'a'), deriveKey(master, 'a'));
    assert.equal(deriveKey(master, 'a').length, 32);
  });
});

describe('secret box', () => {
  const box = createSecretBox(deriveKey('k'.repeat(43), 'test'));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('client-secret-value', 'client:abc');
    assert.ok(!sealed.includes('client-secret-value'));
    assert.notEqual(box.seal('client-secret-value', 'client:abc'), sealed, 'a fresh IV each time');
    assert.equal(box.open(sealed, 'client:abc'), 'client-secret-value');
  });

  it('refuses a value moved to another context, a tampered value or another key', () => {
    const sealed = box.seal('s3cret', 'client:abc');
    assert.throws(() => box.open(sealed, 'client:other'));
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    assert.throws(() =>
      box.open([parts[0], parts[1], body.toString('base64url'), parts[3]].join('.'), 'client:abc'),
    );
    assert.throws(() => createSecretBox(deriveKey('z'.repeat(43), 'test')).open(sealed, 'client:abc'));
    assert.throws(() => box.open('garbage', 'client:abc'), /unknown format/);
  });
});
