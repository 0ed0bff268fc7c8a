import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resource_server')
    // The resource indicator (RFC 8707) clients send, matched exactly, and the tokens' `aud`.
    .addColumn('audience', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text')
    .addColumn('format', 'text', (column) => column.notNull().check(sql`format in ('opaque', 'jwt', 'jwe')`))
    .addColumn('scopes', sql`text[]`, (column) => column.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('access_token_ttl', 'integer', (column) =>
      column.notNull().defaultTo(600).check(sql`access_token_ttl between 60 and 86400`),
    )
    // The resource server's PUBLIC key: only that server can read the tokens encrypted to it.
    .addColumn('encryption_jwk', 'jsonb')
    .addColumn('encryption_alg', 'text', (column) => column.defaultTo('ECDH-ES+A256KW'))
    .addColumn('encryption_enc', 'text', (column) => column.defaultTo('A256GCM'))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    // Encrypted tokens need a key to encrypt to; the others must not pretend to have one.
    .addCheckConstraint('resource_server_key_by_format', sql`(format = 'jwe') = (encryption_jwk is not null)`)
    .addCheckConstraint(
      'resource_server_jwe_algorithms',
      sql`format <> 'jwe' or (encryption_alg is not null and encryption_enc is not null)`,
    )
    // Last line of defence: a private key member must never reach the database.
    .addCheckConstraint(
      'resource_server_public_key_only',
      sql`encryption_jwk is null or (jsonb_typeof(encryption_jwk) = 'object' and not (encryption_jwk ?| array['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv']))`,
    )
    .execute();
}
