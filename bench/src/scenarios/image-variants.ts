import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { fileObjectKey, newFileId, variantObjectKey } from '../../../packages/server/src/files/file-keys.ts';
import type { VariantSpec } from '../../../packages/server/src/files/files-tables.ts';
import { defaultLimitInputPixels } from '../../../packages/server/src/files/variants/render-variant.ts';
import { defaultVariantConcurrency } from '../../../packages/server/src/files/variants/variant-worker.ts';
import { variantsQueuedChannel } from '../../../packages/server/src/files/variants/variants-queued.ts';
import { createFsObjects } from '../../../packages/server/src/ports/objects/fs-driver.ts';
import { openPostgresSql } from '../../../packages/server/src/ports/sql/postgres-driver.ts';
import type { SqlPort } from '../../../packages/server/src/ports/sql/sql-port.ts';
import { runChildForJson } from '../harness/child-json.ts';
import { sampleEventLoop } from '../harness/event-loop-sampler.ts';
import { alternate, median } from '../harness/load.ts';
import { startProductionGuichet } from '../harness/production-guichet.ts';
import { guichetPrefix } from '../harness/redis-bench-database.ts';
import type { Scenario } from '../harness/scenario.ts';

const rawSharp = fileURLToPath(new URL('../baselines/raw-sharp.ts', import.meta.url));
/** The issue's targets: at least 0.8 of raw sharp's variants/s, event-loop p99 under 50 ms. */
const targetRatio = 0.8;
const targetEventLoopP99Ms = 50;

const specs: VariantSpec[] = [
  { name: 'thumb', width: 320, height: 320, fit: 'cover', format: 'webp' },
  { name: 'medium', width: 1280, height: 1280, fit: 'inside', format: 'jpeg' },
];
const imageSize = { width: 3000, height: 2000 };

