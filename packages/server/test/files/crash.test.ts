import assert from 'node:assert/strict';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql as rawSql } from 'kysely';
import { runJanitor } from '../../src/files/janitor/janitor.ts';
import { startVariantWorker } from '../../src/files/variants/variant-worker.ts';
import { openPgliteSql } from '../../src/ports/sql/pglite-driver.ts';
import {
  type FilesMember,
  type FilesWorld,
  filesApi,
  type ObjectsDriver,
  s3Env,
  stageBytes,
  startFilesWorld,
} from '../support/files-world.ts';
import { type GuichetProcess, startGuichet } from '../support/guichet-process.ts';
import { jpegImage, pngImage } from '../support/test-images.ts';

/*
 * After a crash at any step of an upload (SIGKILL of the server, or the object store going away),
 * once the janitor has run: every object has exactly one committed record, and every committed
 * record has its object. Each scenario crashes the server, then checks on the data itself, as
 * `guichet files janitor` would on the server's machine, then starts the server again.
 */

const threeHours = 3 * 3600_000;

for (const driver of ['fs', 's3'] as ObjectsDriver[]) {
  describe(`crash consistency (${driver} driver)`, () => {
    let world: FilesWorld;
    let ada: FilesMember;
    let server: GuichetProcess | undefined;
    let photo: Buffer;
    let bigPhoto: Buffer;

    const dataDir = () => world.deployment.main.dataDir;
    const current = () => server ?? world.deployment.main.process;

    before(async () => {
      world = await startFilesWorld(driver);
      await world.setPurpose('photo', {
        types: ['image/png', 'image/jpeg'],
        maxBytes: 20_000_000,
        maxCount: 100,
        variants: [
          { name: 'thumb', width: 64, height: 64, fit: 'cover', format: 'webp' },
          { name: 'medium', width: 800, height: 800, fit: 'inside', format: 'jpeg' },
        ],
      });
      ada = await world.member();
      photo = await pngImage(320, 200);
      bigPhoto = await jpegImage(2400, 1600);
    });
    after(async () => {
      await server?.stop('SIGKILL');
      await world?.stop();
    });

    async function crash(): Promise<void> {
      await current().stop('SIGKILL');
    }

    /** The server again, on the same data, port and issuer: tokens and sessions survive. */
    async function restart(): Promise<void> {
      const url = new URL(world.issuer);
      server = await startGuichet(
        { GUICHET_DATA_DIR: dataDir(), PORT: url.port, GUICHET_ISSUER: world.issuer, ...s3Env(world.s3) },
        60_000,
      );
    }

    /**
     * With the server down: time passes (locks lapse, backoffs end), the variant worker finishes its
     * queue, the janitor runs past every TTL and grace; then the invariant must hold exactly.
     */
    async function janitorThenCheck(): Promise<{ committed: number }> {
      const sql = await openPgliteSql(path.join(dataDir(), 'pglite'));
      try {
        await sql.db
          .updateTable('file_variant')
          .set({ locked_until: null, next_attempt_at: rawSql`now()` })
          .where('state', '=', 'pending')
          .execute();
        const worker = startVariantWorker({ sql, objects: world.objects }, { pollMs: 50 });
        await worker.idle();
        await worker.stop();
        await runJanitor({ sql, objects: world.objects }, { now: new Date(Date.now() + threeHours) });

        const files = await sql.db.selectFrom('stored_file').select(['object_key', 'state']).execute();
        const variants = await sql.db.selectFrom('file_variant').select(['object_key', 'state']).execute();
        const keys = await world.objectKeys();
        assert.deepEqual(
          files.filter((file) => file.state !== 'committed'),
          [],
          'no staged upload outlives the janitor',
        );
        assert.deepEqual(
          keys.filter((key) => key.startsWith('files/')),
          files.map((file) => file.object_key).sort(),
          'every file object has exactly one committed record, and every committed record its object',
        );
        assert.deepEqual(
          variants.filter((variant) => variant.state !== 'ready'),
          [],
          'every variant was made in the end',
        );
        assert.deepEqual(
          keys.filter((key) => key.startsWith('variants/')),
          variants.map((variant) => variant.object_key).sort(),
          'every variant object has its record, and every ready variant its object',
        );
        return { committed: files.length };
      } finally {
        await sql.close();
      }
    }

    async function stage(count: number, bytes = photo): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const staged = await stageBytes(world, ada, { purpose: 'photo', filename: `p${i}.png`, bytes });
        assert.equal(staged.putStatus, 200);
        ids.push(staged.id);
      }
      return ids;
    }

    it('killed after staging: the janitor removes the uploads, row and object', async () => {
      await stage(3);
      // One whose bytes never arrived, one half sent with no declared size.
      await filesApi(world, ada, 'POST', '/files/uploads', { purpose: 'photo', filename: 'never.png' });
      const created = await filesApi(world, ada, 'POST', '/files/uploads', {
        purpose: 'photo',
        filename: 'half.png',
      });
      const { url } = created.json as { url: string };
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(256 * 1024));
          // Never closed: the server dies mid-upload.
        },
      });
      const put = fetch(url, { method: 'PUT', body, duplex: 'half' } as RequestInit).catch(() => undefined);
      await sleep(300);
      await crash();
      await put;
      await janitorThenCheck();
      await restart();
    });

    it('killed during a commit: all or nothing, then consistent', async () => {
      for (const delayMs of [5, 60]) {
        const ids = await stage(20);
        const commit = filesApi(world, ada, 'POST', '/files/commit', { uploads: ids }).catch(() => undefined);
        await sleep(delayMs);
        await crash();
        await commit;
        const before = await janitorThenCheck();
        assert.ok(before.committed % 20 === 0, 'a commit is all or nothing');
        await restart();
      }
    });

    it('killed while variants are being made: they are made after the restart', async () => {
      const ids = await stage(4, bigPhoto);
      const committed = await filesApi(world, ada, 'POST', '/files/commit', { uploads: ids });
      assert.equal(committed.status, 200);
      await crash();
      await janitorThenCheck();
      await restart();
      // And the server serves them.
      const shown = await filesApi(world, ada, 'GET', `/files/${ids[0]}?variant=thumb`);
      assert.equal(shown.status, 200, JSON.stringify(shown.json));
    });

    it('killed while deleting files: the janitor removes what the deletes left', async () => {
      const ids = await stage(10);
      assert.equal((await filesApi(world, ada, 'POST', '/files/commit', { uploads: ids })).status, 200);
      const deletes = ids.map((id) => filesApi(world, ada, 'DELETE', `/files/${id}`).catch(() => undefined));
      await sleep(20);
      await crash();
      await Promise.all(deletes);
      await janitorThenCheck();
      await restart();
    });

    if (driver === 's3') {
      it('the object store fails after staging and during commit: nothing half-done', async () => {
        const ids = await stage(3);
        await world.s3?.stop();
        const failed = await filesApi(world, ada, 'POST', '/files/commit', { uploads: ids });
        assert.ok(failed.status >= 422, `commit answered ${failed.status}`);
        await world.s3?.restart();
        // Nothing was committed: the same uploads commit once the store is back.
        const retried = await filesApi(world, ada, 'POST', '/files/commit', { uploads: ids });
        assert.equal(retried.status, 200, JSON.stringify(retried.json));
        await crash();
        await janitorThenCheck();
        await restart();
      });

      it('the object store fails during variant generation: retried until made', async () => {
        const ids = await stage(3, bigPhoto);
        assert.equal((await filesApi(world, ada, 'POST', '/files/commit', { uploads: ids })).status, 200);
        await world.s3?.stop();
        await sleep(1500);
        await crash();
        await world.s3?.restart();
        await janitorThenCheck();
        await restart();
      });
    }

    it('an object written without its record (crash between the two) is removed after the grace', async () => {
      await crash();
      await world.objects.put('files/fil_00000000000000000000000000', Readable.from([photo]), {
        size: photo.length,
      });
      await world.objects.put('variants/fil_00000000000000000000000000/thumb', Readable.from([photo]), {
        size: photo.length,
      });
      await janitorThenCheck();
      await restart();
    });
  });
}
