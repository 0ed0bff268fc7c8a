import type { Selectable } from 'kysely';
import type { AccessTokenFormat } from './access-token-format.ts';
import type { EncryptionKey } from './encryption-key.ts';
import type { ResourceServerTable } from './resources-tables.ts';

export type ResourceServerRow = Selectable<ResourceServerTable>;

/** What the token issuer needs to know about a resource server to shape its access tokens. */
export interface ResourceServerForToken {
  readonly audience: string;
  readonly format: AccessTokenFormat;
  /** The scopes this resource server accepts. */
  readonly scopes: readonly string[];
  /** Access token lifetime in seconds. */
  readonly ttl: number;
  /** Present exactly when format is jwe. */
  readonly encryptionKey?: Readonly<EncryptionKey>;
}

/**
 * Frozen, because one value is shared by every token request for a few seconds: a caller changing it
 * would change what every other request sees.
 */
export function resourceServerForTokenFromRow(row: ResourceServerRow): ResourceServerForToken {
  const base = {
    audience: row.audience,
    format: row.format,
    scopes: Object.freeze([...row.scopes]),
    ttl: row.access_token_ttl,
  };
  if (
    row.format !== 'jwe' ||
    row.encryption_jwk === null ||
    row.encryption_alg === null ||
    row.encryption_enc === null
  ) {
    return Object.freeze(base);
  }
  const encryptionKey = Object.freeze({
    jwk: Object.freeze({ ...row.encryption_jwk }),
    alg: row.encryption_alg,
    enc: row.encryption_enc,
  });
  return Object.freeze({ ...base, encryptionKey });
}
