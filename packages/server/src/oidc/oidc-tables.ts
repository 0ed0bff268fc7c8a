import type { ColumnType } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type NullableText = ColumnType<string | null, string | null | undefined, string | null>;

/**
 * What oidc-provider stores (every model but Client), keyed by (model, id). The payload is written as
 * JSON text and read back parsed; `consumed` lives in consumed_at, never in the payload, so a single
 * atomic update decides it.
 */
export interface OidcPayloadTable {
  model: string;
  id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  /** Set only for the models revoked with their grant (tokens and codes), as oidc-provider's adapters do. */
  grant_id: NullableText;
  user_code: NullableText;
  uid: NullableText;
  /** Null: kept until destroyed. */
  expires_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
}

/** Tables of this domain, as its migrations leave them; part of the Database type. */
export type OidcTables = {
  oidc_payload: OidcPayloadTable;
};
