/**
 * A Map that forgets its oldest entries past `maxEntries`. Caches keyed by what callers send must
 * have a ceiling, whatever the traffic.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly maxEntries: number;
  /** Told of every entry pushed out by the ceiling, so indexes over the map stay right. */
  readonly onEvict: ((key: K, value: V) => void) | undefined;

  constructor(maxEntries: number, onEvict?: (key: K, value: V) => void) {
    super();
    this.maxEntries = maxEntries;
    this.onEvict = onEvict;
  }

  override set(key: K, value: V): this {
    // Re-inserting moves the key to the young end, so the ceiling evicts what was least recently set.
    super.delete(key);
    super.set(key, value);
    while (this.size > this.maxEntries) {
      const oldest = this.entries().next();
      if (oldest.done === true) break;
      const [oldestKey, oldestValue] = oldest.value;
      super.delete(oldestKey);
      this.onEvict?.(oldestKey, oldestValue);
    }
    return this;
  }
}
