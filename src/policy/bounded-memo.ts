/**
 * A memo of answers by string key, for the answers evaluation asks again and
 * again (a caller ARN parsed, an action lowercased, "does this pattern match
 * that action?"). Bounded: when full it starts over, so a stream of distinct
 * keys costs memory no larger than `limit` entries.
 */
export class BoundedMemo<V> {
  readonly #map = new Map<string, V>();
  readonly #limit: number;
  readonly #compute: (key: string) => V;

  constructor(limit: number, compute: (key: string) => V) {
    this.#limit = limit;
    this.#compute = compute;
  }

  get(key: string): V {
    let value = this.#map.get(key);
    if (value === undefined) {
      value = this.#compute(key);
      if (this.#map.size >= this.#limit) this.#map.clear();
      this.#map.set(key, value);
    }
    return value;
  }
}
