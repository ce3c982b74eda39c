/**
 * Random bytes for the hot path (IVs and data keys), drawn from the platform
 * CSPRNG in 4 KiB refills: one `crypto.getRandomValues` call costs about as
 * much as the AES-GCM work of a small Encrypt, so calling it twice per
 * GenerateDataKey would halve the throughput.
 *
 * Bytes are handed out once: `take` copies them out and wipes them from the
 * pool; `view` lends a window that must be consumed (copied) before the next
 * call, and is wiped on the next call.
 */
const POOL_SIZE = 4096;

export class RandomPool {
  readonly #pool = new Uint8Array(POOL_SIZE);
  #offset = POOL_SIZE;
  /** Start of a window lent by view() that is yet to be wiped. */
  #lent = -1;
  #lentEnd = 0;

  #reserve(n: number): number {
    if (this.#lent >= 0) {
      this.#pool.fill(0, this.#lent, this.#lentEnd);
      this.#lent = -1;
    }
    if (this.#offset + n > POOL_SIZE) {
      crypto.getRandomValues(this.#pool);
      this.#offset = 0;
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  /** n fresh random bytes in a new array (n ≤ 4096). */
  take(n: number): Uint8Array {
    if (n > POOL_SIZE) return crypto.getRandomValues(new Uint8Array(n));
    const at = this.#reserve(n);
    const out = this.#pool.slice(at, at + n);
    this.#pool.fill(0, at, at + n);
    return out;
  }

  /** n fresh random bytes as a view into the pool, valid until the next call (n ≤ 4096). */
  view(n: number): Uint8Array {
    const at = this.#reserve(n);
    this.#lent = at;
    this.#lentEnd = at + n;
    return this.#pool.subarray(at, at + n);
  }
}
