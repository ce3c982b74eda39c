// GHASH (NIST SP 800-38D §6.4, Algorithm 2) in WebAssembly SIMD, constant time:
// 4-bit tables of multiples of H read with i8x16.swizzle, the "table in a register"
// design of the SSSE3 GHASH (BoringSSL ghash-ssse3-x86_64.pl). Here a second table
// (the multiples times x^4) serves the low nibbles, so no lookup result needs a
// 4-bit shift, and the product is reduced once per block.
//
// Representation R. A block in GCM byte order has x^0 in the most significant bit of
// byte 0 (SP 800-38D §6.3). Reversing its 16 bytes (one constant shuffle) gives a
// little-endian 128-bit value in which bit (127 - i) is the coefficient of x^i:
// multiplying by x is a right shift by one, and the bits shifted out of bit 0 are
// degrees >= 128. Y stays in R across all blocks of one call.
//
// One byte q of a block in R holds the eight coefficients of x^(8(15-q)) .. x^(8(15-q)+7),
// x^(8(15-q)) in bit 7. Its high nibble n (bits 7..4) is the 4-bit polynomial
// rp(n) = sum over k = 0..3 of bit (3 - k) of n times x^k, and its low nibble m is
// x^4·rp(m); so the byte is the polynomial Z_q = rp(n) + x^4·rp(m).
//
// Table (ghash_setup, 512 bytes). For e = 0..15 let
// A[e] = rp(e)·H and B[e] = rp(e)·x^4·H, both reduced, in R. They are stored
// transposed, one 16-byte row per byte position j:
//
//     table + 16j        row A_j: lane e = byte j of A[e]      (j = 0..15)
//     table + 256 + 16j  row B_j: lane e = byte j of B[e]
//
// Multiplying W by H. With nh / nl the vectors of high / low nibbles of W,
//
//     V_j = swizzle(A_j, nh) xor swizzle(B_j, nl)
//
// has in lane q byte j of P_q = Z_q·H. The full product is the sum over q of
// P_q·x^(8(15-q)); in a 256-bit version of R (bit (255 - d) = coefficient of x^d,
// the lower 128 bits are x^255..x^128, the upper 128 bits x^127..x^0) byte j of P_q
// lands at byte q + j + 1. So the product is the sum over j of V_j shifted up by
// j + 1 bytes. Those shifts are done on 64-bit lanes (shift by 8(j+1) bits and
// keep the bits that leave each lane), which run on the vector ALUs instead of
// the shuffle unit (the swizzles already load it); only the final combination
// moves whole lanes:
//
//     j = 0..6    shl(V_j, 8(j+1)) -> D0,  shr(V_j, 64 - 8(j+1)) -> D1
//     j = 7       V_j -> D1
//     j = 8..14   shl(V_j, 8(j-7)) -> D1,  shr(V_j, 64 - 8(j-7)) -> D2
//     j = 15      V_j -> D2
//
// where Dk collects terms displaced by k 64-bit lanes: low = D0 + (D1 up one
// lane), high = D2 + (the lane of D1 that leaves the low half).
//
// Reduction, once per block: the low half A is A·x^128 and
// x^128 = 1 + x + x^2 + x^7 (mod x^128 + x^7 + x^2 + x + 1). In R the product
// A·(1 + x + x^2 + x^7) is A xor A>>1 xor A>>2 xor A>>7 (128-bit shifts), whose
// shifted-out bits O = A<<127 xor A<<126 xor A<<121 are themselves worth
// O·(1 + x + x^2 + x^7), with no further overflow because deg O < 7; by linearity
// the result is F(A xor O) with F(v) = v xor v>>1 xor v>>2 xor v>>7.
//
// Constant time: every operation on secret data is a v128 bitwise operation, a
// shift by a constant, a shuffle with a constant mask, or a swizzle whose index
// vector is secret but whose table is a register: the index only selects lanes
// inside the register, never a memory address, and SSE pshufb / NEON tbl run in
// time independent of the index values. Table rows are loaded at fixed offsets.
// Loop bounds depend only on nblocks (public). ghash_update writes nothing to
// memory but Y; ghash_setup writes the table (owned by the caller's key slot) and
// wipes the 128 bytes of GHASH_SCRATCH it used. Locals that the engine spills to
// its own stack cannot be wiped from WebAssembly.

import { GHASH_SCRATCH } from "./layout";

