import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { acquireDataDirLock, DataDirBusyError, readLockHolder } from '../../src/runtime/data-dir-lock.ts';

describe('data dir lock', () => {
  it('admits one holder, publishes its URL, and frees on release', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-lock-'));
    try {
      const lock = await acquireDataDirLock(dataDir, 'server');
      await lock.update({ url: 'http://127.0.0.1:4000' });
      // The holder is this process, so it reads as alive.
      assert.deepEqual(
        { ...(await readLockHolder(dataDir)), startedAt: undefined },
        { pid: process.pid, role: 'server', url: 'http://127.0.0.1:4000', startedAt: undefined },
      );
      await assert.rejects(acquireDataDirLock(dataDir, 'cli'), (error: unknown) => {
        assert.ok(error instanceof DataDirBusyError);
        assert.match(error.message, /in use by server process \d+ \(http:\/\/127\.0\.0\.1:4000\)/);
        return true;
      });
      await lock.release();
      assert.equal(await readLockHolder(dataDir), undefined);
      await (await acquireDataDirLock(dataDir, 'cli')).release();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-lock-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      const deadPid = Number(dead.stdout.toString());
      await writeFile(
        path.join(dataDir, 'guichet.lock'),
        JSON.stringify({ pid: deadPid, role: 'server', startedAt: new Date().toISOString() }),
      );
      assert.equal(await readLockHolder(dataDir), undefined);
      const lock = await acquireDataDirLock(dataDir, 'server');
      assert.equal((await readLockHolder(dataDir))?.pid, process.pid);
      await lock.release();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
