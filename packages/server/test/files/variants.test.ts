import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql as rawSql } from 'kysely';
import sharp from 'sharp';
import { startVariantWorker, type VariantWorker } from '../../src/files/variants/variant-worker.ts';
import type { ObjectsPort } from '../../src/ports/objects/objects-port.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { TestSql } from '../support/domain-test-context.ts';
import { pngImage } from '../support/test-images.ts';
import {
  driverPairs,
  insertBusiness,
  insertFile,
  insertPendingVariants,
  insertPurpose,
  listKeys,
  medium,
  putBytes,
  readAll,
  type TestObjects,
  thumb,
} from './janitor-fixtures.ts';

/** Fails the first `failures` puts, as an object store outage would. */
function failingPuts(objects: ObjectsPort, failures: number): ObjectsPort & { puts: () => number } {
  let puts = 0;
  return Object.assign(Object.create(objects) as ObjectsPort, {
    put: async (...args: Parameters<ObjectsPort['put']>) => {
      puts += 1;
      if (puts <= failures) {
        args[1].resume();
        throw new Error('object store unavailable');
      }
      return objects.put(...args);
    },
    puts: () => puts,
  });
}

async function variantRows(sql: SqlPort, fileId: string) {
  return sql.db
    .selectFrom('file_variant')
    .selectAll()
    .where('file_id', '=', fileId)
    .orderBy('name')
    .execute();
}

/** Makes every pending variant due now, instead of waiting out the retry backoff. */
async function makeDue(sql: SqlPort): Promise<void> {
  await sql.db
    .updateTable('file_variant')
    .set({ next_attempt_at: rawSql`now()` })
    .where('state', '=', 'pending')
    .execute();
}