/** Bytes of precomputed table written by ghash_setup. */
export const GHASH_TABLE_BYTES: u32 = 512;

const B_ROWS: usize = 256;

/** 0x0f in every byte (see mulH). */
const LOW4: usize = memory.data<u8>([
  0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f,
]);

/** Reverses the 16 bytes: GCM byte order <-> representation R. */
@inline function reverseBytes(v: v128): v128 {
  return i8x16.shuffle(v, v, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
}

/** Lane e is 0xff when bit `b` of e is set (e = 0..15): selects the entries whose rp(e) has that coefficient. */
const SEL = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // bit 3: x^0
  0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, // bit 2: x^1
  0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, // bit 1: x^2
  0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, // bit 0: x^3
]);

/**
 * Row j of a table: lane e = byte j of sum over k = 0..3 of (coefficient of x^k in
 * rp(e))·P_k, where P_k (16 bytes in R) is at px + 16k. Each byte is broadcast to all
 * lanes and masked with the public selector of k.
 */
@inline function tableRow(px: usize, j: usize, s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  return v128.xor(
    v128.xor(v128.and(v128.load8_splat(px + j, 0), s0), v128.and(v128.load8_splat(px + j, 16), s1)),
    v128.xor(v128.and(v128.load8_splat(px + j, 32), s2), v128.and(v128.load8_splat(px + j, 48), s3)),
  );
}

/**
 * Key setup: writes the 512-byte table for the hash subkey at `h` (16 bytes, GCM
 * byte order) at `table`.
 */
export function ghash_setup(table: usize, h: usize): void {
  // H·x^k for k = 0..7 in R, as 64-bit word pairs (lo = bytes 0..7 of R) at
  // GHASH_SCRATCH + 16k.
  const px: usize = GHASH_SCRATCH;
  let hi = bswap<u64>(load<u64>(h, 0));
  let lo = bswap<u64>(load<u64>(h, 8));
  for (let k: usize = 0; k < 8; k++) {
    store<u64>(px + (k << 4), lo, 0);
    store<u64>(px + (k << 4), hi, 8);
    // Multiply by x: shift right by one; the bit leaving bit 0 is x^128, folded back
    // as 1 + x + x^2 + x^7, which is 0xe1 in the top byte of R.
    const fold = (0 - (lo & 1)) & 0xe100000000000000;
    lo = (lo >> 1) | (hi << 63);
    hi = (hi >> 1) ^ fold;
  }
  // Rows A_j from H·x^0..3 and B_j from H·x^4..7 (the selectors depend only on e).
  const s0 = v128.load(SEL, 0);
  const s1 = v128.load(SEL, 16);
  const s2 = v128.load(SEL, 32);
  const s3 = v128.load(SEL, 48);
  for (let j: usize = 0; j < 16; j++) {
    v128.store(table + (j << 4), tableRow(px, j, s0, s1, s2, s3));
    v128.store(table + B_ROWS + (j << 4), tableRow(px + 64, j, s0, s1, s2, s3));
  }
  memory.fill(px, 0, 128);
}

/** V_j: lane q is byte j of Z_q·H (see the header). */
@inline function row(t: usize, j: usize, nh: v128, nl: v128): v128 {
  return v128.xor(
    i8x16.swizzle(v128.load(t + (j << 4)), nh),
    i8x16.swizzle(v128.load(t + B_ROWS + (j << 4)), nl),
  );
}

/**
 * W·H for W in representation R, reduced, in R. `low4` is 0x0f in every byte; it is
 * loaded from memory once per call rather than written as a v128.const, which V8
 * rebuilds inside the loop (measured: 14% faster on Deno's V8 15, the same on
 * Node 20).
 *
 * The rows run in order with one accumulator each: with rows paired and two chains
 * per accumulator, Node 20's V8 computes most swizzles first and spills them to the
 * stack (measured 20% slower there).
 */
