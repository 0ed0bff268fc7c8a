import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp } from '../ports/sql/schema.ts';
import type { ClientKind, StoredClientMetadata } from './client-metadata.ts';

/**
 * OpenID Connect clients. `metadata` is what oidc-provider reads (minus client_id and the secret);
 * `secret_sealed` is the client secret sealed with the clients' secret box, null for public clients.
 */
export interface OidcClientTable {
  client_id: string;
  name: string;
  kind: ClientKind;
  // Written as JSON text so both drivers store the same jsonb; read back parsed.
  metadata: ColumnType<StoredClientMetadata, string, string>;
  secret_sealed: string | null;
  first_party: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** Tables of this domain, as its migrations leave them; part of the Database type. */
export type ClientsTables = {
  oidc_client: OidcClientTable;
};
