import { type Kysely, sql } from 'kysely';

/**
 * Everything oidc-provider stores except clients (sessions, grants, interactions, codes, tokens), one
 * row per (model, id). The payload stays opaque jsonb; the columns beside it are what we query by.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_payload')
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('payload', 'jsonb', (column) => column.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('consumed_at', 'timestamptz')
    .addPrimaryKeyConstraint('oidc_payload_pkey', ['model', 'id'])
    .execute();

  // Revoking a grant deletes every token issued under it.
  await db.schema
    .createIndex('oidc_payload_grant_id')
    .on('oidc_payload')
    .column('grant_id')
    .where(sql.ref('grant_id'), 'is not', null)
    .execute();
  // Sessions are looked up by uid, device codes by user code; most rows have neither.
  await db.schema
    .createIndex('oidc_payload_uid')
    .on('oidc_payload')
    .columns(['model', 'uid'])
    .where(sql.ref('uid'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('oidc_payload_user_code')
    .on('oidc_payload')
    .columns(['model', 'user_code'])
    .where(sql.ref('user_code'), 'is not', null)
    .execute();
  // The purge job walks expired rows in batches.
  await db.schema
    .createIndex('oidc_payload_expires_at')
    .on('oidc_payload')
    .column('expires_at')
    .where(sql.ref('expires_at'), 'is not', null)
    .execute();
}
