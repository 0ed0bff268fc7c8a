import { sql as rawSql } from 'kysely';
import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import {
  eventsChannel,
  type GuichetEvent,
  type GuichetEventFields,
  type GuichetEventType,
} from './guichet-event.ts';

/** Advisory lock key serialising event inserts (an arbitrary constant of Guichet's). */
const eventLogLock = 7_467_732_001;

export interface EventsLogger {
  warn(fields: object, message: string): void;
}

/**
 * Records an event (so SSE clients can resume) and broadcasts it to every instance and to resource
 * servers listening on Redis. The change it reports is already committed: a failure here is logged,
 * never thrown, and resource servers still converge when their cached entries expire.
 */
export async function publishEvent(
  ports: { sql: SqlPort; cache: CachePort },
  type: GuichetEventType,
  fields: GuichetEventFields,
  logger?: EventsLogger,
): Promise<GuichetEvent | undefined> {
  try {
    // One writer at a time, so ids are in commit order: a reader that has seen id N has seen
    // every event below N, which is what makes Last-Event-ID resumption lossless.
    const row = await ports.sql.db.transaction().execute(async (transaction) => {
      await rawSql`select pg_advisory_xact_lock(${eventLogLock})`.execute(transaction);
      return transaction
        .insertInto('event_log')
        .values({ type, payload: JSON.stringify(fields) })
        .returning(['id', 'at'])
        .executeTakeFirstOrThrow();
    });
    const event: GuichetEvent = { id: String(row.id), type, at: new Date(row.at).toISOString(), ...fields };
    try {
      await ports.cache.publish(eventsChannel, JSON.stringify(event));
    } catch (error) {
      logger?.warn({ err: error, type }, 'event recorded but not broadcast');
    }
    return event;
  } catch (error) {
    logger?.warn({ err: error, type }, 'event not recorded');
    return undefined;
  }
}

/** Events after `lastId`, oldest first, for a client resuming a stream. */
export async function eventsAfter(sql: SqlPort, lastId: string, limit = 1000): Promise<GuichetEvent[]> {
  const rows = await sql.db
    .selectFrom('event_log')
    .select(['id', 'type', 'payload', 'at'])
    .where('id', '>', lastId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: String(row.id),
    type: row.type as GuichetEventType,
    at: new Date(row.at).toISOString(),
    ...(row.payload as GuichetEventFields),
  }));
}

/** Forgets events older than the resume window. */
export async function purgeOldEvents(sql: SqlPort, olderThanMs = 24 * 60 * 60 * 1000): Promise<number> {
  const result = await sql.db
    .deleteFrom('event_log')
    .where('at', '<', new Date(Date.now() - olderThanMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The newest event id, where a stream without Last-Event-ID starts. */
export async function latestEventId(sql: SqlPort): Promise<string> {
  const row = await sql.db
    .selectFrom('event_log')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return row?.id === null || row?.id === undefined ? '0' : String(row.id);
}
