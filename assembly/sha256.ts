// SHA-256 (FIPS 180-4).
//
// Spec: FIPS 180-4 §4.1.2 (functions Ch, Maj, Σ0, Σ1, σ0, σ1), §4.2.2 (constants
// K), §5.1.1 (padding), §5.3.3 (initial hash value), §6.2.2 (hash computation).
//
// Constant time: the compression function uses only 32-bit additions, rotations
// and bitwise logic on the message and state, which run in fixed time on every
// WebAssembly target. There are no data-dependent table lookups, branches or
// loop bounds; the only branches depend on lengths, which are public.
//
// The message schedule W lives in sixteen locals (a rolling window: W[t] is
// kept in w(t mod 16)), so nothing secret is spilled into linear memory except
// the state struct itself, which the caller owns and which `sha256_final` wipes.
//
// State struct (SHA256_STATE_SIZE bytes, at any address the caller chooses):
//   +0   H0..H7, u32 each, native byte order (the chaining value)
//   +32  total bytes absorbed so far, u64
//   +40  partial block buffer, 64 bytes (total mod 64 of them are in use)
import { HASH_SCRATCH } from "./layout";

export const SHA256_STATE_SIZE: u32 = 104;
const ST_TOTAL: usize = 32;
const ST_BUF: usize = 40;

/** Scratch state for the one-shot export (HASH_SCRATCH +0x200; see hmac.ts for the map). */
const ONE_SHOT: usize = HASH_SCRATCH + 0x200;

// §5.3.3 initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// §4.1.2: Ch in its three-operation form (Maj is inlined in the rounds, see compress), Σ and σ as rotations.
@inline function ch(e: u32, f: u32, g: u32): u32 { return g ^ (e & (f ^ g)); }
@inline function S0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
@inline function S1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
@inline function s0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
@inline function s1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }

/**
 * §6.2.2: absorbs `blocks` 64-byte blocks at `p` into the chaining value at `st`.
 * One round is `h += Σ1(e) + Ch(e,f,g) + K[t] + W[t]` (h is now T1), `d += T1`,
 * `h += Σ0(a) + Maj(a,b,c)` (h is now T1 + T2); the next round renames the
 * variables instead of shifting them, so no moves are needed. From round 16 on,
 * each round first extends the schedule in place:
 * w(t mod 16) += σ1(W[t-2]) + W[t-7] + σ0(W[t-15]).
 * Maj(a,b,c) is computed as b ^ ((a ^ b) & (b ^ c)): this round's a ^ b is the
 * next round's b ^ c, so x0 and x1 take turns carrying it (one operation saved
 * per round). The K[t] (§4.2.2: the first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes) are immediates of the fully unrolled rounds,
 * which measured ~6% faster on V8 than a loop of sixteen rounds over a K table
 * on long inputs, and no slower on short ones.
 */
