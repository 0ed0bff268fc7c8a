import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('session_context')
    .addColumn('sid', 'text', (column) => column.primaryKey())
    .addColumn('session_uid', 'text', (column) => column.notNull().unique())
    .addColumn('account_id', 'text', (column) =>
      column.notNull().references('account.id').onDelete('cascade'),
    )
    .addColumn('business_id', 'text', (column) => column.references('business.id').onDelete('set null'))
    .addColumn('auth_time', 'timestamptz', (column) => column.notNull())
    .addColumn('amr', sql`text[]`, (column) => column.notNull())
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('session_context_account').on('session_context').column('account_id').execute();
  await db.schema
    .createTable('business_choice')
    .addColumn('account_id', 'text', (column) =>
      column.primaryKey().references('account.id').onDelete('cascade'),
    )
    .addColumn('business_id', 'text', (column) =>
      column.notNull().references('business.id').onDelete('cascade'),
    )
    .addColumn('chosen_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
}
