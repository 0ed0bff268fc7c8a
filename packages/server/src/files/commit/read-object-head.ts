import type { ObjectsPort } from '../../ports/objects/objects-port.ts';

/** Enough for the type signatures of every sniffable format and for most image headers. */
export const sniffBytes = 64 * 1024;
/** A second, longer look for images whose header sits behind large metadata (JPEG EXIF, XMP). */
export const longHeaderBytes = 1024 * 1024;

/** The first `length` bytes of an object (fewer when it is shorter): one ranged read, never the whole object. */
export async function readObjectHead(
  objects: ObjectsPort,
  key: string,
  size: number,
  length: number,
): Promise<Buffer> {
  if (size === 0) return Buffer.alloc(0);
  const stream = await objects.get(key, { start: 0, end: Math.min(size, length) - 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