@inline function mulH(t: usize, w: v128, low4: v128): v128 {
  const zero = i64x2.splat(0);
  const nl = v128.and(w, low4);
  const nh = v128.and(i16x8.shr_u(w, 4), low4);

  // Rows 0..6 shift by 1..7 bytes, row 7 by one lane, rows 8..14 by one lane plus
  // 1..7 bytes, row 15 by two lanes (the table in the header).
  let v = row(t, 0, nh, nl);
  let d0 = i64x2.shl(v, 8);
  let d1 = i64x2.shr_u(v, 56);
  v = row(t, 1, nh, nl);
  d0 = v128.xor(d0, i64x2.shl(v, 16));
  d1 = v128.xor(d1, i64x2.shr_u(v, 48));
  v = row(t, 2, nh, nl);
  d0 = v128.xor(d0, i64x2.shl(v, 24));
  d1 = v128.xor(d1, i64x2.shr_u(v, 40));
  v = row(t, 3, nh, nl);
  d0 = v128.xor(d0, i64x2.shl(v, 32));
  d1 = v128.xor(d1, i64x2.shr_u(v, 32));
  v = row(t, 4, nh, nl);
  d0 = v128.xor(d0, i64x2.shl(v, 40));
  d1 = v128.xor(d1, i64x2.shr_u(v, 24));
  v = row(t, 5, nh, nl);
  d0 = v128.xor(d0, i64x2.shl(v, 48));
  d1 = v128.xor(d1, i64x2.shr_u(v, 16));
  v = row(t, 6, nh, nl);
  d0 = v128.xor(d0, i64x2.shl(v, 56));
  d1 = v128.xor(d1, i64x2.shr_u(v, 8));
  d1 = v128.xor(d1, row(t, 7, nh, nl));
  v = row(t, 8, nh, nl);
  d1 = v128.xor(d1, i64x2.shl(v, 8));
  let d2 = i64x2.shr_u(v, 56);
  v = row(t, 9, nh, nl);
  d1 = v128.xor(d1, i64x2.shl(v, 16));
  d2 = v128.xor(d2, i64x2.shr_u(v, 48));
  v = row(t, 10, nh, nl);
  d1 = v128.xor(d1, i64x2.shl(v, 24));
  d2 = v128.xor(d2, i64x2.shr_u(v, 40));
  v = row(t, 11, nh, nl);
  d1 = v128.xor(d1, i64x2.shl(v, 32));
  d2 = v128.xor(d2, i64x2.shr_u(v, 32));
  v = row(t, 12, nh, nl);
  d1 = v128.xor(d1, i64x2.shl(v, 40));
  d2 = v128.xor(d2, i64x2.shr_u(v, 24));
  v = row(t, 13, nh, nl);
  d1 = v128.xor(d1, i64x2.shl(v, 48));
  d2 = v128.xor(d2, i64x2.shr_u(v, 16));
  v = row(t, 14, nh, nl);
  d1 = v128.xor(d1, i64x2.shl(v, 56));
  d2 = v128.xor(d2, i64x2.shr_u(v, 8));
  d2 = v128.xor(d2, row(t, 15, nh, nl));

  // 256-bit product: low half A (x^255..x^128) and high half (x^127..x^0).
  const a = v128.xor(d0, i64x2.shuffle(zero, d1, 0, 2));
  const high = v128.xor(d2, i64x2.shuffle(d1, zero, 1, 2));

  // Reduction (header). g = A<<63 ^ A<<62 ^ A<<57 per 64-bit lane: its lane 0 is
  // O (it belongs in lane 1), and its lane 1 is what A ^ O loses to lane 0 when
  // shifted right by 1, 2 and 7 (O's own contribution there is shifted out).
  const g = v128.xor(v128.xor(i64x2.shl(a, 63), i64x2.shl(a, 62)), i64x2.shl(a, 57));
  const b = v128.xor(a, i64x2.shuffle(zero, g, 0, 2));
  const f = v128.xor(
    v128.xor(v128.xor(b, i64x2.shuffle(g, zero, 1, 2)), i64x2.shr_u(b, 1)),
    v128.xor(i64x2.shr_u(b, 2), i64x2.shr_u(b, 7)),
  );
  return v128.xor(high, f);
}

/**
 * SP 800-38D Algorithm 2: for each of the `nblocks` 16-byte blocks X at `data`,
 * Y = (Y xor X)·H, with H given by the table at `table` (from ghash_setup) and Y
 * the 16 bytes at `y` in GCM byte order, updated in place.
 */
export function ghash_update(table: usize, y: usize, data: usize, nblocks: u32): void {
  const low4 = v128.load(LOW4);
  let acc = reverseBytes(v128.load(y));
  for (let end = data + (<usize>nblocks << 4); data < end; data += 16) {
    acc = mulH(table, v128.xor(acc, reverseBytes(v128.load(data))), low4);
  }
  v128.store(y, reverseBytes(acc));
}
