import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type FilesMember,
  type FilesWorld,
  filesApi,
  type ObjectsDriver,
  startFilesWorld,
} from '../../../packages/server/test/support/files-world.ts';
import { alternate, median } from '../harness/load.ts';
import type { Scenario } from '../harness/scenario.ts';

/** The target: the signed-URL path at least 0.8 of a raw write to the same storage. */
const targetRatio = 0.8;
const uploadBytes = 32 * 1024 * 1024;
const chunkBytes = 64 * 1024;

/** The same bytes every time, sent in 64 KiB chunks as a browser or the SDK would stream them. */
function body(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += chunkBytes)
        yield bytes.subarray(offset, offset + chunkBytes);
    })(),
  );
}

interface Round {
  megabytesPerSecond: number;
  uploads: number;
  seconds: number;
}

async function timed(durationMs: number, once: () => Promise<void>): Promise<Round> {
  const start = performance.now();
  let uploads = 0;
  while (performance.now() - start < durationMs) {
    await once();
    uploads += 1;
  }
  const seconds = (performance.now() - start) / 1000;
  return { megabytesPerSecond: (uploads * uploadBytes) / 1e6 / seconds, uploads, seconds };
}

/** POST /files/uploads with the size, PUT the bytes to the signed URL, then discard the upload. */
async function signedUrlUpload(world: FilesWorld, member: FilesMember, bytes: Buffer): Promise<void> {
  const created = await filesApi(world, member, 'POST', '/files/uploads', {
    purpose: 'bench-blob',
    filename: 'blob.bin',
    size: bytes.length,
  });
  if (created.status !== 201) throw new Error(`guichet: POST /files/uploads answered ${created.status}`);
  const { id, url, headers } = created.json as { id: string; url: string; headers: Record<string, string> };
  // node:http rather than fetch: fetch's web-stream plumbing costs the client more CPU than the
  // server spends, on the same two cores; a browser's native upload costs the server's side nothing.
  const status = await new Promise<number>((resolve, reject) => {
    const request = http.request(url, {
      method: 'PUT',
      headers: { ...headers, 'content-length': String(bytes.length) },
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    body(bytes).pipe(request);
  });
  if (status !== 200) throw new Error(`guichet: PUT to the signed URL answered ${status}`);
  await filesApi(world, member, 'DELETE', `/files/uploads/${id}`);
}

function rawWriter(world: FilesWorld): { write(bytes: Buffer): Promise<void>; close(): Promise<void> } {
  if (world.s3 === undefined) {
    const dir = path.join(world.deployment.main.dataDir, 'objects', 'bench-raw');
    return {
      async write(bytes) {
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, 'blob');
        // flush: the fs driver fsyncs before its rename too.
        await pipeline(body(bytes), createWriteStream(file, { flush: true }));
        await rm(file);
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const { config } = world.s3;
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    async write(bytes) {
      await client.send(
        new PutObjectCommand({
          Bucket: config.bucket,
          Key: 'bench-raw/blob',
          Body: body(bytes),
          ContentLength: bytes.length,
        }),
      );
    },
    async close() {
      client.destroy();
    },
  };
}

async function driverRounds(driver: ObjectsDriver, durationMs: number, rounds: number) {
  const world = await startFilesWorld(driver, { GUICHET_LOG_LEVEL: 'warn' });
  const raw = rawWriter(world);
  try {
    await world.setPurpose('bench-blob', {
      types: ['application/zip'],
      maxBytes: 2 * uploadBytes,
      maxCount: 1,
    });
    const member = await world.member();
    const bytes = Buffer.alloc(uploadBytes, 7);
    await signedUrlUpload(world, member, bytes);
    await raw.write(bytes);
    return await alternate(
      rounds,
      () => timed(durationMs, () => signedUrlUpload(world, member, bytes)),
      () => timed(durationMs, () => raw.write(bytes)),
    );
  } finally {
    await raw.close();
    await world.stop();
  }
}

/**
 * MB/s through the signed-URL path (POST /files/uploads with the size, then PUT to the URL) against
 * a raw write to the same storage, on both object drivers. The reported ratio is the lower of the two.
 */
export const uploadThroughput: Scenario = {
  name: 'upload-throughput',
  description: 'MB/s of signed-URL uploads vs a raw write to the same storage (filesystem and S3)',
  async run(options) {
    const durationMs = options.duration * 1000;
    const fs = await driverRounds('fs', durationMs, options.rounds);
    const s3 = await driverRounds('s3', durationMs, options.rounds);
    const side = (rounds: Round[]) => ({
      value: median(rounds.map((r) => r.megabytesPerSecond)),
      rounds: rounds.map((r) => r.megabytesPerSecond),
      uploads: rounds.reduce((sum, r) => sum + r.uploads, 0),
    });
    const figures = {
      fs: { subject: side(fs.subject), baseline: side(fs.baseline) },
      s3: { subject: side(s3.subject), baseline: side(s3.baseline) },
    };
    const fsRatio = figures.fs.subject.value / figures.fs.baseline.value;
    const s3Ratio = figures.s3.subject.value / figures.s3.baseline.value;
    const worst = fsRatio <= s3Ratio ? 'fs' : 's3';
    const verdict = (ratio: number) => (ratio >= targetRatio ? 'met' : 'MISSED');
    const format = (value: number) => value.toFixed(1);
    return {
      scenario: 'upload-throughput',
      unit: 'MB/s',
      subject: { ...figures[worst].subject, driver: worst, fs: figures.fs.subject, s3: figures.s3.subject },
      baseline: {
        ...figures[worst].baseline,
        driver: worst,
        fs: figures.fs.baseline,
        s3: figures.s3.baseline,
      },
      ratio: Math.min(fsRatio, s3Ratio),
      notes: [
        `the table shows the lower-ratio driver (${worst}); one ${uploadBytes / 1024 / 1024} MiB upload at a time`,
        `filesystem: guichet ${format(figures.fs.subject.value)} MB/s (signed Guichet URL, PUT through Guichet ` +
          `into the fs driver) vs fs.createWriteStream on the same disk ${format(figures.fs.baseline.value)} MB/s: ` +
          `ratio ${fsRatio.toFixed(3)}, target >= ${targetRatio}: ${verdict(fsRatio)}`,
        `s3rver: guichet ${format(figures.s3.subject.value)} MB/s (presigned PUT straight to s3rver) vs a direct ` +
          `PutObject ${format(figures.s3.baseline.value)} MB/s: ratio ${s3Ratio.toFixed(3)}, target >= ${targetRatio}: ` +
          `${verdict(s3Ratio)}`,
        'each guichet upload includes POST /files/uploads and DELETE /files/uploads/{id} (embedded PGlite), ' +
          'timed with the bytes',
      ],
    };
  },
};
