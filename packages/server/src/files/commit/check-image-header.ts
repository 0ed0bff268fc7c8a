import sharp from 'sharp';
import type { ObjectsPort } from '../../ports/objects/objects-port.ts';
import type { Purpose } from '../purposes/purpose.ts';
import type { StoredFileRow } from '../uploads/stored-file-store.ts';
import type { CommitFailure } from './commit-failure.ts';
import { longHeaderBytes, readObjectHead } from './read-object-head.ts';

/** sharp's own default ceiling: no purpose may let a bigger image through to the variant worker. */
const absoluteMaxPixels = 268_402_689;

async function dimensions(bytes: Buffer): Promise<{ width: number; height: number } | undefined> {
  try {
    // metadata() parses the header only: nothing is decoded, so a declared 10-gigapixel image costs
    // nothing, and sharp's own pixel limit is lifted here so the purpose's rule can name the size.
    const { width, height } = await sharp(bytes, { failOn: 'none', limitInputPixels: false }).metadata();
    return width > 0 && height > 0 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

/** Reads an image's declared size from its header and refuses decompression bombs before any decoding. */
export async function checkImageHeader(
  objects: ObjectsPort,
  upload: StoredFileRow,
  facts: { head: Buffer; size: number },
  purpose: Purpose,
): Promise<{ width: number; height: number } | CommitFailure> {
  let found = await dimensions(facts.head);
  if (found === undefined && facts.size > facts.head.length)
    found = await dimensions(await readObjectHead(objects, upload.object_key, facts.size, longHeaderBytes));
  if (found === undefined)
    return { id: upload.id, reason: 'unreadable_image', detail: 'the image header cannot be read' };
  const { width, height } = found;
  const pixels = width * height;
  const maxPixels = Math.min(purpose.maxPixels ?? absoluteMaxPixels, absoluteMaxPixels);
  const tooBig =
    pixels > maxPixels
      ? `${width}×${height} is ${pixels} pixels; at most ${maxPixels}`
      : purpose.maxWidth !== null && width > purpose.maxWidth
        ? `${width} pixels wide; at most ${purpose.maxWidth}`
        : purpose.maxHeight !== null && height > purpose.maxHeight
          ? `${height} pixels tall; at most ${purpose.maxHeight}`
          : undefined;
  if (tooBig !== undefined) return { id: upload.id, reason: 'image_too_large', detail: tooBig };
  return { width, height };
}
