import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp } from '../ports/sql/schema.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** A person who signs in. The id is opaque and random so it reveals neither order nor volume. */
export interface AccountTable {
  id: string;
  /** As entered (trimmed, NFC), for display and mail. */
  email: string;
  /** Lower-cased, trimmed, NFC: the unique key sign-in looks up. */
  email_normalized: string;
  name: string;
  /** argon2id PHC string; null for an account that cannot sign in with a password. */
  password_hash: string | null;
  disabled_at: NullableTimestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** Append-only record of security-relevant events; never holds a password or token. */
export interface AuditEventTable {
  /** bigint, returned as a string by both drivers. */
  id: Generated<string>;
  at: DefaultedTimestamp;
  type: string;
  account_id: string | null;
  client_id: string | null;
  ip: string | null;
  /** Written as JSON text, read back parsed. */
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** Tables of this domain, as its migrations leave them; part of the Database type. */
export type AccountsTables = {
  account: AccountTable;
  audit_event: AuditEventTable;
};
