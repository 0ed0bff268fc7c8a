import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pngImage, windowsExecutable } from '../../../server/test/support/test-images.ts';
import { FilesCommitError, FileTooLargeError, GuichetFilesError } from '../../src/files-errors.ts';
import { eventuallyPasses } from '../support/guichet-for.ts';
import { type FilesGuichet, startFilesGuichet } from './support/files-world.ts';
import { generatedBytes, type Produced, pdfHeader } from './support/generated-bytes.ts';

const mib = 1024 * 1024;
/** Well formed, never issued. */
const unknownId = `fil_${'a'.repeat(26)}`;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

async function rejectsWithStatus(promise: Promise<unknown>, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GuichetFilesError, String(error));
    assert.equal(error.status, status);
    return true;
  });
}

for (const driver of ['fs', 's3'] as const) {
  describe(`SDK files client against a real Guichet (${driver} objects)`, () => {
    let guichet: FilesGuichet;
    before(async () => {
      guichet = await startFilesGuichet(driver);
    });
    after(() => guichet?.stop());

    it('stages, commits, reads, discards and deletes, from every kind of stream', async () => {
      const files = guichet.client;
      const png = await pngImage(64, 48);
      const fromNode = await files.stage(Readable.from([png]), {
        purpose: 'product-image',
        filename: 'a.png',
        contentType: 'image/png',
      });
      const fromIterable = await files.stage(generatedBytes(png.length, png), {
        purpose: 'product-image',
        filename: 'b.png',
        size: png.length,
      });
      const fromWeb = await files.stage(Readable.toWeb(Readable.from([png])) as ReadableStream<Uint8Array>, {
        purpose: 'product-image',
        filename: 'c.png',
      });
      assert.deepEqual(
        [fromNode, fromIterable, fromWeb].map((upload) => upload.size),
        [png.length, png.length, png.length],
      );
      assert.match(fromNode.id, /^fil_/);

      // Staged bytes are stored but not downloadable.
      assert.equal((await guichet.listObjects()).length, 3);
      await rejectsWithStatus(files.get(fromNode.id), 404);

      const views = await files.commit([fromNode.id, fromIterable.id]);
      assert.deepEqual(
        views.map((view) => [view.id, view.contentType, view.width, view.height, view.size]),
        [
          [fromNode.id, 'image/png', 64, 48, png.length],
          [fromIterable.id, 'image/png', 64, 48, png.length],
        ],
      );
      const read = await files.get(fromNode.id);
      assert.equal(read.filename, 'a.png');
      assert.equal(sha256(await download(read.url)), sha256(png));

      await files.discard([fromWeb.id, unknownId]);
      await rejectsWithStatus(files.commit([fromWeb.id]), 422);

      await files.delete(fromIterable.id);
      await rejectsWithStatus(files.get(fromIterable.id), 404);
      assert.deepEqual(
        (await guichet.listObjects()).map((object) => object.key),
        [`files/${fromNode.id}`],
      );
      await files.delete(fromNode.id);
      assert.deepEqual(await guichet.listObjects(), []);
    });

    it('rejects a commit with FilesCommitError naming each refused upload, and keeps nothing', async () => {
      const files = guichet.client;
      const good = await files.stage(Readable.from([await pngImage(64, 48)]), {
        purpose: 'product-image',
        filename: 'good.png',
      });
      const renamed = await files.stage(Readable.from([windowsExecutable()]), {
        purpose: 'product-image',
        filename: 'photo.png',
        contentType: 'image/png',
      });
      await assert.rejects(files.commit([good.id, renamed.id]), (error: unknown) => {
        assert.ok(error instanceof FilesCommitError, String(error));
        assert.equal(error.status, 422);
        assert.deepEqual(
          error.errors.map((failure) => [failure.id, failure.reason]),
          [[renamed.id, 'type_not_allowed']],
        );
        return true;
      });
      // All or nothing: the good one stayed staged too.
      await rejectsWithStatus(files.get(good.id), 404);
      await files.discard([good.id, renamed.id]);
      assert.deepEqual(await guichet.listObjects(), []);
    });

    it('stops reading an oversized stream early with FileTooLargeError and keeps no byte', async () => {
      const produced: Produced = { bytes: 0 };
      let id: string | undefined;
      await assert.rejects(
        guichet.client.stage(generatedBytes(20 * mib, pdfHeader, produced), {
          purpose: 'small-doc',
          filename: 'big.pdf',
          onCreated(created) {
            id = created;
          },
        }),
        (error: unknown) => {
          assert.ok(error instanceof FileTooLargeError, String(error));
          assert.equal(error.status, 413);
          assert.equal(error.maxBytes, mib);
          return true;
        },
      );
      // The 1 MiB limit plus at most a couple of chunks in flight were read, not the 20 MiB.
      assert.ok(produced.bytes <= mib + 256 * 1024, `read ${produced.bytes} bytes`);
      assert.deepEqual(await guichet.listObjects(), []);
      // The server drops the partial upload once it sees the connection go.
      await eventuallyPasses(async () => assert.equal(await guichet.inProgressBytes(), 0));
      assert.ok(id);
      // The upload was discarded: Guichet no longer knows it.
      const answer = await fetch(`${guichet.world.issuer}/files/uploads/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${guichet.token}` },
      });
      assert.equal(answer.status, 404);
    });

    // Only the filesystem driver shows the bytes of an upload still in progress: these two measure
    // there.
    if (driver === 'fs') {
      it("Guichet's own endpoint cuts an oversized body off early: storage never holds more than the limit", async () => {
        const created = await fetch(`${guichet.world.issuer}/files/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${guichet.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ purpose: 'small-doc', filename: 'raw.pdf' }),
        });
        assert.equal(created.status, 201);
        const ticket = (await created.json()) as { id: string; url: string; headers: Record<string, string> };
        // A raw PUT without the SDK's own limit: only the server stops it.
        let stored = 0;
        const sampler = setInterval(() => {
          guichet.inProgressBytes().then((bytes) => {
            stored = Math.max(stored, bytes);
          });
        }, 5);
        const produced: Produced = { bytes: 0 };
        const status = await new Promise<number | string>((resolve) => {
          const request = http.request(ticket.url, { method: 'PUT', headers: ticket.headers });
          request.on('response', (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          });
          request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
          Readable.from(generatedBytes(40 * mib, pdfHeader, produced)).pipe(request);
        });
        clearInterval(sampler);
        assert.ok(status === 413 || status === 'ECONNRESET' || status === 'EPIPE', `answered ${status}`);
        assert.ok(stored <= mib, `storage held ${stored} bytes`);
        // Socket buffers take some, but the client could not send anywhere near the 40 MiB.
        assert.ok(produced.bytes < 16 * mib, `sent ${produced.bytes} bytes`);
        assert.deepEqual(await guichet.listObjects(), []);
        await guichet.client.discard([ticket.id]);
      });

      it('streams 50 MB with backpressure: the source never runs far ahead of storage', async () => {
        const total = 50 * mib;
        const produced: Produced = { bytes: 0 };
        let maxLead = 0;
        let maxRss = 0;
        global.gc?.();
        const rssBefore = process.memoryUsage.rss();
        const sampler = setInterval(() => {
          maxRss = Math.max(maxRss, process.memoryUsage.rss());
          const seen = produced.bytes;
          guichet.inProgressBytes().then((stored) => {
            if (stored > 0) maxLead = Math.max(maxLead, seen - stored);
          });
        }, 10);
        const staged = await guichet.client.stage(generatedBytes(total, pdfHeader, produced), {
          purpose: 'product-manual',
          filename: 'manual.pdf',
        });
        clearInterval(sampler);
        assert.equal(staged.size, total);
        const growth = maxRss - rssBefore;
        process.stdout.write(
          `# backpressure: source lead over storage ≤ ${(maxLead / mib).toFixed(1)} MiB, ` +
            `RSS growth ${(growth / mib).toFixed(1)} MiB for 50 MiB\n`,
        );
        assert.ok(maxLead < 16 * mib, `the source ran ${maxLead} bytes ahead of storage`);
        assert.ok(growth < 40 * mib, `RSS grew by ${growth} bytes`);
        const [object] = await guichet.listObjects();
        assert.equal(object?.size, total);
        await guichet.client.discard([staged.id]);
        assert.deepEqual(await guichet.listObjects(), []);
      });
    }

    it('refuses an unknown purpose and a request without a valid token with typed errors', async () => {
      await assert.rejects(
        guichet.client.stage(Readable.from([pdfHeader]), { purpose: 'no-such-purpose', filename: 'x.pdf' }),
        (error: unknown) => error instanceof GuichetFilesError && error.status === 422,
      );
      const stranger = guichet.sdk.files('not-a-token');
      await rejectsWithStatus(stranger.get(unknownId), 401);
      assert.deepEqual(await guichet.listObjects(), []);
    });

    it('leaves no record in the database once the suite is done', async () => {
      const counts = await guichet.stopAndCountRecords();
      assert.equal(counts.staged ?? 0, 0, JSON.stringify(counts));
      assert.equal(counts.committed ?? 0, 0, JSON.stringify(counts));
    });
  });
}
