import type { ColumnType } from 'kysely';
import type { AccountsTables } from '../../accounts/accounts-tables.ts';
import type { BusinessesTables } from '../../businesses/businesses-tables.ts';
import type { ClientsTables } from '../../clients/clients-tables.ts';
import type { EventsTables } from '../../events/events-tables.ts';
import type { FilesTables } from '../../files/files-tables.ts';
import type { KeysTables } from '../../keys/keys-tables.ts';
import type { OidcTables } from '../../oidc/oidc-tables.ts';
import type { ResourcesTables } from '../../resources/resources-tables.ts';
import type { SessionsTables } from '../../sessions/sessions-tables.ts';

/** A timestamp the database fills in on insert; it may still be set explicitly, e.g. on update. */
export type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

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

interface CoreTables {
  guichet_meta: GuichetMetaTable;
  admin_credential: AdminCredentialTable;
}

/** Every table the server queries, as the migrations leave them; each domain declares its own. */
export type Database = CoreTables &
  OidcTables &
  AccountsTables &
  KeysTables &
  ClientsTables &
  BusinessesTables &
  ResourcesTables &
  EventsTables &
  SessionsTables &
  FilesTables;
