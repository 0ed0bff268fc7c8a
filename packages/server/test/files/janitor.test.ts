import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql as rawSql } from 'kysely';
import { newFileId, variantObjectKey } from '../../src/files/file-keys.ts';
import { runJanitor } from '../../src/files/janitor/janitor.ts';
import { acquireLease, LeaseHeldError, releaseLease, withLease } from '../../src/files/janitor/job-lease.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import type { TestSql } from '../support/domain-test-context.ts';
import {
  driverPairs,
  insertBusiness,
  insertFile,
  insertPendingVariants,
  insertPurpose,
  listKeys,
  putBytes,
  type TestObjects,
  thumb,
} from './janitor-fixtures.ts';

const hour = 3600_000;
const later = () => new Date(Date.now() + 2 * hour);

for (const { label, sqlDriver, objectsDriver } of driverPairs) {
  describe(`files janitor (${label})`, { skip: sqlDriver.skip }, () => {
    let testSql: TestSql;
    let store: TestObjects;
    let sql: SqlPort;
    let businessId: string;
    const bytes = Buffer.from('some bytes');

    before(async () => {
      [testSql, store] = await Promise.all([sqlDriver.fresh(), objectsDriver.fresh()]);
      sql = testSql.sql;
      businessId = await insertBusiness(sql);
      await insertPurpose(sql, 'photo', [thumb]);
    });

    after(async () => {
      await Promise.all([testSql?.dispose(), store?.dispose()]);
    });

    beforeEach(async () => {
      await sql.db.deleteFrom('stored_file').execute();
      for (const key of await listKeys(store.objects)) await store.objects.delete(key);
    });

    const janitor = (options: Parameters<typeof runJanitor>[1] = {}) =>
      runJanitor({ sql, objects: store.objects }, { batchSize: 2, ...options });

    async function stagedWithObject(stagedUntil: Date) {
      const file = await insertFile(sql, { businessId, purpose: 'photo', state: 'staged', stagedUntil });
      await putBytes(store.objects, file.objectKey, bytes);
      return file;
    }

    async function committedWithObject() {
      const file = await insertFile(sql, { businessId, purpose: 'photo', state: 'committed' });
      await putBytes(store.objects, file.objectKey, bytes);
      return file;
    }

    async function fileIds(): Promise<string[]> {
      const rows = await sql.db.selectFrom('stored_file').select('id').orderBy('id').execute();
      return rows.map((row) => row.id);
    }

    it('removes staged uploads past their TTL, row and object, and nothing else', async () => {
      const expired = await Promise.all([1, 2, 3].map(() => stagedWithObject(new Date(Date.now() - 1000))));
      // An expired upload whose bytes never arrived.
      await insertFile(sql, {
        businessId,
        purpose: 'photo',
        state: 'staged',
        stagedUntil: new Date(Date.now() - 1000),
      });
      const fresh = await stagedWithObject(new Date(Date.now() + hour));
      const committed = await committedWithObject();

      const report = await janitor();
      assert.equal(report.expiredUploads, 4);
      assert.equal(report.orphanObjects, 0);
      assert.deepEqual(await fileIds(), [fresh.id, committed.id].sort());
      assert.deepEqual(await listKeys(store.objects), [fresh.objectKey, committed.objectKey].sort());
      for (const file of expired) assert.equal(await store.objects.head(file.objectKey), undefined);
    });

    it('removes objects without a record once past the grace, and only those', async () => {
      const committed = await committedWithObject();
      const staged = await stagedWithObject(new Date(Date.now() + 3 * hour));
      const orphanFiles = [`files/${newFileId()}`, `files/${newFileId()}`, `files/${newFileId()}`];
      const orphanVariant = variantObjectKey(newFileId(), 'thumb');
      const keptVariant = variantObjectKey(committed.id, 'thumb');
      await insertPendingVariants(sql, committed.id, [thumb]);
      for (const key of [...orphanFiles, orphanVariant, keptVariant])
        await putBytes(store.objects, key, bytes);
      const unrelated = 'elsewhere/keep-me';
      await putBytes(store.objects, unrelated, bytes);

      const young = await janitor();
      assert.equal(young.orphanObjects, 0);
      assert.equal(young.recentUnrecordedObjects, 4);
      assert.equal((await listKeys(store.objects)).length, 8);

      const dryRun = await janitor({ now: later(), dryRun: true });
      assert.equal(dryRun.orphanObjects, 4);
      assert.equal((await listKeys(store.objects)).length, 8);

      const report = await janitor({ now: later() });
      assert.equal(report.orphanObjects, 4);
      assert.equal(report.scannedObjects, 7);
      assert.deepEqual(
        await listKeys(store.objects),
        [committed.objectKey, staged.objectKey, keptVariant, unrelated].sort(),
      );
      // The grace is configurable: zero removes a fresh orphan at once.
      await putBytes(store.objects, orphanFiles[0] ?? '', bytes);
      assert.equal(
        (await janitor({ orphanGraceSeconds: 0, now: new Date(Date.now() + 1000) })).orphanObjects,
        1,
      );
    });

    it('reports committed files whose object is missing, and queues lost variants again', async () => {
      const lost = await insertFile(sql, { businessId, purpose: 'photo', state: 'committed' });
      const kept = await committedWithObject();
      // A staged upload without bytes yet is normal: not missing.
      await insertFile(sql, { businessId, purpose: 'photo', state: 'staged' });
      await insertPendingVariants(sql, kept.id, [thumb]);
      await sql.db.updateTable('file_variant').set({ state: 'ready', attempts: 1 }).execute();
      const warnings: object[] = [];
      const logger = { info: () => {}, warn: (fields: object) => warnings.push(fields) };

      const dryRun = await janitor({ dryRun: true, logger });
      assert.deepEqual([dryRun.missingObjects, dryRun.requeuedVariants], [1, 1]);
      assert.equal(
        (await sql.db.selectFrom('file_variant').select('state').executeTakeFirst())?.state,
        'ready',
      );

      const report = await janitor({ logger });
      assert.equal(report.missingObjects, 1);
      assert.deepEqual(report.missingKeys, [lost.objectKey]);
      assert.equal(report.requeuedVariants, 1);
      const variant = await sql.db.selectFrom('file_variant').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([variant.state, variant.attempts], ['pending', 0]);
      assert.ok(warnings.some((fields) => JSON.stringify(fields).includes(lost.objectKey)));
      // The record is reported, never deleted: the operator decides.
      assert.ok((await fileIds()).includes(lost.id));
    });

    it('walks many objects and records page by page in the same key order', async () => {
      const files = [];
      for (let i = 0; i < 9; i++) files.push(await committedWithObject());
      for (let i = 0; i < 7; i++) await putBytes(store.objects, `files/${newFileId()}`, bytes);
      const missing = await insertFile(sql, { businessId, purpose: 'photo', state: 'committed' });
      const report = await janitor({ now: later(), batchSize: 3 });
      assert.deepEqual([report.orphanObjects, report.missingObjects, report.scannedObjects], [7, 1, 16]);
      assert.deepEqual(await listKeys(store.objects), files.map((file) => file.objectKey).sort());
      assert.deepEqual(report.missingKeys, [missing.objectKey]);
    });

    it('a lease lets exactly one instance run at a time', async () => {
      assert.equal(await acquireLease(sql, 'files-janitor-test', 'a', 60), true);
      assert.equal(await acquireLease(sql, 'files-janitor-test', 'b', 60), false);
      assert.equal(await acquireLease(sql, 'files-janitor-test', 'a', 60), true, 'the holder renews');
      await assert.rejects(
        withLease(sql, 'files-janitor-test', { holder: 'b' }, async () => 'ran'),
        LeaseHeldError,
      );
      // Expired: anyone may take it over.
      await sql.db
        .updateTable('job_lease')
        .set({ expires_at: rawSql`now() - interval '1 second'` })
        .where('name', '=', 'files-janitor-test')
        .execute();
      assert.equal(await withLease(sql, 'files-janitor-test', { holder: 'b' }, async () => 'ran'), 'ran');
      // Released after the work.
      assert.equal(await acquireLease(sql, 'files-janitor-test', 'c', 60), true);
      await releaseLease(sql, 'files-janitor-test', 'c');
      assert.equal(await sql.db.selectFrom('job_lease').selectAll().executeTakeFirst(), undefined);
    });
  });
}