/** A photo-like JPEG: a gradient with fine detail, so the encoder has real work to do. */
async function sourceImage(): Promise<Buffer> {
  const { width, height } = imageSize;
  const pixels = Buffer.alloc(width * height * 3);
  const noise = randomBytes(width * height);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    const grain = (noise[i] ?? 0) >> 3;
    pixels[i * 3] = ((x * 255) / width + grain) & 255;
    pixels[i * 3 + 1] = ((y * 255) / height + grain) & 255;
    pixels[i * 3 + 2] = (((x + y) * 128) / (width + height) + grain) & 255;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** One round of either side: variants made, in how long, and the event loop's p99 per window. */
interface Round {
  perSecond: number;
  variants: number;
  seconds: number;
  eventLoopWindowsMs: number[];
}

/**
 * Variants per second of a Guichet server (PostgreSQL, filesystem objects) making the variants of
 * freshly committed images with its background worker, against raw sharp doing the same renders.
 */
export const imageVariants: Scenario = {
  name: 'image-variants',
  description: 'image variants/s by the background worker vs raw sharp, same settings; event-loop p99',
  async run(options) {
    const cleanups: Array<() => Promise<unknown>> = [];
    try {
      const guichet = await startProductionGuichet();
      cleanups.push(guichet.stop);
      const { url, dataDir } = guichet;
      // Redis carries the commit's wake-up to the worker, as in production.
      const redis = new Redis(guichet.redisUrl, { lazyConnect: true });
      await redis.connect();
      cleanups.push(async () => {
        redis.disconnect();
      });
      const sql: SqlPort = await openPostgresSql(guichet.databaseUrl);
      cleanups.push(() => sql.close());
      // The server's own object store, written from here: same directory, same atomic rename.
      const objects = await createFsObjects({
        root: path.join(dataDir, 'objects'),
        publicBaseUrl: url,
        signingKey: randomBytes(32),
      });

      const image = await sourceImage();
      const imagePath = path.join(dataDir, 'source.jpg');
      await writeFile(imagePath, image);
      const rawOut = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-raw-sharp-'));
      cleanups.push(() => rm(rawOut, { recursive: true, force: true }));
      const businessId = `biz_${randomBytes(8).toString('hex')}`;
      await sql.db
        .insertInto('business')
        .values({ id: businessId, name: 'Bench', slug: 'bench-variants' })
        .execute();
      await sql.db
        .insertInto('file_purpose')
        .values({
          name: 'bench-photo',
          types: ['image/jpeg'],
          max_bytes: 50_000_000,
          max_count: 100,
          max_pixels: null,
          variants: JSON.stringify(specs),
        })
        .execute();
      const concurrency = defaultVariantConcurrency();

      const rawRound = async (ms: number): Promise<Round> => {
        const result = await runChildForJson<Omit<Round, 'perSecond'>>(rawSharp, {
          IMAGE: imagePath,
          OUT_DIR: rawOut,
          SPECS: JSON.stringify(specs),
          CONCURRENCY: String(concurrency),
          DURATION_MS: String(ms),
          LIMIT_INPUT_PIXELS: String(defaultLimitInputPixels),
        });
        return { ...result, perSecond: result.variants / result.seconds };
      };

      /** Commits `files` images (rows and objects first), then times the worker through all their variants. */
      const subjectRound = async (files: number): Promise<Round> => {
        const ids: string[] = [];
        for (let i = 0; i < files; i++) {
          const id = newFileId();
          ids.push(id);
          await objects.put(fileObjectKey(id), Readable.from([image]), { size: image.length });
        }
        await sql.db
          .insertInto('stored_file')
          .values(
            ids.map((id) => ({
              id,
              business_id: businessId,
              purpose: 'bench-photo',
              state: 'committed' as const,
              object_key: fileObjectKey(id),
              filename: 'photo.jpg',
              max_bytes: 50_000_000,
              content_type: 'image/jpeg',
              size: image.length,
              width: imageSize.width,
              height: imageSize.height,
              created_by: 'bench',
              committed_at: new Date(),
            })),
          )
          .execute();
        const sampler = await sampleEventLoop(url);
        const start = performance.now();
        // What commit does: one pending row per spec, then a word on the channel wakes the workers.
        await sql.db
          .insertInto('file_variant')
          .values(
            ids.flatMap((id) =>
              specs.map((spec) => ({
                file_id: id,
                name: spec.name,
                object_key: variantObjectKey(id, spec.name),
                state: 'pending' as const,
              })),
            ),
          )
          .execute();
        await redis.publish(`${guichetPrefix}${variantsQueuedChannel}`, '');
        const total = ids.length * specs.length;
        for (;;) {
          const rows = await sql.db
            .selectFrom('file_variant')
            .select(['state', (eb) => eb.fn.countAll<string>().as('count')])
            .where('file_id', 'in', ids)
            .groupBy('state')
            .execute();
          const count = (state: string) => Number(rows.find((row) => row.state === state)?.count ?? 0);
          if (count('failed') > 0) throw new Error('guichet: invalid run, a variant failed');
          if (count('ready') === total) break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        const seconds = (performance.now() - start) / 1000;
        const eventLoopWindowsMs = await sampler.stop();
        return { perSecond: total / seconds, variants: total, seconds, eventLoopWindowsMs };
      };

      const durationMs = options.duration * 1000;
      // Warm-up, and the size of a subject round: as many images as raw sharp gets through in one.
      const calibration = await rawRound(Math.min(durationMs, 2000));
      const files = Math.max(2, Math.round((calibration.perSecond * options.duration) / specs.length));
      await subjectRound(2);
      const rounds = await alternate(
        options.rounds,
        () => subjectRound(files),
        () => rawRound(durationMs),
      );
      const windows = rounds.subject.flatMap((round) => round.eventLoopWindowsMs);
      const rawWindows = rounds.baseline.flatMap((round) => round.eventLoopWindowsMs);
      const subject = {
        value: median(rounds.subject.map((r) => r.perSecond)),
        rounds: rounds.subject.map((r) => r.perSecond),
        variants: rounds.subject.reduce((sum, r) => sum + r.variants, 0),
        eventLoopP99MaxMs: Math.max(...windows),
        eventLoopP99MedianMs: median(windows),
      };
      const baseline = {
        value: median(rounds.baseline.map((r) => r.perSecond)),
        rounds: rounds.baseline.map((r) => r.perSecond),
        variants: rounds.baseline.reduce((sum, r) => sum + r.variants, 0),
        eventLoopP99MaxMs: Math.max(...rawWindows),
      };
      const ratio = subject.value / baseline.value;
      const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
      const format = (ms: number) => ms.toFixed(1);
      return {
        scenario: 'image-variants',
        unit: 'variants per second',
        subject,
        baseline,
        ratio,
        notes: [
          `guichet: the server's variant worker (${concurrency} at a time) from commit (pending rows inserted) ` +
            `to every variant ready, objects on the filesystem, PostgreSQL; baseline: raw sharp in its own ` +
            `process, ${concurrency} at a time, file to buffer to file`,
          `${imageSize.width}x${imageSize.height} JPEG source; variants ${specs
            .map((s) => `${s.name} ${s.width}x${s.height} ${s.fit} ${s.format}`)
            .join(', ')}; same sharp pipeline (limitInputPixels, rotate, resize, encoder settings)`,
          `target ratio >= ${targetRatio}: ${verdict(ratio >= targetRatio)} (${ratio.toFixed(3)})`,
          `event-loop p99 over 500 ms windows while the worker renders: max ${format(subject.eventLoopP99MaxMs)} ms, ` +
            `median ${format(subject.eventLoopP99MedianMs)} ms (10 ms timer floor); target < ${targetEventLoopP99Ms} ms: ` +
            `${verdict(subject.eventLoopP99MaxMs < targetEventLoopP99Ms)}`,
          `raw sharp's own event-loop p99 max ${format(baseline.eventLoopP99MaxMs)} ms`,
          `a subject round includes the worker's pick-up delay (it polls every 500 ms when idle), ${files} images each`,
        ],
      };
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    }
  },
};
