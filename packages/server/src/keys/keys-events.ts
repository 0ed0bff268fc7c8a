import type { CachePort } from '../ports/cache/cache-port.ts';

/** The cache channel on which instances learn that the signing keys changed. */
export const keysChannel = 'keys';

export interface KeysRotatedEvent {
  type: 'keys.rotated';
  /** ISO 8601 time of the rotation. */
  at: string;
}

/**
 * Tells every instance to reload its keys. Best effort: a cache that is down must not fail a rotation
 * already committed, and instances also poll SQL, so they catch up anyway. Resolves false when the
 * event could not be sent.
 */
export async function publishKeysRotated(cache: CachePort, at: Date): Promise<boolean> {
  const event: KeysRotatedEvent = { type: 'keys.rotated', at: at.toISOString() };
  try {
    await cache.publish(keysChannel, JSON.stringify(event));
    return true;
  } catch {
    return false;
  }
}
