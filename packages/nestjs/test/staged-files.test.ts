import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GuichetFilesError } from '@guichet/sdk';
import { type FilesGuichet, startFilesGuichet } from '../../sdk/test/integration/support/files-world.ts';
import { generatedBytes, pdfHeader } from '../../sdk/test/integration/support/generated-bytes.ts';
import { eventuallyPasses } from '../../sdk/test/support/guichet-for.ts';
import { pngImage, windowsExecutable } from '../../server/test/support/test-images.ts';
import type { StagedFile } from '../src/staged-files-batch.ts';
import type { RunningFilesApp } from '../test-app/files-app-types.ts';
import { startFilesApp } from './support/files-app.ts';
import { type FormPart, postForm } from './support/multipart-form.ts';

const mib = 1024 * 1024;

let guichet: FilesGuichet;
let committedFiles = 0;
before(async () => {
  guichet = await startFilesGuichet('fs');
});
after(() => guichet?.stop());

/** Asserts Guichet knows none of these uploads any more: not as a file, not as a staged upload. */
async function assertForgotten(ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await assert.rejects(
      guichet.client.get(id),
      (error: unknown) => error instanceof GuichetFilesError && error.status === 404,
    );
    const discard = await fetch(`${guichet.world.issuer}/files/uploads/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${guichet.token}` },
    });
    assert.equal(discard.status, 404, `upload ${id} still exists`);
  }
}

async function objectKeys(): Promise<string[]> {
  return (await guichet.listObjects()).map((object) => object.key);
}

/** Asserts the uploads are forgotten and the store holds exactly the objects it held before. */
async function assertKeptNothing(uploads: readonly string[], keysBefore: readonly string[]): Promise<void> {
  await assertForgotten(uploads);
  assert.deepEqual(await objectKeys(), keysBefore);
}

function product(overrides: Partial<Record<'name' | 'price', string>> = {}): FormPart[] {
  return [
    { name: 'name', value: overrides.name ?? 'Lamp' },
    { name: 'price', value: overrides.price ?? '19.90' },
  ];
}

