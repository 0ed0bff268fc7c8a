import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('file_purpose')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('types', sql`text[]`, (column) => column.notNull())
    .addColumn('max_bytes', 'bigint', (column) => column.notNull())
    .addColumn('max_count', 'integer', (column) => column.notNull())
    .addColumn('max_pixels', 'bigint')
    .addColumn('max_width', 'integer')
    .addColumn('max_height', 'integer')
    .addColumn('variants', 'jsonb', (column) => column.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  // One row per upload, from the moment its URL is signed: the object key never changes, only the
  // state does, so committing never copies bytes.
  await db.schema
    .createTable('stored_file')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('business_id', 'text', (column) =>
      column.notNull().references('business.id').onDelete('cascade'),
    )
    .addColumn('purpose', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull().check(sql`state in ('staged', 'committed')`))
    .addColumn('object_key', 'text', (column) => column.notNull().unique())
    .addColumn('filename', 'text', (column) => column.notNull())
    .addColumn('declared_type', 'text')
    .addColumn('declared_size', 'bigint')
    .addColumn('max_bytes', 'bigint', (column) => column.notNull())
    .addColumn('content_type', 'text')
    .addColumn('size', 'bigint')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('staged_until', 'timestamptz')
    .addColumn('committed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('stored_file_business')
    .on('stored_file')
    .columns(['business_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('stored_file_staged_until')
    .on('stored_file')
    .column('staged_until')
    .where(sql.ref('state'), '=', 'staged')
    .execute();

  // Image variants double as their own durable job queue: a pending row is work to do.
  await db.schema
    .createTable('file_variant')
    .addColumn('file_id', 'text', (column) =>
      column.notNull().references('stored_file.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('object_key', 'text', (column) => column.notNull().unique())
    .addColumn('state', 'text', (column) =>
      column.notNull().check(sql`state in ('pending', 'ready', 'failed')`),
    )
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('content_type', 'text')
    .addColumn('size', 'bigint')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('file_variant_pk', ['file_id', 'name'])
    .execute();
  await db.schema
    .createIndex('file_variant_pending')
    .on('file_variant')
    .column('next_attempt_at')
    .where(sql.ref('state'), '=', 'pending')
    .execute();

  // Background jobs that exactly one instance may run at a time hold a lease here.
  await db.schema
    .createTable('job_lease')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('holder', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .execute();
}
