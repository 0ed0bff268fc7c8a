import type { VariantSpec } from '../files-tables.ts';

/** The rules uploads of one purpose must pass at commit, and the variants made after. */
export interface Purpose {
  name: string;
  /** Media types accepted, as sniffed from the bytes. */
  types: string[];
  maxBytes: number;
  /** Most uploads of this purpose in one commit. */
  maxCount: number;
  /** For images: most pixels (width × height), widest and tallest. */
  maxPixels: number | null;
  maxWidth: number | null;
  maxHeight: number | null;
  variants: VariantSpec[];
}

/** Types sharp can read dimensions and make variants from. */
export const imageTypes: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/heic',
  'image/tiff',
]);

/** Types the commit can recognise from their first bytes; a purpose may only name these. */
export const sniffableTypes: readonly string[] = [
  ...imageTypes,
  'application/pdf',
  'application/zip',
  'audio/mpeg',
  'video/mp4',
];
