import type { AccessTokenFormat } from './access-token-format.ts';
import type { ContentEncryption, KeyManagementAlgorithm, PublicEncryptionJwk } from './encryption-key.ts';
import type { ResourceServerRow } from './resource-server-for-token.ts';

/** A resource server as the admin API and the CLI show it. Its key is public: there is nothing to hide. */
export interface ResourceServerView {
  audience: string;
  name: string | null;
  format: AccessTokenFormat;
  scopes: string[];
  /** Seconds. */
  access_token_ttl: number;
  /** Only for format jwe. */
  encryption_key?: PublicEncryptionJwk;
  encryption_alg?: KeyManagementAlgorithm;
  encryption_enc?: ContentEncryption;
  created_at: string;
  updated_at: string;
}

function isoTime(value: Date | string): string {
  return new Date(value).toISOString();
}

export function resourceServerView(row: ResourceServerRow): ResourceServerView {
  return {
    audience: row.audience,
    name: row.name,
    format: row.format,
    scopes: row.scopes,
    access_token_ttl: row.access_token_ttl,
    ...(row.format === 'jwe' && row.encryption_jwk !== null
      ? {
          encryption_key: row.encryption_jwk,
          ...(row.encryption_alg === null ? {} : { encryption_alg: row.encryption_alg }),
          ...(row.encryption_enc === null ? {} : { encryption_enc: row.encryption_enc }),
        }
      : {}),
    created_at: isoTime(row.created_at),
    updated_at: isoTime(row.updated_at),
  };
}
