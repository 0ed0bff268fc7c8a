import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('business')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('slug', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  // Listing pages through businesses in creation order.
  await db.schema
    .createIndex('business_created_at_id')
    .on('business')
    .columns(['created_at', 'id'])
    .execute();

  await db.schema
    .createTable('membership')
    .addColumn('business_id', 'text', (column) =>
      column.notNull().references('business.id').onDelete('cascade'),
    )
    .addColumn('account_id', 'text', (column) =>
      column.notNull().references('account.id').onDelete('cascade'),
    )
    .addColumn('roles', sql`text[]`, (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('membership_pkey', ['business_id', 'account_id'])
    // The code checks role names; the database still refuses a membership without any.
    .addCheckConstraint('membership_has_roles', sql`cardinality(roles) >= 1`)
    .execute();
  // "Which businesses does this person belong to", asked at every sign-in and business switch.
  await db.schema.createIndex('membership_account_id').on('membership').column('account_id').execute();
}