for (const { label, sqlDriver, objectsDriver } of driverPairs) {
  describe(`image variant worker (${label})`, { skip: sqlDriver.skip }, () => {
    let testSql: TestSql;
    let store: TestObjects;
    let sql: SqlPort;
    let businessId: string;
    let image: Buffer;
    const workers: VariantWorker[] = [];

    before(async () => {
      [testSql, store] = await Promise.all([sqlDriver.fresh(), objectsDriver.fresh()]);
      sql = testSql.sql;
      businessId = await insertBusiness(sql);
      await insertPurpose(sql, 'photo', [thumb, medium]);
      await insertPurpose(sql, 'tiny-only', [thumb], 1000);
      image = await pngImage(800, 600);
    });

    after(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all([testSql?.dispose(), store?.dispose()]);
    });

    function worker(objects: ObjectsPort = store.objects, concurrency = 2): VariantWorker {
      const started = startVariantWorker({ sql, objects }, { concurrency, pollMs: 50 });
      workers.push(started);
      return started;
    }

    async function committedImage(purpose: string, bytes: Buffer, specs = [thumb, medium]) {
      const file = await insertFile(sql, { businessId, purpose, state: 'committed' });
      await putBytes(store.objects, file.objectKey, bytes);
      await insertPendingVariants(sql, file.id, specs);
      return file;
    }

    it('renders every pending variant into its own object and records its size and dimensions', async () => {
      const file = await committedImage('photo', image);
      const running = worker();
      await running.idle();
      await running.stop();

      const rows = await variantRows(sql, file.id);
      assert.deepEqual(
        rows.map((row) => [row.name, row.state, row.attempts, row.width, row.height, row.content_type]),
        [
          ['medium', 'ready', 1, 200, 150, 'image/jpeg'],
          ['thumb', 'ready', 1, 64, 64, 'image/webp'],
        ],
      );
      for (const row of rows) {
        const bytes = await readAll(store.objects, row.object_key);
        assert.equal(Number(row.size), bytes.length);
        const metadata = await sharp(bytes).metadata();
        assert.deepEqual([metadata.width, metadata.height], [row.width, row.height]);
        assert.equal(`image/${metadata.format}`, row.content_type);
      }
      assert.deepEqual(await listKeys(store.objects, `variants/${file.id}/`), [
        `variants/${file.id}/medium`,
        `variants/${file.id}/thumb`,
      ]);
    });

    it('fails a variant for good, at once, when the bytes are not an image', async () => {
      const file = await committedImage('photo', Buffer.from('not an image at all'), [thumb]);
      const running = worker();
      await running.idle();
      await running.stop();
      const [row] = await variantRows(sql, file.id);
      assert.equal(row?.state, 'failed');
      assert.equal(row?.attempts, 1);
      assert.match(row?.last_error ?? '', /unsupported image format|Input/i);
      assert.deepEqual(await listKeys(store.objects, `variants/${file.id}/`), []);
    });

    it('refuses to decode more pixels than the purpose allows (limitInputPixels)', async () => {
      const file = await committedImage('tiny-only', await pngImage(100, 100), [thumb]);
      const running = worker();
      await running.idle();
      await running.stop();
      const [row] = await variantRows(sql, file.id);
      assert.equal(row?.state, 'failed');
      assert.match(row?.last_error ?? '', /pixel limit/i);
    });

    it('retries with backoff when the object store fails, then succeeds', async () => {
      const file = await committedImage('photo', image, [thumb]);
      const flaky = failingPuts(store.objects, 1);
      const running = worker(flaky);
      await running.idle();
      const [failed] = await variantRows(sql, file.id);
      assert.equal(failed?.state, 'pending');
      assert.equal(failed?.attempts, 1);
      assert.equal(failed?.locked_until, null);
      assert.match(failed?.last_error ?? '', /object store unavailable/);
      // Backoff: the next attempt is some seconds away, not immediate.
      assert.ok((failed?.next_attempt_at.getTime() ?? 0) > Date.now() + 5000);

      await makeDue(sql);
      await running.idle();
      await running.stop();
      const [ready] = await variantRows(sql, file.id);
      assert.equal(ready?.state, 'ready');
      assert.equal(ready?.attempts, 2);
      assert.equal(flaky.puts(), 2);
    });

    it('gives up after 5 attempts and leaves no variant object', async () => {
      const file = await committedImage('photo', image, [thumb]);
      const broken = failingPuts(store.objects, Number.POSITIVE_INFINITY);
      const running = worker(broken);
      for (let attempt = 1; attempt <= 5; attempt++) {
        await running.idle();
        await makeDue(sql);
      }
      await running.idle();
      await running.stop();
      const [row] = await variantRows(sql, file.id);
      assert.equal(row?.state, 'failed');
      assert.equal(row?.attempts, 5);
      assert.equal(broken.puts(), 5);
    });

    it('takes over a job whose worker died (lapsed lock) but leaves one that is still locked', async () => {
      const orphaned = await committedImage('photo', image, [thumb]);
      const held = await committedImage('photo', image, [thumb]);
      await sql.db
        .updateTable('file_variant')
        .set({ attempts: 1, locked_until: rawSql`now() - interval '1 minute'` })
        .where('file_id', '=', orphaned.id)
        .execute();
      await sql.db
        .updateTable('file_variant')
        .set({ attempts: 1, locked_until: rawSql`now() + interval '1 hour'` })
        .where('file_id', '=', held.id)
        .execute();
      const running = worker();
      await running.idle();
      await running.stop();
      const [takenOver] = await variantRows(sql, orphaned.id);
      assert.deepEqual([takenOver?.state, takenOver?.attempts], ['ready', 2]);
      const [stillHeld] = await variantRows(sql, held.id);
      assert.deepEqual([stillHeld?.state, stillHeld?.attempts], ['pending', 1]);
    });

    it('does not resurrect a deleted file: the claim is lost and nothing is recorded', async () => {
      const file = await committedImage('photo', image, [thumb]);
      // The file goes away while its variant renders.
      const deleting: ObjectsPort = Object.assign(Object.create(store.objects) as ObjectsPort, {
        put: async (...args: Parameters<ObjectsPort['put']>) => {
          await sql.db.deleteFrom('stored_file').where('id', '=', file.id).execute();
          return store.objects.put(...args);
        },
      });
      const running = worker(deleting);
      await running.idle();
      await running.stop();
      assert.deepEqual(await variantRows(sql, file.id), []);
    });

    it('shares the queue between workers: each variant is rendered once', async () => {
      const files = [];
      for (let i = 0; i < 6; i++) files.push(await committedImage('photo', image));
      const counted = [failingPuts(store.objects, 0), failingPuts(store.objects, 0)];
      const [first, second] = counted.map((objects) => worker(objects, 2));
      await Promise.all([first?.idle(), second?.idle()]);
      await Promise.all([first?.stop(), second?.stop()]);
      const rows = await sql.db
        .selectFrom('file_variant')
        .select(['state', 'attempts'])
        .where(
          'file_id',
          'in',
          files.map((file) => file.id),
        )
        .execute();
      assert.equal(rows.length, 12);
      assert.ok(rows.every((row) => row.state === 'ready' && row.attempts === 1));
      assert.equal((counted[0]?.puts() ?? 0) + (counted[1]?.puts() ?? 0), 12);
    });
  });
}