function compress(st: usize, p: usize, blocks: usize): void {
  for (let end = p + (blocks << 6); p < end; p += 64) {
    let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
    let e = load<u32>(st, 16), f = load<u32>(st, 20), g = load<u32>(st, 24), h = load<u32>(st, 28);
    let w0 = bswap<u32>(load<u32>(p, 0));
    let w1 = bswap<u32>(load<u32>(p, 4));
    let w2 = bswap<u32>(load<u32>(p, 8));
    let w3 = bswap<u32>(load<u32>(p, 12));
    let w4 = bswap<u32>(load<u32>(p, 16));
    let w5 = bswap<u32>(load<u32>(p, 20));
    let w6 = bswap<u32>(load<u32>(p, 24));
    let w7 = bswap<u32>(load<u32>(p, 28));
    let w8 = bswap<u32>(load<u32>(p, 32));
    let w9 = bswap<u32>(load<u32>(p, 36));
    let w10 = bswap<u32>(load<u32>(p, 40));
    let w11 = bswap<u32>(load<u32>(p, 44));
    let w12 = bswap<u32>(load<u32>(p, 48));
    let w13 = bswap<u32>(load<u32>(p, 52));
    let w14 = bswap<u32>(load<u32>(p, 56));
    let w15 = bswap<u32>(load<u32>(p, 60));
    let x0: u32, x1 = b ^ c;
    h += S1(e) + ch(e, f, g) + 0x428a2f98 + w0; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    g += S1(d) + ch(d, e, f) + 0x71374491 + w1; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    f += S1(c) + ch(c, d, e) + 0xb5c0fbcf + w2; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    e += S1(b) + ch(b, c, d) + 0xe9b5dba5 + w3; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    d += S1(a) + ch(a, b, c) + 0x3956c25b + w4; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    c += S1(h) + ch(h, a, b) + 0x59f111f1 + w5; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    b += S1(g) + ch(g, h, a) + 0x923f82a4 + w6; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    a += S1(f) + ch(f, g, h) + 0xab1c5ed5 + w7; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    h += S1(e) + ch(e, f, g) + 0xd807aa98 + w8; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    g += S1(d) + ch(d, e, f) + 0x12835b01 + w9; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    f += S1(c) + ch(c, d, e) + 0x243185be + w10; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    e += S1(b) + ch(b, c, d) + 0x550c7dc3 + w11; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    d += S1(a) + ch(a, b, c) + 0x72be5d74 + w12; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    c += S1(h) + ch(h, a, b) + 0x80deb1fe + w13; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    b += S1(g) + ch(g, h, a) + 0x9bdc06a7 + w14; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    a += S1(f) + ch(f, g, h) + 0xc19bf174 + w15; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0xe49b69c1 + w0; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0xefbe4786 + w1; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x0fc19dc6 + w2; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x240ca1cc + w3; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x2de92c6f + w4; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x4a7484aa + w5; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x5cb0a9dc + w6; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x76f988da + w7; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0x983e5152 + w8; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa831c66d + w9; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xb00327c8 + w10; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xbf597fc7 + w11; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xc6e00bf3 + w12; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xd5a79147 + w13; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0x06ca6351 + w14; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0x14292967 + w15; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0x27b70a85 + w0; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x2e1b2138 + w1; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x4d2c6dfc + w2; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x53380d13 + w3; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x650a7354 + w4; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x766a0abb + w5; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x81c2c92e + w6; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x92722c85 + w7; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0xa2bfe8a1 + w8; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa81a664b + w9; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xc24b8b70 + w10; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xc76c51a3 + w11; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xd192e819 + w12; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xd6990624 + w13; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0xf40e3585 + w14; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0x106aa070 + w15; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    w0 += s1(w14) + w9 + s0(w1);
    h += S1(e) + ch(e, f, g) + 0x19a4c116 + w0; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x1e376c08 + w1; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x2748774c + w2; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x34b0bcb5 + w3; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x391c0cb3 + w4; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(h) + ch(h, a, b) + 0x4ed8aa4a + w5; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, h, a) + 0x5b9cca4f + w6; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, h) + 0x682e6ff3 + w7; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    w8 += s1(w6) + w1 + s0(w9);
    h += S1(e) + ch(e, f, g) + 0x748f82ee + w8; d += h; x0 = a ^ b; h += S0(a) + (b ^ (x0 & x1));
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0x78a5636f + w9; c += g; x1 = h ^ a; g += S0(h) + (a ^ (x1 & x0));
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0x84c87814 + w10; b += f; x0 = g ^ h; f += S0(g) + (h ^ (x0 & x1));
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0x8cc70208 + w11; a += e; x1 = f ^ g; e += S0(f) + (g ^ (x1 & x0));
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0x90befffa + w12; h += d; x0 = e ^ f; d += S0(e) + (f ^ (x0 & x1));
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(h) + ch(h, a, b) + 0xa4506ceb + w13; g += c; x1 = d ^ e; c += S0(d) + (e ^ (x1 & x0));
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, h, a) + 0xbef9a3f7 + w14; f += b; x0 = c ^ d; b += S0(c) + (d ^ (x0 & x1));
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, h) + 0xc67178f2 + w15; e += a; x1 = b ^ c; a += S0(b) + (c ^ (x1 & x0));
    store<u32>(st, a + load<u32>(st, 0), 0);
    store<u32>(st, b + load<u32>(st, 4), 4);
    store<u32>(st, c + load<u32>(st, 8), 8);
    store<u32>(st, d + load<u32>(st, 12), 12);
    store<u32>(st, e + load<u32>(st, 16), 16);
    store<u32>(st, f + load<u32>(st, 20), 20);
    store<u32>(st, g + load<u32>(st, 24), 24);
    store<u32>(st, h + load<u32>(st, 28), 28);
  }
}

/** §5.3.3: sets up an empty SHA-256 computation in the state struct at `st`. */
export function sha256_init(st: usize): void {
  memory.copy(st, IV, 32);
  store<u64>(st, 0, ST_TOTAL);
}

/** Absorbs `len` bytes at `p`: whole blocks straight from the input, the rest into the buffer. */
export function sha256_update(st: usize, p: usize, len: usize): void {
  const total = load<u64>(st, ST_TOTAL);
  store<u64>(st, total + <u64>len, ST_TOTAL);
  const buf = st + ST_BUF;
  const used = <usize>(total & 63);
  if (used != 0) {
    const room = <usize>64 - used;
    if (len < room) {
      memory.copy(buf + used, p, len);
      return;
    }
    memory.copy(buf + used, p, room);
    compress(st, buf, 1);
    p += room;
    len -= room;
  }
  const blocks = len >> 6;
  if (blocks != 0) compress(st, p, blocks);
  memory.copy(buf, p + (blocks << 6), len & 63);
}

/**
 * §5.1.1: pads (0x80, zeros, 64-bit big-endian bit length), writes the 32-byte
 * digest to `out` and wipes the state struct. `out` may overlap the message
 * (it is written after the message has been read) but not the state.
 */
export function sha256_final(st: usize, out: usize): void {
  const total = load<u64>(st, ST_TOTAL);
  const buf = st + ST_BUF;
  let used = <usize>(total & 63);
  store<u8>(buf + used, 0x80);
  used++;
  if (used > 56) {
    memory.fill(buf + used, 0, 64 - used);
    compress(st, buf, 1);
    used = 0;
  }
  memory.fill(buf + used, 0, 56 - used);
  store<u64>(buf, bswap<u64>(total << 3), 56);
  compress(st, buf, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(st + i)));
  memory.fill(st, 0, SHA256_STATE_SIZE);
}

/** One-shot SHA-256 of `len` bytes at `p` into `out` (which may overlap the input). */
export function sha256(p: usize, len: usize, out: usize): void {
  sha256_init(ONE_SHOT);
  sha256_update(ONE_SHOT, p, len);
  sha256_final(ONE_SHOT, out);
}
