import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp } from '../ports/sql/schema.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/**
 * The business context of one sign-in session, keyed by an opaque `sid` that tokens carry instead
 * of any personal or business data.
 */
export interface SessionContextTable {
  sid: string;
  /** oidc-provider's session uid: the context lives and dies with that session. */
  session_uid: string;
  account_id: string;
  business_id: string | null;
  auth_time: ColumnType<Date, Date | string, Date | string>;
  amr: ColumnType<string[], string[], string[]>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  ended_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** The business a person chose last, offered first at their next sign-in. */
export interface BusinessChoiceTable {
  account_id: string;
  business_id: string;
  chosen_at: DefaultedTimestamp;
}

export type SessionsTables = { session_context: SessionContextTable; business_choice: BusinessChoiceTable };
