import { randomBytes } from 'node:crypto';

/** The start of a PDF: enough for sniffing to say application/pdf. */
export const pdfHeader = Buffer.from(
  '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n',
  'latin1',
);

/** Counts what a generated stream handed out so far. */
export interface Produced {
  bytes: number;
}

/**
 * `total` bytes starting with `header`, made chunk by chunk as they are pulled (never held whole):
 * `produced.bytes` says how far the consumer has read.
 */
export async function* generatedBytes(
  total: number,
  header: Buffer = pdfHeader,
  produced: Produced = { bytes: 0 },
  chunkSize = 64 * 1024,
): AsyncGenerator<Buffer> {
  const filler = randomBytes(chunkSize);
  let left = total;
  if (header.length > 0) {
    const first = header.subarray(0, Math.min(header.length, left));
    left -= first.length;
    produced.bytes += first.length;
    yield first;
  }
  while (left > 0) {
    const size = Math.min(chunkSize, left);
    // Views of one buffer that nobody writes to: what the process holds is then the pipeline's own
    // buffering, not garbage this generator made and the collector has not reclaimed yet.
    const chunk = filler.subarray(0, size);
    left -= size;
    produced.bytes += size;
    yield chunk;
  }
}
