/**
 * What resource servers are told so they drop what they cached. Events carry ids only (a session,
 * an account, a business), never names, emails or roles.
 */
export type GuichetEventType =
  | 'session.ended'
  | 'grant.revoked'
  | 'business.switched'
  | 'membership.changed'
  | 'keys.rotated';

export interface GuichetEventFields {
  sid?: string;
  sub?: string;
  business_id?: string;
}

export interface GuichetEvent extends GuichetEventFields {
  /** Decimal, increasing: the resume point of Server-Sent Events clients. */
  id: string;
  type: GuichetEventType;
  /** ISO 8601. */
  at: string;
}

/** The cache channel events travel on (the Redis driver prefixes it: `guichet:events`). */
export const eventsChannel = 'events';
