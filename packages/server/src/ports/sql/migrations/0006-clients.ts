import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_client')
    .addColumn('client_id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) =>
      column.notNull().check(sql`kind in ('confidential', 'public', 'service')`),
    )
    .addColumn('metadata', 'jsonb', (column) => column.notNull())
    .addColumn('secret_sealed', 'text')
    .addColumn('first_party', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    // Public clients authenticate with nothing; every other kind must have a secret.
    .addCheckConstraint('oidc_client_secret_by_kind', sql`(kind = 'public') = (secret_sealed is null)`)
    .execute();
}
