/**
 * A least-recently-used map with a fixed capacity, on a JavaScript Map (whose
 * iteration order is insertion order): a hit moves its key to the back by
 * deleting and re-inserting it, and an insert beyond capacity drops the key at
 * the front. Every operation is O(1).
 */
export class LruCache<K, V> {
  readonly #map = new Map<K, V>();
  /** The most recently used key (the Map's last), whose recency a get need not refresh; undefined when unknown. */
  #newest: K | undefined = undefined;
  readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LruCache: capacity must be an integer ≥ 1, got ${String(capacity)}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The value for `key`, marking it most recently used. */
  get(key: K): V | undefined {
    const map = this.#map;
    const value = map.get(key);
    if (value === undefined || key === this.#newest) return value;
    map.delete(key);
    map.set(key, value);
    this.#newest = key;
    return value;
  }

  /** The value for `key`, leaving its recency alone. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used beyond capacity. */
  set(key: K, value: V): this {
    const map = this.#map;
    map.delete(key);
    map.set(key, value);
    this.#newest = key;
    while (map.size > this.capacity) map.delete(map.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    if (key === this.#newest) this.#newest = undefined;
    return this.#map.delete(key);
  }

  clear(): void {
    this.#newest = undefined;
    this.#map.clear();
  }

  /** Keys from least to most recently used. */
  keys(): IterableIterator<K> {
    return this.#map.keys();
  }
}
