import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import {
  type FilesMember,
  type FilesWorld,
  filesApi,
  type ObjectsDriver,
  stageBytes,
  startFilesWorld,
} from '../support/files-world.ts';
import { pngDeclaring, pngImage, windowsExecutable } from '../support/test-images.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Failure {
  id: string;
  reason: string;
  detail: string;
}

function assertProblem(
  result: { status: number; headers: Headers; json: Record<string, unknown> },
  status: number,
) {
  assert.equal(result.status, status, JSON.stringify(result.json));
  assert.match(result.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(result.json.status, status);
  assert.equal(typeof result.json.title, 'string');
}

for (const driver of ['fs', 's3'] as ObjectsDriver[]) {
  describe(`files API (${driver} driver)`, () => {
    let world: FilesWorld;
    let ada: FilesMember;
    let bob: FilesMember;
    let photo: Buffer;

    before(async () => {
      world = await startFilesWorld(driver);
      await world.setPurpose('photo', {
        types: ['image/png', 'image/jpeg'],
        maxBytes: 2_000_000,
        maxCount: 2,
        maxPixels: 4_000_000,
        variants: [{ name: 'thumb', width: 64, height: 64 }],
      });
      await world.setPurpose('doc', { types: ['application/pdf'], maxBytes: 1000, maxCount: 1 });
      [ada, bob] = await Promise.all([world.member(), world.member()]);
      photo = await pngImage(320, 200);
    });
    after(async () => {
      await world?.stop();
    });

    it('stages, commits and serves files of the caller’s business', async () => {
      const first = await stageBytes(world, ada, { purpose: 'photo', filename: 'a.png', bytes: photo });
      const second = await stageBytes(world, ada, {
        purpose: 'photo',
        filename: 'b.png',
        bytes: photo,
        declareSize: false,
      });
      assert.equal(first.putStatus, 200);
      assert.equal(second.putStatus, 200);

      const committed = await filesApi(world, ada, 'POST', '/files/commit', {
        uploads: [first.id, second.id],
      });
      assert.equal(committed.status, 200, JSON.stringify(committed.json));
      const files = committed.json.files as Array<Record<string, unknown>>;
      assert.deepEqual(
        files.map((file) => [file.id, file.contentType, file.size, file.width, file.height, file.filename]),
        [
          [first.id, 'image/png', photo.length, 320, 200, 'a.png'],
          [second.id, 'image/png', photo.length, 320, 200, 'b.png'],
        ],
      );
      assert.deepEqual(
        ((files[0]?.variants ?? []) as Array<{ name: string }>).map((variant) => variant.name),
        ['thumb'],
      );

      const shown = await filesApi(world, ada, 'GET', `/files/${first.id}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.headers.get('cache-control'), 'no-store');
      const download = await fetch(shown.json.url as string);
      assert.equal(download.status, 200);
      assert.equal(sha256(Buffer.from(await download.arrayBuffer())), sha256(photo));
      if (driver === 'fs') {
        // Guichet's signed URLs serve other origins: apps show the images in their own pages.
        assert.equal(download.headers.get('access-control-allow-origin'), '*');
        assert.equal(download.headers.get('cross-origin-resource-policy'), 'cross-origin');
        const preflight = await fetch(shown.json.url as string, {
          method: 'OPTIONS',
          headers: { origin: 'http://shop.example.test', 'access-control-request-method': 'PUT' },
        });
        assert.equal(preflight.status, 204);
        assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /PUT/);
      }

      // Committing twice is refused, and changes nothing.
      const again = await filesApi(world, ada, 'POST', '/files/commit', { uploads: [first.id] });
      assertProblem(again, 422);
      assert.deepEqual(
        (again.json.errors as Failure[]).map((error) => error.reason),
        ['not_staged'],
      );
    });

    it('makes the purpose’s variants soon after the commit and serves them', async () => {
      const file = await stageBytes(world, ada, { purpose: 'photo', filename: 'variant.png', bytes: photo });
      assert.equal((await filesApi(world, ada, 'POST', '/files/commit', { uploads: [file.id] })).status, 200);
      const started = Date.now();
      let answer = await filesApi(world, ada, 'GET', `/files/${file.id}?variant=thumb`);
      while (answer.status === 409 && Date.now() - started < 10_000) {
        assert.equal(answer.json.state, 'pending');
        await sleep(50);
        answer = await filesApi(world, ada, 'GET', `/files/${file.id}?variant=thumb`);
      }
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const thumb = Buffer.from(await (await fetch(answer.json.url as string)).arrayBuffer());
      const { width, height, format } = await sharp(thumb).metadata();
      assert.deepEqual([width, height, format], [64, 64, 'webp']);
      assertProblem(await filesApi(world, ada, 'GET', `/files/${file.id}?variant=huge`), 404);
    });

    it('refuses a renamed executable, a pixel bomb and one file too many, committing nothing', async () => {
      const before = await world.objectKeys('files/');
      const exe = await stageBytes(world, ada, {
        purpose: 'photo',
        filename: 'holiday.png',
        contentType: 'image/png',
        bytes: windowsExecutable(),
      });
      const bomb = await stageBytes(world, ada, {
        purpose: 'photo',
        filename: 'bomb.png',
        bytes: pngDeclaring(100_000, 100_000),
      });
      const fine = await stageBytes(world, ada, { purpose: 'photo', filename: 'ok.png', bytes: photo });
      const refused = await filesApi(world, ada, 'POST', '/files/commit', {
        uploads: [fine.id, exe.id, bomb.id],
      });
      assertProblem(refused, 422);
      const reasons = Object.fromEntries(
        (refused.json.errors as Failure[]).map((error) => [error.id, error.reason]),
      );
      assert.deepEqual(reasons, { [bomb.id]: 'too_many' });

      const twoOnly = await filesApi(world, ada, 'POST', '/files/commit', { uploads: [exe.id, bomb.id] });
      assertProblem(twoOnly, 422);
      const byId = Object.fromEntries((twoOnly.json.errors as Failure[]).map((error) => [error.id, error]));
      assert.equal(byId[exe.id]?.reason, 'type_not_allowed');
      assert.match(byId[exe.id]?.detail ?? '', /x-msdownload/);
      assert.equal(byId[bomb.id]?.reason, 'image_too_large');
      assert.match(byId[bomb.id]?.detail ?? '', /100000×100000/);

      // Nothing was committed: the fine upload is still staged and committable alone.
      for (const id of [fine.id, exe.id, bomb.id]) {
        assertProblem(await filesApi(world, ada, 'GET', `/files/${id}`), 404);
      }
      // Discarding leaves the storage as it was.
      for (const id of [fine.id, exe.id, bomb.id]) {
        assert.equal((await filesApi(world, ada, 'DELETE', `/files/uploads/${id}`)).status, 204);
      }
      assert.deepEqual(await world.objectKeys('files/'), before);
    });

    it('answers bad input with problem details and keeps nothing', async () => {
      const before = await world.objectKeys('files/');
      assertProblem(await filesApi(world, ada, 'POST', '/files/uploads', { purpose: 'photo' }), 400);
      assertProblem(
        await filesApi(world, ada, 'POST', '/files/uploads', { purpose: 'photo', filename: 'x', extra: 1 }),
        400,
      );
      assertProblem(
        await filesApi(world, ada, 'POST', '/files/uploads', { purpose: 'nope', filename: 'x' }),
        422,
      );
      assertProblem(
        await filesApi(world, ada, 'POST', '/files/uploads', {
          purpose: 'photo',
          filename: 'x',
          size: 2_000_001,
        }),
        413,
      );
      assertProblem(
        await filesApi(world, ada, 'POST', '/files/uploads', {
          purpose: 'photo',
          filename: '../../etc/passwd',
        }),
        422,
      );
      assertProblem(
        await filesApi(world, ada, 'POST', '/files/uploads', { purpose: 'photo', filename: 'x'.repeat(300) }),
        400,
      );
      assertProblem(await filesApi(world, ada, 'POST', '/files/commit', { uploads: [] }), 400);
      assertProblem(await filesApi(world, ada, 'POST', '/files/commit', { uploads: ['not-an-id'] }), 400);
      assertProblem(await filesApi(world, ada, 'GET', '/files/not-an-id'), 400);
      const oversized = await fetch(`${world.issuer}/files/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ada.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ purpose: 'photo', filename: 'x'.repeat(20_000) }),
      });
      assert.equal(oversized.status, 413);
      await oversized.arrayBuffer();
      const malformed = await fetch(`${world.issuer}/files/commit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ada.token}`, 'content-type': 'application/json' },
        body: '{"uploads": [',
      });
      assert.equal(malformed.status, 400);
      await malformed.arrayBuffer();
      assert.deepEqual(await world.objectKeys('files/'), before);
    });

    it('refuses callers without a valid person’s token', async () => {
      const anonymous = await fetch(`${world.issuer}/files/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ purpose: 'photo', filename: 'a.png' }),
      });
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
      await anonymous.arrayBuffer();
      assertProblem(
        await filesApi(world, { token: 'forged-token' }, 'POST', '/files/uploads', {
          purpose: 'photo',
          filename: 'a',
        }),
        401,
      );
    });

    it('keeps each business’s uploads and files to itself', async () => {
      const staged = await stageBytes(world, ada, { purpose: 'photo', filename: 'mine.png', bytes: photo });
      const file = await stageBytes(world, ada, { purpose: 'photo', filename: 'kept.png', bytes: photo });
      assert.equal((await filesApi(world, ada, 'POST', '/files/commit', { uploads: [file.id] })).status, 200);

      const commitOther = await filesApi(world, bob, 'POST', '/files/commit', { uploads: [staged.id] });
      assertProblem(commitOther, 422);
      assert.deepEqual(
        (commitOther.json.errors as Failure[]).map((error) => error.reason),
        ['not_found'],
      );
      assertProblem(await filesApi(world, bob, 'DELETE', `/files/uploads/${staged.id}`), 404);
      assertProblem(await filesApi(world, bob, 'GET', `/files/${file.id}`), 404);
      assertProblem(await filesApi(world, bob, 'DELETE', `/files/${file.id}`), 404);

      // Ada's are untouched.
      assert.equal((await filesApi(world, ada, 'GET', `/files/${file.id}`)).status, 200);
      assert.equal(
        (await filesApi(world, ada, 'POST', '/files/commit', { uploads: [staged.id] })).status,
        200,
      );
    });

    it('cuts off an upload past the purpose’s limit and keeps none of it', async () => {
      const created = await filesApi(world, ada, 'POST', '/files/uploads', {
        purpose: 'doc',
        filename: 'big.pdf',
      });
      assert.equal(created.status, 201);
      const { id, url } = created.json as { id: string; url: string };
      let sent = 0;
      const body = Readable.from(
        (async function* () {
          for (let index = 0; index < 64; index += 1) {
            sent += 16 * 1024;
            yield randomBytes(16 * 1024);
            await sleep(5);
          }
        })(),
      );
      const put = await fetch(url, {
        method: 'PUT',
        body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
        duplex: 'half',
      }).catch(() => undefined);
      if (put) {
        assert.equal(put.status, 413);
        await put.arrayBuffer().catch(() => undefined);
      }
      assert.ok(sent < 64 * 16 * 1024, `the server kept reading: ${sent} bytes sent`);
      assert.equal(await world.objects.head(`files/${id}`), undefined);
    });

    // Without a size, the URL is Guichet's own signed endpoint on both drivers (s3rver, which checks
    // no SigV4 signature, is not the one judging here).
    it('refuses a tampered upload URL', async () => {
      const created = await filesApi(world, ada, 'POST', '/files/uploads', {
        purpose: 'photo',
        filename: 'a.png',
      });
      assert.match(created.json.url as string, new RegExp(`^${world.issuer}/objects/`));
      const url = new URL(created.json.url as string);
      url.searchParams.set('max', '100000000');
      const put = await fetch(url, { method: 'PUT', body: randomBytes(10_000) });
      assert.equal(put.status, 403);
      await put.arrayBuffer();
      const otherKey = (created.json.url as string).replace(
        /files\/fil_[a-z2-7]+/,
        `files/fil_${'a'.repeat(26)}`,
      );
      const moved = await fetch(otherKey, { method: 'PUT', body: randomBytes(10) });
      assert.equal(moved.status, 403);
      await moved.arrayBuffer();
      assert.deepEqual(
        (await world.objectKeys('files/')).filter((key) => key.endsWith(`fil_${'a'.repeat(26)}`)),
        [],
      );
    });

    it('never commits bytes that differ from the declared size', async () => {
      const created = await filesApi(world, ada, 'POST', '/files/uploads', {
        purpose: 'photo',
        filename: 'short.png',
        size: photo.length + 100,
      });
      const { id, url, headers } = created.json as {
        id: string;
        url: string;
        headers: Record<string, string>;
      };
      // Guichet's endpoint refuses the short body itself; S3 would too (the length is signed), while
      // s3rver, which checks no signature, stores it: then the commit is what refuses it.
      const put = await fetch(url, { method: 'PUT', headers, body: photo });
      await put.arrayBuffer();
      if (driver === 'fs') assert.equal(put.status, 400);
      const refused = await filesApi(world, ada, 'POST', '/files/commit', { uploads: [id] });
      assertProblem(refused, 422);
      const [failure] = refused.json.errors as Failure[];
      assert.equal(failure?.reason, driver === 'fs' ? 'missing_bytes' : 'size_mismatch');
    });

    it('keeps no bytes of an upload discarded while they were arriving', async () => {
      const created = await filesApi(world, ada, 'POST', '/files/uploads', {
        purpose: 'photo',
        filename: 'slow.png',
      });
      const { id, url } = created.json as { id: string; url: string };
      let discarded = false;
      const body = Readable.from(
        (async function* () {
          yield photo.subarray(0, 1024);
          await sleep(200);
          assert.equal((await filesApi(world, ada, 'DELETE', `/files/uploads/${id}`)).status, 204);
          discarded = true;
          yield photo.subarray(1024);
        })(),
      );
      const put = await fetch(url, {
        method: 'PUT',
        body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
        duplex: 'half',
      });
      assert.ok(discarded);
      assert.equal(put.status, 404);
      await put.arrayBuffer();
      assert.equal(await world.objects.head(`files/${id}`), undefined);
    });

    it('deletes a file and its bytes', async () => {
      const file = await stageBytes(world, ada, { purpose: 'photo', filename: 'gone.png', bytes: photo });
      assert.equal((await filesApi(world, ada, 'POST', '/files/commit', { uploads: [file.id] })).status, 200);
      assert.equal((await filesApi(world, ada, 'DELETE', `/files/${file.id}`)).status, 204);
      assertProblem(await filesApi(world, ada, 'GET', `/files/${file.id}`), 404);
      assert.equal(await world.objects.head(`files/${file.id}`), undefined);
    });

    it('documents every files endpoint in the OpenAPI reference at /docs', async () => {
      const spec = (await (await fetch(`${world.issuer}/docs/json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      assert.deepEqual(Object.keys(spec.paths['/files/uploads'] ?? {}), ['post']);
      assert.deepEqual(Object.keys(spec.paths['/files/uploads/{id}'] ?? {}).sort(), ['delete']);
      assert.deepEqual(Object.keys(spec.paths['/files/commit'] ?? {}), ['post']);
      assert.deepEqual(Object.keys(spec.paths['/files/{id}'] ?? {}).sort(), ['delete', 'get']);
      for (const path of [
        '/context',
        '/session/business',
        '/session/businesses',
        '/healthz',
        '/readyz',
        '/metrics',
      ])
        assert.ok(spec.paths[path], `${path} is documented`);
      // The OpenID Connect endpoints are described by discovery, not here.
      assert.equal(spec.paths['/token'], undefined);
      const page = await fetch(`${world.issuer}/docs/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /swagger/i);
    });
  });
}

for (const driver of ['fs', 's3'] as ObjectsDriver[]) {
  describe(`files API upload URLs expire (${driver} driver)`, () => {
    let world: FilesWorld;
    let ada: FilesMember;
    before(async () => {
      // A two-second staging TTL bounds the upload URL's life too.
      world = await startFilesWorld(driver, { GUICHET_UPLOAD_TTL_SECONDS: '2' });
      await world.setPurpose('photo', { types: ['image/png'], maxBytes: 100_000, maxCount: 1 });
      ada = await world.member();
    });
    after(async () => {
      await world?.stop();
    });

    it('refuses bytes sent to an expired upload URL', async () => {
      const bytes = await pngImage(16, 16);
      for (const declareSize of [true, false]) {
        const created = await filesApi(world, ada, 'POST', '/files/uploads', {
          purpose: 'photo',
          filename: 'late.png',
          ...(declareSize ? { size: bytes.length } : {}),
        });
        assert.equal(created.status, 201);
        const { id, url, headers } = created.json as {
          id: string;
          url: string;
          headers: Record<string, string>;
        };
        assert.ok(Date.parse(created.json.expiresAt as string) <= Date.now() + 2_000);
        await sleep(3_100);
        const put = await fetch(url, { method: 'PUT', headers, body: bytes });
        assert.equal(put.status, 403);
        await put.arrayBuffer();
        assert.equal(await world.objects.head(`files/${id}`), undefined);
      }
    });
  });
}
