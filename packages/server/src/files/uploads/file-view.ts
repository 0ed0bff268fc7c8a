import type { FileVariantRow, StoredFileRow } from './stored-file-store.ts';

export interface FileVariantView {
  name: string;
  state: 'pending' | 'ready' | 'failed';
  width: number | null;
  height: number | null;
}

/** A committed file as the REST API shows it. */
export interface FileView {
  id: string;
  purpose: string;
  filename: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  createdAt: string;
  committedAt: string;
  variants: FileVariantView[];
}

export function toFileView(row: StoredFileRow, variants: readonly FileVariantRow[]): FileView {
  return {
    id: row.id,
    purpose: row.purpose,
    filename: row.filename,
    contentType: row.content_type ?? 'application/octet-stream',
    size: Number(row.size ?? 0),
    width: row.width,
    height: row.height,
    createdAt: row.created_at.toISOString(),
    committedAt: (row.committed_at ?? row.created_at).toISOString(),
    variants: variants
      .filter((variant) => variant.file_id === row.id)
      .map((variant) => ({
        name: variant.name,
        state: variant.state,
        width: variant.width,
        height: variant.height,
      })),
  };
}

const variantViewSchema = {
  type: 'object',
  required: ['name', 'state', 'width', 'height'],
  properties: {
    name: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'ready', 'failed'] },
    width: { type: ['integer', 'null'] },
    height: { type: ['integer', 'null'] },
  },
} as const;

export const fileViewProperties = {
  id: { type: 'string' },
  purpose: { type: 'string' },
  filename: { type: 'string' },
  contentType: { type: 'string', description: 'sniffed from the bytes at commit' },
  size: { type: 'integer' },
  width: { type: ['integer', 'null'] },
  height: { type: ['integer', 'null'] },
  createdAt: { type: 'string', format: 'date-time' },
  committedAt: { type: 'string', format: 'date-time' },
  variants: { type: 'array', items: variantViewSchema },
} as const;

export const fileViewSchema = {
  type: 'object',
  required: Object.keys(fileViewProperties),
  properties: fileViewProperties,
} as const;
