import { type Kysely, sql } from 'kysely';

/**
 * Token signing keys (keys/). The private JWK is sealed with a key derived from the master key; the
 * public one is kept in clear to publish it. At most one active key per algorithm, enforced here too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signing_key')
    .addColumn('kid', 'text', (column) => column.primaryKey())
    .addColumn('alg', 'text', (column) => column.notNull())
    .addColumn('private_jwk_sealed', 'text', (column) => column.notNull())
    .addColumn('public_jwk', 'jsonb', (column) => column.notNull())
    .addColumn('state', 'text', (column) =>
      column.notNull().check(sql`state in ('active', 'previous', 'retired')`),
    )
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('activated_at', 'timestamptz')
    .addColumn('retire_after', 'timestamptz')
    // A previous key is published only until its deadline, so it must have one.
    .addCheckConstraint(
      'signing_key_previous_has_deadline',
      sql`state <> 'previous' or retire_after is not null`,
    )
    .execute();

  // Backstop for the advisory lock: two instances can never both create the active key of an algorithm.
  await db.schema
    .createIndex('signing_key_one_active_per_alg')
    .on('signing_key')
    .column('alg')
    .unique()
    .where(sql.ref('state'), '=', 'active')
    .execute();
}
