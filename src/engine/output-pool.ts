/**
 * Small ciphertext outputs are carved out of a shared 64 KiB slab, as Node
 * does for small Buffers: allocating a fresh ArrayBuffer costs more than
 * sealing 64 bytes. Only public data (ciphertext ‖ tag) comes from here, never
 * plaintext. Consequence, as with Node's Buffer pool: such an array's `.buffer`
 * is shared with other ciphertexts — copy it (`.slice()`) before transferring
 * its buffer. A slab that was transferred (detached) is simply replaced.
 */
const SLAB_BYTES = 64 * 1024;
const POOLED_MAX = 4096;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A zero-filled or recycled-slab array of `length` bytes whose contents the caller overwrites entirely. */
export function ciphertextOutput(length: number): Uint8Array {
  if (length > POOLED_MAX) return new Uint8Array(length);
  if (used + length > SLAB_BYTES || slab.byteLength === 0) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  used += (length + 7) & ~7;
  return out;
}
