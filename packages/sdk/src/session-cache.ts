import { BoundedMap } from './bounded-map.ts';

/** A session's context as this process remembers it. */
export interface CachedContext {
  sub: string;
  businessId: string | null;
  roles: readonly string[];
  /** Until then (ms since the epoch) it answers without asking Guichet. */
  freshUntil: number;
  /** Until then it may still answer while Guichet is unreachable. */
  usableUntil: number;
}

/** Session contexts by sid, with the invalidations events ask for. */
export interface SessionCache {
  fresh(sid: string, now: number): CachedContext | undefined;
  /** A context past its freshness but still usable when Guichet cannot be asked. */
  stale(sid: string, now: number): CachedContext | undefined;
  set(sid: string, context: CachedContext): void;
  dropSid(sid: string): void;
  dropSub(sub: string): void;
  dropBusiness(businessId: string): void;
  clear(): void;
  readonly size: number;
}

export function createSessionCache(maxEntries = 100_000): SessionCache {
  // sub -> its sids, so a membership change for a person drops all of that person's sessions at once.
  const sidsBySub = new Map<string, Set<string>>();

  function unindex(sid: string, context: CachedContext): void {
    const sids = sidsBySub.get(context.sub);
    if (sids === undefined) return;
    sids.delete(sid);
    if (sids.size === 0) sidsBySub.delete(context.sub);
  }

  const contexts = new BoundedMap<string, CachedContext>(maxEntries, unindex);

  function dropSid(sid: string): void {
    const context = contexts.get(sid);
    if (context === undefined) return;
    contexts.delete(sid);
    unindex(sid, context);
  }

  return {
    fresh(sid, now) {
      const context = contexts.get(sid);
      return context !== undefined && now < context.freshUntil ? context : undefined;
    },
    stale(sid, now) {
      const context = contexts.get(sid);
      if (context === undefined) return undefined;
      if (now < context.usableUntil) return context;
      dropSid(sid);
      return undefined;
    },
    set(sid, context) {
      const previous = contexts.get(sid);
      if (previous !== undefined) unindex(sid, previous);
      contexts.set(sid, context);
      let sids = sidsBySub.get(context.sub);
      if (sids === undefined) {
        sids = new Set();
        sidsBySub.set(context.sub, sids);
      }
      sids.add(sid);
    },
    dropSid,
    dropSub(sub) {
      for (const sid of [...(sidsBySub.get(sub) ?? [])]) dropSid(sid);
    },
    dropBusiness(businessId) {
      // Rare (a business-wide change); a scan of at most maxEntries is fine.
      for (const [sid, context] of [...contexts]) if (context.businessId === businessId) dropSid(sid);
    },
    clear() {
      contexts.clear();
      sidsBySub.clear();
    },
    get size() {
      return contexts.size;
    },
  };
}
