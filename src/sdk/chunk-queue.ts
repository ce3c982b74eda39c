/**
 * A queue of input chunks read as one byte sequence. `peek(n)` returns the
 * next n bytes as a view of the first chunk when they lie inside it (the
 * usual case: no copy), and otherwise merges just those n bytes into one
 * array, which replaces the pieces it came from so a later, longer peek does
 * not copy them again from scratch.
 */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #length = 0;

  /** Bytes queued. */
  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The next `n` bytes (n ≤ length) without consuming them. */
  peek(n: number): Uint8Array {
    if (n > this.#length) throw new RangeError("ChunkQueue.peek: not enough bytes");
    const first = this.#chunks[0];
    if (n === 0) return new Uint8Array(0);
    if (first.length >= n) return first.subarray(0, n);
    const merged = new Uint8Array(n);
    let filled = 0;
    let used = 0;
    while (filled < n) {
      const c = this.#chunks[used];
      const take = Math.min(c.length, n - filled);
      merged.set(c.subarray(0, take), filled);
      filled += take;
      if (take === c.length) used++;
      else this.#chunks[used] = c.subarray(take);
    }
    this.#chunks.splice(0, used, merged);
    return merged;
  }

  /** Drops the next `n` bytes. */
  consume(n: number): void {
    if (n > this.#length) throw new RangeError("ChunkQueue.consume: not enough bytes");
    this.#length -= n;
    while (n > 0) {
      const c = this.#chunks[0];
      if (c.length <= n) {
        n -= c.length;
        this.#chunks.shift();
      } else {
        this.#chunks[0] = c.subarray(n);
        n = 0;
      }
    }
  }
}
