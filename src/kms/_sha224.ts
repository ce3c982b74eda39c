/**
 * SHA-224 (FIPS 180-4 §6.3) and HMAC-SHA-224 (RFC 2104) in portable
 * TypeScript, for HMAC_224 keys: the WebAssembly engine implements SHA-256,
 * -384 and -512 only, and WebCrypto has no SHA-224.
 *
 * SHA-224 is SHA-256 (§6.2) with the initial hash value of §5.3.2, truncated to
 * 224 bits. The compression function uses only 32-bit additions, rotations and
 * Boolean operations, indexes its constant table by round number alone, and
 * branches only on lengths, so its running time does not depend on the key or
 * message bytes (as far as a JIT lets any JavaScript promise that). Speed is
 * not a goal: messages are at most 4096 bytes.
 */

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 §5.3.2: SHA-224's initial hash value.
const IV = [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];

const BLOCK = 64;
export const SHA224_OUTPUT_LEN = 28;

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** §6.2.2 steps 1–4 on one 64-byte block at `block[offset..]`, updating `h` in place. */
function compress(h: Uint32Array, w: Uint32Array, block: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const i = offset + 4 * t;
    w[t] = (block[i] << 24) | (block[i + 1] << 16) | (block[i + 2] << 8) | block[i + 3];
  }
  for (let t = 16; t < 64; t++) {
    const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
    const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
  }
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (let t = 0; t < 64; t++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/** SHA-224 of the concatenation of `parts`. */
function sha224Parts(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  // §5.1.1 padding: 0x80, zeros, then the 64-bit big-endian bit length.
  const padded = new Uint8Array(Math.ceil((total + 9) / BLOCK) * BLOCK);
  let at = 0;
  for (const p of parts) {
    padded.set(p, at);
    at += p.length;
  }
  padded[total] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(total / 0x20000000));
  view.setUint32(padded.length - 4, (total * 8) >>> 0);
  const h = Uint32Array.from(IV);
  const w = new Uint32Array(64);
  for (let i = 0; i < padded.length; i += BLOCK) compress(h, w, padded, i);
  padded.fill(0);
  w.fill(0);
  const out = new Uint8Array(SHA224_OUTPUT_LEN);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 7; i++) outView.setUint32(4 * i, h[i]);
  h.fill(0);
  return out;
}

/** SHA-224 (FIPS 180-4). */
export function sha224(data: Uint8Array): Uint8Array {
  return sha224Parts(data);
}

/** HMAC-SHA-224 (RFC 2104): H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ data)), K' the key hashed if longer than a block. */
export function hmacSha224(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = new Uint8Array(BLOCK);
  const shortKey = key.length > BLOCK ? sha224(key) : key;
  k.set(shortKey);
  if (shortKey !== key) shortKey.fill(0);
  const pad = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) pad[i] = k[i] ^ 0x36;
  const inner = sha224Parts(pad, data);
  for (let i = 0; i < BLOCK; i++) pad[i] = k[i] ^ 0x5c;
  const out = sha224Parts(pad, inner);
  k.fill(0);
  pad.fill(0);
  inner.fill(0);
  return out;
}