for (const adapter of ['express', 'fastify'] as const) {
  describe(`StagedFiles interceptor on ${adapter}`, () => {
    let app: RunningFilesApp;
    let png: Buffer;
    before(async () => {
      png = await pngImage(40, 30);
      app = await startFilesApp(adapter, guichet.resourceServer);
    });
    after(() => app?.close());

    /** Posts the form; resolves with the answer and the uploads Guichet created for it. */
    async function submit(path: string, parts: FormPart[]) {
      const before = app.uploadIds().length;
      const answer = await postForm(`${app.url}${path}`, guichet.token, parts).answer;
      return { ...answer, uploads: app.uploadIds().slice(before) };
    }

    it('commits every file of a valid form, fields validated by ValidationPipe', async () => {
      const pdf = Buffer.concat([pdfHeader, Buffer.alloc(10_000, 7)]);
      const answer = await submit('/products', [
        { name: 'images', filename: 'front.png', contentType: 'image/png', data: png },
        ...product(),
        { name: 'images', filename: 'back.png', contentType: 'image/png', data: png },
        { name: 'manual', filename: 'manual.pdf', contentType: 'application/pdf', data: pdf },
      ]);
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal(answer.body.name, 'Lamp');
      assert.equal(answer.body.price, '19.90');
      assert.equal(answer.body.businessId, guichet.world.acme.id);
      const files = answer.body.files as StagedFile[];
      assert.deepEqual(
        files.map((file) => [file.field, file.filename, file.size, file.purpose, file.contentType]),
        [
          ['images', 'front.png', png.length, 'product-image', 'image/png'],
          ['images', 'back.png', png.length, 'product-image', 'image/png'],
          ['manual', 'manual.pdf', pdf.length, 'product-manual', 'application/pdf'],
        ],
      );
      // Uploads are created as parts arrive but may finish out of order: the same set.
      assert.deepEqual(files.map((file) => file.id).sort(), [...answer.uploads].sort());
      for (const file of files) {
        const view = await guichet.client.get(file.id);
        assert.ok(view.committedAt, `${file.id} is committed`);
      }
      const keys = await objectKeys();
      for (const file of files) assert.ok(keys.includes(`files/${file.id}`));
      committedFiles += files.length;
    });

    it('keeps nothing when the DTO is invalid (ValidationPipe answers 400)', async () => {
      const keysBefore = await objectKeys();
      const answer = await submit('/products', [
        { name: 'images', filename: 'front.png', contentType: 'image/png', data: png },
        ...product({ price: 'free' }),
      ]);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.message, ['price isPrice']);
      assert.equal(answer.uploads.length, 1);
      await assertKeptNothing(answer.uploads, keysBefore);
    });

    it('keeps nothing when one file is a renamed executable (422 from the commit)', async () => {
      const keysBefore = await objectKeys();
      const answer = await submit('/products', [
        ...product(),
        { name: 'images', filename: 'good.png', contentType: 'image/png', data: png },
        { name: 'images', filename: 'photo.png', contentType: 'image/png', data: windowsExecutable() },
      ]);
      assert.equal(answer.status, 422, JSON.stringify(answer.body));
      const errors = answer.body.errors as Array<Record<string, unknown>>;
      assert.deepEqual(
        errors.map((error) => [error.field, error.filename, error.reason]),
        [['images', 'photo.png', 'type_not_allowed']],
      );
      assert.equal(answer.uploads.length, 2);
      await assertKeptNothing(answer.uploads, keysBefore);
    });

    it('keeps nothing when a field has one file too many (400)', async () => {
      const keysBefore = await objectKeys();
      const images: FormPart[] = [1, 2, 3, 4].map((n) => ({
        name: 'images',
        filename: `${n}.png`,
        contentType: 'image/png',
        data: png,
      }));
      const answer = await submit('/products', [...product(), ...images]);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.match(String(answer.body.message), /too many files in field "images"/);
      await assertKeptNothing(answer.uploads, keysBefore);
    });

    it('keeps nothing for a file in a field the form does not declare (400)', async () => {
      const keysBefore = await objectKeys();
      const answer = await submit('/products', [
        ...product(),
        { name: 'avatar', filename: 'me.png', contentType: 'image/png', data: png },
      ]);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      await assertKeptNothing(answer.uploads, keysBefore);
    });

    it('cuts an oversized part off early (413) without reading the rest of the body', async () => {
      const keysBefore = await objectKeys();
      const big = generatedBytes(64 * mib, png.subarray(0, 64));
      const answer = await submit('/products/small', [
        { name: 'images', filename: 'huge.png', contentType: 'image/png', data: big },
      ]);
      // The answer comes early, or the connection is closed under the sender: either way it stops.
      if (answer.status !== undefined) assert.equal(answer.status, 413, JSON.stringify(answer.body));
      else assert.match(String(answer.error), /ECONNRESET|EPIPE/);
      assert.ok(answer.sent < 16 * mib, `the client got to send ${answer.sent} bytes`);
      await assertForgotten(answer.uploads);
      await eventuallyPasses(async () => assert.equal(await guichet.inProgressBytes(), 0));
      assert.deepEqual(await objectKeys(), keysBefore);
    });

    it('discards what was staged when the client disconnects mid-upload', async () => {
      const keysBefore = await objectKeys();
      const idsBefore = app.uploadIds().length;
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      async function* halfAFile(): AsyncGenerator<Buffer> {
        yield* generatedBytes(2 * mib, pdfHeader);
        await held;
      }
      const post = postForm(`${app.url}/products`, guichet.token, [
        ...product(),
        { name: 'images', filename: 'a.png', contentType: 'image/png', data: png },
        { name: 'manual', filename: 'manual.pdf', contentType: 'application/pdf', data: halfAFile() },
      ]);
      // Wait until Guichet holds bytes of the manual, then go away.
      await eventuallyPasses(async () => {
        assert.equal(app.uploadIds().length - idsBefore, 2);
        assert.ok((await guichet.inProgressBytes()) > 0);
      });
      post.disconnect();
      release();
      const answer = await post.answer;
      assert.equal(answer.status, undefined);
      const uploads = app.uploadIds().slice(idsBefore);
      await eventuallyPasses(() => assertForgotten(uploads));
      await eventuallyPasses(async () => assert.equal(await guichet.inProgressBytes(), 0));
      assert.deepEqual(await objectKeys(), keysBefore, `uploads ${uploads.join(', ')}`);
    });

    it('discards every staged file when the handler throws', async () => {
      const keysBefore = await objectKeys();
      const answer = await submit('/products/failing', [
        ...product(),
        { name: 'images', filename: 'a.png', contentType: 'image/png', data: png },
        { name: 'images', filename: 'b.png', contentType: 'image/png', data: png },
      ]);
      assert.equal(answer.status, 500, JSON.stringify(answer.body));
      assert.equal(answer.uploads.length, 2);
      await assertKeptNothing(answer.uploads, keysBefore);
    });

    it('does not commit again files the handler committed itself', async () => {
      const answer = await submit('/products/self-commit', [
        ...product(),
        { name: 'images', filename: 'a.png', contentType: 'image/png', data: png },
      ]);
      // A second commit of committed files would be refused (not_staged) and answer 422.
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const committed = answer.body.committedByHandler as Array<{ id: string; contentType: string }>;
      assert.deepEqual(
        committed.map((view) => [view.id, view.contentType]),
        [[answer.uploads[0], 'image/png']],
      );
      assert.ok((await guichet.client.get(committed[0]?.id ?? '')).committedAt);
      committedFiles += committed.length;
    });
  });
}

describe('after both adapters', () => {
  it('Guichet holds exactly the committed files: no staged record, no orphan object', async () => {
    const keys = await objectKeys();
    assert.equal(keys.length, committedFiles);
    const counts = await guichet.stopAndCountRecords();
    assert.deepEqual(counts, { committed: committedFiles });
  });
});
