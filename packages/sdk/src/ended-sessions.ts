import { BoundedMap } from './bounded-map.ts';

/** When a session (or a grant in it) ended, on each clock that matters. */
export interface SessionEnd {
  /** Guichet's time of the event, ms: compared with tokens' `iat`, which is Guichet's clock too. */
  endedAt: number;
  /** This process's time of learning it, ms: compared with when an opaque token was resolved here. */
  learnedAt: number;
}

/**
 * Sessions known to have ended, so their tokens are refused at once, without asking Guichet. Kept for a
 * day (as long as Guichet keeps events), bounded in count.
 */
export interface EndedSessions {
  end(sid: string, endedAt: number, learnedAt: number): void;
  get(sid: string, now: number): SessionEnd | undefined;
  clear(): void;
}

const retentionMs = 24 * 60 * 60 * 1000;

export function createEndedSessions(maxEntries = 100_000): EndedSessions {
  const ended = new BoundedMap<string, SessionEnd>(maxEntries);
  return {
    end(sid, endedAt, learnedAt) {
      const previous = ended.get(sid);
      ended.set(sid, {
        endedAt: Math.max(endedAt, previous?.endedAt ?? endedAt),
        learnedAt: Math.max(learnedAt, previous?.learnedAt ?? learnedAt),
      });
    },
    get(sid, now) {
      const end = ended.get(sid);
      if (end === undefined) return undefined;
      if (now - end.learnedAt > retentionMs) {
        ended.delete(sid);
        return undefined;
      }
      return end;
    },
    clear() {
      ended.clear();
    },
  };
}
