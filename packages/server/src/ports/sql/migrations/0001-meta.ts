import { type Kysely, sql } from 'kysely';

// Migrations take an untyped Kysely: they run against the schema as it was, not as `Database` says it is now.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('guichet_meta')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
}
