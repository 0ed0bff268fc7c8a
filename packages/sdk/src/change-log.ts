import { BoundedMap } from './bounded-map.ts';

/**
 * When events last said a session, a person or a business changed (Guichet's clock, ms). A JWE's own
 * business claims are a snapshot from its issue time: they may stand in for Guichet during an outage
 * only if nothing has changed since.
 */
export interface ChangeLog {
  touch(kind: 'sid' | 'sub' | 'business', id: string, at: number): void;
  changedSince(at: number, ids: { sid: string | null; sub: string; businessId: string | null }): boolean;
  /** Events may have been missed: nothing issued before `at` can be vouched for. */
  forgetBefore(at: number): void;
  clear(): void;
}

const retentionMs = 24 * 60 * 60 * 1000;

export function createChangeLog(maxEntries = 100_000): ChangeLog {
  const changes = new BoundedMap<string, number>(maxEntries);
  let horizon = Number.NEGATIVE_INFINITY;

  function changedAt(key: string): number {
    const at = changes.get(key);
    if (at === undefined) return Number.NEGATIVE_INFINITY;
    if (Date.now() - at > retentionMs) {
      changes.delete(key);
      return Number.NEGATIVE_INFINITY;
    }
    return at;
  }

  return {
    touch(kind, id, at) {
      const key = `${kind}:${id}`;
      changes.set(key, Math.max(at, changes.get(key) ?? at));
    },
    changedSince(at, ids) {
      if (at < horizon) return true;
      if (changedAt(`sub:${ids.sub}`) >= at) return true;
      if (ids.sid !== null && changedAt(`sid:${ids.sid}`) >= at) return true;
      return ids.businessId !== null && changedAt(`business:${ids.businessId}`) >= at;
    },
    forgetBefore(at) {
      horizon = Math.max(horizon, at);
    },
    clear() {
      changes.clear();
    },
  };
}
