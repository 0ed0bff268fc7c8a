import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp } from '../ports/sql/schema.ts';
import type { SigningAlgorithm } from './signing-algorithms.ts';
import type { PublicSigningJwk } from './signing-jwk.ts';
import type { SigningKeyState } from './signing-key-state.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/**
 * Token signing keys. `kid` is the RFC 7638 thumbprint of the public key; the private JWK is sealed
 * with the keys' secret box (bound to the kid) and wiped to '' once the key is retired.
 */
export interface SigningKeyTable {
  kid: string;
  alg: SigningAlgorithm;
  private_jwk_sealed: string;
  // Written as JSON text so both drivers store the same jsonb; read back parsed.
  public_jwk: ColumnType<PublicSigningJwk, string, string>;
  state: SigningKeyState;
  created_at: DefaultedTimestamp;
  activated_at: NullableTimestamp;
  /** Set when the key stops signing: from then on it is only published until this moment. */
  retire_after: NullableTimestamp;
}

/** Tables of this domain, as its migrations leave them; part of the Database type. */
export type KeysTables = {
  signing_key: SigningKeyTable;
};
