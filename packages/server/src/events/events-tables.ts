import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp } from '../ports/sql/schema.ts';

/** Every event, kept a day so Server-Sent Events clients can resume where they left off. */
export interface EventLogTable {
  id: Generated<string>;
  type: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  at: DefaultedTimestamp;
}

export type EventsTables = { event_log: EventLogTable };
