import type { ColumnType } from 'kysely';

/** A timestamp the database fills in on insert; it may still be set explicitly, e.g. on update. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Instance-level facts, one per key, such as the hash of the admin credential. */
export interface GuichetMetaTable {
  key: string;
  value: string;
  updated_at: DefaultedTimestamp;
}

/** Admin API credentials: only the SHA-256 of each token is kept. */
export interface AdminCredentialTable {
  token_hash: string;
  label: string;
  created_at: DefaultedTimestamp;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Every table the server queries, as the migrations leave them. */
export interface Database {
  guichet_meta: GuichetMetaTable;
  admin_credential: AdminCredentialTable;
}
