import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp } from '../ports/sql/schema.ts';
import type { AccessTokenFormat } from './access-token-format.ts';
import type { ContentEncryption, KeyManagementAlgorithm, PublicEncryptionJwk } from './encryption-key.ts';

/**
 * APIs that accept Guichet access tokens, keyed by the audience (resource indicator) clients ask
 * for. `encryption_jwk` is the server's public key, set exactly when its tokens are JWEs.
 */
export interface ResourceServerTable {
  audience: string;
  name: string | null;
  format: AccessTokenFormat;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  access_token_ttl: ColumnType<number, number | undefined, number>;
  // Written as JSON text so both drivers store the same jsonb; read back parsed.
  encryption_jwk: ColumnType<PublicEncryptionJwk | null, string | null | undefined, string | null>;
  encryption_alg: ColumnType<KeyManagementAlgorithm | null, KeyManagementAlgorithm | null | undefined>;
  encryption_enc: ColumnType<ContentEncryption | null, ContentEncryption | null | undefined>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** Tables of this domain, as its migrations leave them; part of the Database type. */
export type ResourcesTables = {
  resource_server: ResourceServerTable;
};
