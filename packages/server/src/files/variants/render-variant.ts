import type { Readable } from 'node:stream';
import sharp, { type Sharp } from 'sharp';
import type { VariantSpec } from '../files-tables.ts';

/** Used when the purpose sets no max_pixels: commit accepted the image, but a variant must still be bounded. */
export const defaultLimitInputPixels = 100_000_000;

const contentTypes: Record<VariantSpec['format'], string> = {
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
  avif: 'image/avif',
};

export function variantContentType(format: VariantSpec['format']): string {
  return contentTypes[format];
}

export interface VariantRenderSettings {
  limitInputPixels: number;
}

/**
 * The sharp pipeline for one variant: a duplex stream, image bytes in, variant bytes out. libvips
 * decodes and encodes on the libuv thread pool, never on the event loop. The bench's raw-sharp
 * baseline builds its pipeline here too, so both sides use the same settings.
 */
export function variantTransformer(spec: VariantSpec, settings: VariantRenderSettings): Sharp {
  // failOn 'error': a truncated upload fails instead of becoming a half-grey thumbnail.
  const pipeline = sharp({
    limitInputPixels: settings.limitInputPixels,
    failOn: 'error',
    sequentialRead: true,
  })
    // Applies the EXIF orientation, so phone photos are not sideways once the metadata is gone.
    .rotate()
    .resize({ width: spec.width, height: spec.height, fit: spec.fit, withoutEnlargement: true });
  switch (spec.format) {
    case 'webp':
      return pipeline.webp({ quality: 80 });
    case 'jpeg':
      return pipeline.jpeg({ quality: 80, mozjpeg: true });
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
    case 'avif':
      return pipeline.avif({ quality: 50, effort: 4 });
  }
}

/** Sharp could not make the variant out of these bytes (not an image, corrupt, too many pixels): retrying cannot help. */
export class VariantImageError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'VariantImageError';
  }
}

export interface RenderedVariant {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Streams `source` through the variant's sharp pipeline. The output is collected: a variant is bounded
 * by its spec's dimensions, and knowing its size lets the S3 driver send one PutObject. A failure of
 * the source stream (the store) stays a plain error; a failure of sharp becomes VariantImageError.
 */
export async function renderVariant(
  source: Readable,
  spec: VariantSpec,
  settings: VariantRenderSettings,
): Promise<RenderedVariant> {
  const transformer = variantTransformer(spec, settings);
  let sourceError: Error | undefined;
  source.on('error', (error) => {
    sourceError = error;
    transformer.destroy(error);
  });
  source.pipe(transformer);
  try {
    const { data, info } = await transformer.toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (error) {
    if (sourceError !== undefined) throw sourceError;
    throw new VariantImageError(error instanceof Error ? error : new Error(String(error)));
  } finally {
    source.destroy();
  }
}
