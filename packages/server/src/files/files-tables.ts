import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp } from '../ports/sql/schema.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** PostgreSQL returns bigint as text: the stores convert with Number() (sizes stay far below 2^53). */
type BigintColumn = ColumnType<string, number | string, number | string>;
type NullableBigint = ColumnType<string | null, number | string | null | undefined, number | string | null>;

/** One variant a purpose asks for, e.g. `{ name: 'thumb', width: 320, height: 320, fit: 'cover' }`. */
export interface VariantSpec {
  name: string;
  width: number;
  height: number;
  fit: 'cover' | 'contain' | 'inside';
  format: 'webp' | 'jpeg' | 'png' | 'avif';
}

/** The rules an upload of a given purpose must pass at commit. */
export interface FilePurposeTable {
  name: string;
  types: ColumnType<string[], string[], string[]>;
  max_bytes: BigintColumn;
  max_count: number;
  max_pixels: NullableBigint;
  max_width: number | null;
  max_height: number | null;
  variants: ColumnType<VariantSpec[], string, string>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export type StoredFileState = 'staged' | 'committed';

/** An upload (state `staged`) or, once committed, a file. Its object key never changes. */
export interface StoredFileTable {
  id: string;
  business_id: string;
  purpose: string;
  state: StoredFileState;
  object_key: string;
  filename: string;
  declared_type: string | null;
  declared_size: NullableBigint;
  max_bytes: BigintColumn;
  /** Sniffed from the bytes at commit; null while staged. */
  content_type: string | null;
  size: NullableBigint;
  width: number | null;
  height: number | null;
  /** The subject who created the upload. */
  created_by: string;
  created_at: DefaultedTimestamp;
  /** Staged uploads past this are the janitor's; null once committed. */
  staged_until: NullableTimestamp;
  committed_at: NullableTimestamp;
}

export type FileVariantState = 'pending' | 'ready' | 'failed';

/** A derived image, and the durable job that makes it. */
export interface FileVariantTable {
  file_id: string;
  name: string;
  object_key: string;
  state: FileVariantState;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultedTimestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  content_type: string | null;
  size: NullableBigint;
  width: number | null;
  height: number | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** Exactly-one-instance background work: whoever holds an unexpired lease runs it. */
export interface JobLeaseTable {
  name: string;
  holder: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export type FilesTables = {
  file_purpose: FilePurposeTable;
  stored_file: StoredFileTable;
  file_variant: FileVariantTable;
  job_lease: JobLeaseTable;
};
