/** The kinds of event Guichet publishes; each can change what a cached context says. */
export const guichetEventTypes = [
  'session.ended',
  'grant.revoked',
  'business.switched',
  'membership.changed',
  'keys.rotated',
] as const;

export type GuichetEventType = (typeof guichetEventTypes)[number];

/** An event from Guichet, as `on('event')` listeners receive it. Carries ids only, never personal data. */
export interface GuichetEvent {
  /** Decimal, increasing: the position in Guichet's event log. */
  id: string;
  type: GuichetEventType;
  /** ISO 8601 time Guichet recorded it. */
  at: string;
  sid?: string;
  sub?: string;
  businessId?: string;
}

function isEventType(value: unknown): value is GuichetEventType {
  return typeof value === 'string' && (guichetEventTypes as readonly string[]).includes(value);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Reads one event message (the JSON of the Redis message or the SSE `data`). Undefined for anything
 * else (unknown type, malformed JSON): a bad message must never crash the listener.
 */
export function parseGuichetEvent(json: string): GuichetEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (!isEventType(record.type) || typeof record.at !== 'string') return undefined;
  // The contract sends the id as a decimal string; a JSON number is taken too.
  const id = typeof record.id === 'number' && Number.isSafeInteger(record.id) ? String(record.id) : record.id;
  if (typeof id !== 'string' || !/^\d{1,30}$/.test(id)) return undefined;
  const event: GuichetEvent = { id, type: record.type, at: record.at };
  const sid = optionalText(record.sid);
  const sub = optionalText(record.sub);
  const businessId = optionalText(record.business_id);
  if (sid !== undefined) event.sid = sid;
  if (sub !== undefined) event.sub = sub;
  if (businessId !== undefined) event.businessId = businessId;
  return event;
}
