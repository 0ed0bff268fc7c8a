// Baseline for `image-variants`: raw sharp making the same variants of the same image with the same
// settings (variantTransformer builds the very sharp pipeline the worker uses), CONCURRENCY images at
// a time, for DURATION_MS after a short warm-up: read the image from a file, render every spec, write
// each output to a file. Prints {variants, seconds, eventLoopWindowsMs} as JSON on stdout, the event
// loop read as Guichet's /metrics reads it (10 ms resolution, p99 per 500 ms window).
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VariantSpec } from '../../../packages/server/src/files/files-tables.ts';
import { variantTransformer } from '../../../packages/server/src/files/variants/render-variant.ts';
import { watchEventLoopWindows } from '../harness/event-loop-windows.ts';

const image = process.env.IMAGE ?? '';
const outDir = process.env.OUT_DIR ?? '';
const specs = JSON.parse(process.env.SPECS ?? '[]') as VariantSpec[];
const concurrency = Number(process.env.CONCURRENCY);
const durationMs = Number(process.env.DURATION_MS);
const limitInputPixels = Number(process.env.LIMIT_INPUT_PIXELS);

let sequence = 0;

async function renderOne(spec: VariantSpec): Promise<void> {
  const transformer = variantTransformer(spec, { limitInputPixels });
  createReadStream(image).pipe(transformer);
  const output = await transformer.toBuffer();
  sequence += 1;
  await writeFile(path.join(outDir, `${sequence}-${spec.name}`), output);
}

async function renderUntil(deadline: number): Promise<number> {
  let variants = 0;
  // One image at a time per lane, its variants one after the other, as one worker slot does them.
  while (performance.now() < deadline) {
    for (const spec of specs) {
      await renderOne(spec);
      variants += 1;
    }
  }
  return variants;
}

async function run(ms: number) {
  const eventLoop = watchEventLoopWindows();
  const start = performance.now();
  const counts = await Promise.all(Array.from({ length: concurrency }, () => renderUntil(start + ms)));
  const seconds = (performance.now() - start) / 1000;
  const eventLoopWindowsMs = eventLoop.stop();
  return { variants: counts.reduce((sum, n) => sum + n, 0), seconds, eventLoopWindowsMs };
}

await run(500);
process.stdout.write(`${JSON.stringify(await run(durationMs))}\n`);
