// AES-256 (FIPS 197), bitsliced eight blocks at a time in WebAssembly SIMD.
//
// Layout (Käsper & Schwabe, CHES 2009, with the byte positions of each plane
// in row order). Eight 16-byte blocks B0..B7 become eight v128 bit-planes P0..P7:
//
//     plane Pj, byte i, bit b  =  bit j of state byte i of block Bb
//
// The transposition (ortho) leaves state byte (row r, column c) at plane byte
// n = r + 4c, the block's own order (FIPS 197 §3.4). Inside the rounds the
// planes keep it at m = 4r + c instead: each 32-bit lane of a plane is one row.
//
//          lane 0 (row 0)      lane 1 (row 1)     lane 2 (row 2)    lane 3 (row 3)
//   Pj   [c0 c1 c2 c3]       [c0 c1 c2 c3]      [c0 c1 c2 c3]     [c0 c1 c2 c3]
//
// Then the column rotations of MixColumns move whole rows, a 32-bit lane
// shuffle (one pshufd on x64), and ShiftRows rotates the bytes inside each
// lane, one swizzle with a constant mask. Changing between the two byte orders
// costs nothing: SubBytes works on each byte position alone, so round 1 takes
// its input in block order and its ShiftRows mask also reorders the bytes, and
// the last round's mask puts them back (round keys 0 and 14 are in block order,
// 1..13 in row order; aes_key.ts).
//
// SubBytes is the Boyar–Peralta circuit (eprint 2009/191; 32 AND, 83 XOR/XNOR)
// evaluated on the planes, so it needs no table. The transposition into and
// out of planes is the 8x8 bit-matrix transpose of each byte position, done
// with three rounds of SWAPMOVE.
//
// Round keys are expanded once per key (aes_key.ts) and stored bitsliced (15
// rounds x 8 planes x 16 bytes = 1,920 bytes): plane j byte i is 0xff when bit
// j of the round key's byte at that position is set, so AddRoundKey is eight XORs.
//
// Constant time: every operation is a v128 bitwise op, a shift by a constant,
// or a shuffle or swizzle with a constant mask (chosen by the round number).
// No branch, loop bound or memory address depends on the key or the data. Scratch memory (AES_SCRATCH) is wiped by the
// callers' exports.
import { AES_SCRATCH } from "./layout";

/** Bytes of bitsliced round keys per key. */
export const AES_RK_BYTES: u32 = 1920;

// ---------------------------------------------------------------------------
// Transposition between blocks and bit-planes

// SWAPMOVE on a pair of values a (lower index) and b: exchanges the bits of a
// selected by (mask << n) with the bits of b selected by mask. `t` is the
// exchanged difference; a' = a ^ (t << n), b' = b ^ t.
@inline function swapT(a: v128, b: v128, mask: v128, n: u32): v128 {
  return v128.and(v128.xor(i64x2.shr_u(a, n), b), mask);
}

/**
 * Transposes eight 16-byte values at p in place: afterwards value i, byte k,
 * bit j equals the old value j, byte k, bit i. An involution, so it converts
 * blocks to planes and planes back to blocks. Three layers of SWAPMOVE
 * (distance 1, 2, 4) on values kept in registers.
 */
export function ortho(p: usize): void {
  const m1 = i64x2.splat(0x5555555555555555);
  const m2 = i64x2.splat(0x3333333333333333);
  const m4 = i64x2.splat(0x0f0f0f0f0f0f0f0f);
  let q0 = v128.load(p, 0);
  let q1 = v128.load(p, 16);
  let q2 = v128.load(p, 32);
  let q3 = v128.load(p, 48);
  let q4 = v128.load(p, 64);
  let q5 = v128.load(p, 80);
  let q6 = v128.load(p, 96);
  let q7 = v128.load(p, 112);
  let t: v128;
  t = swapT(q0, q1, m1, 1); q1 = X(q1, t); q0 = X(q0, i64x2.shl(t, 1));
  t = swapT(q2, q3, m1, 1); q3 = X(q3, t); q2 = X(q2, i64x2.shl(t, 1));
  t = swapT(q4, q5, m1, 1); q5 = X(q5, t); q4 = X(q4, i64x2.shl(t, 1));
  t = swapT(q6, q7, m1, 1); q7 = X(q7, t); q6 = X(q6, i64x2.shl(t, 1));
  t = swapT(q0, q2, m2, 2); q2 = X(q2, t); q0 = X(q0, i64x2.shl(t, 2));
  t = swapT(q1, q3, m2, 2); q3 = X(q3, t); q1 = X(q1, i64x2.shl(t, 2));
  t = swapT(q4, q6, m2, 2); q6 = X(q6, t); q4 = X(q4, i64x2.shl(t, 2));
  t = swapT(q5, q7, m2, 2); q7 = X(q7, t); q5 = X(q5, i64x2.shl(t, 2));
  t = swapT(q0, q4, m4, 4); q4 = X(q4, t); q0 = X(q0, i64x2.shl(t, 4));
  t = swapT(q1, q5, m4, 4); q5 = X(q5, t); q1 = X(q1, i64x2.shl(t, 4));
  t = swapT(q2, q6, m4, 4); q6 = X(q6, t); q2 = X(q2, i64x2.shl(t, 4));
  t = swapT(q3, q7, m4, 4); q7 = X(q7, t); q3 = X(q3, i64x2.shl(t, 4));
  v128.store(p, q0, 0);
  v128.store(p, q1, 16);
  v128.store(p, q2, 32);
  v128.store(p, q3, 48);
  v128.store(p, q4, 64);
  v128.store(p, q5, 80);
  v128.store(p, q6, 96);
  v128.store(p, q7, 112);
}

// ---------------------------------------------------------------------------
// Gate helpers for the Boyar–Peralta S-box circuit

@inline function X(a: v128, b: v128): v128 {
  return v128.xor(a, b);
}
@inline function A(a: v128, b: v128): v128 {
  return v128.and(a, b);
}

// ---------------------------------------------------------------------------
// ShiftRows and the column rotations of MixColumns

// ShiftRows: state byte (r, c) takes byte (r, (c + r) mod 4). The masks are used
// with i8x16.swizzle, loaded once per round: V8 builds the mask of every
// constant i8x16.shuffle from four scalar instructions, which made the shuffle
// form about 20% slower. Lane i of a mask is the input byte of output byte i.
//   SR_ROWS   row order in, row order out:     4r + c  <-  4r + (c + r) % 4
//   SR_FIRST  block order in, row order out:   4r + c  <-  r + 4((c + r) % 4)
//   SR_LAST   row order in, block order out:   r + 4c  <-  4r + (c + r) % 4
const SR_ROWS = memory.data<u8>([0, 1, 2, 3, 5, 6, 7, 4, 10, 11, 8, 9, 15, 12, 13, 14]);
const SR_FIRST = memory.data<u8>([0, 4, 8, 12, 5, 9, 13, 1, 10, 14, 2, 6, 15, 3, 7, 11]);
const SR_LAST = memory.data<u8>([0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 3, 4, 9, 14]);

// Each byte takes the byte one row below in its column: lane r takes lane r + 1 (pshufd).
@inline function rot1(v: v128): v128 {
  return i32x4.shuffle(v, v, 1, 2, 3, 0);
}
// Each byte takes the byte two rows below in its column (pshufd).
@inline function rot2(v: v128): v128 {
  return i32x4.shuffle(v, v, 2, 3, 0, 1);
}

/**
 * AddRoundKey with round key 0, then rounds 1..14 on the planes at p, in
 * place. Each round: SubBytes, ShiftRows (mask SR_FIRST in round 1, SR_LAST in
 * round 14, SR_ROWS between), MixColumns (not in round 14) and AddRoundKey.
 * The planes are not stored to p between rounds: a call per round, with the
 * planes stored and reloaded between calls, was 10% slower.
 *
 * SubBytes is the Boyar–Peralta circuit; x0 is the most significant bit.
 * With a = ShiftRows(SubBytes(state)), MixColumns per column is
 *   out_r = 2·a_r ⊕ 3·a_{r+1} ⊕ a_{r+2} ⊕ a_{r+3} = 2·t ⊕ a_{r+1} ⊕ rot2(t),  t = a_r ⊕ a_{r+1}.
 * Multiplication by 2 (xtime) moves plane j to j+1 and folds plane 7 into
 * planes 0, 1, 3 and 4 (x^8 = x^4 + x^3 + x + 1). The branches test only the
 * round number.
 */
function rounds(rk: usize, p: usize): void {
  let x0 = X(v128.load(p, 112), v128.load(rk, 112));
  let x1 = X(v128.load(p, 96), v128.load(rk, 96));
  let x2 = X(v128.load(p, 80), v128.load(rk, 80));
  let x3 = X(v128.load(p, 64), v128.load(rk, 64));
  let x4 = X(v128.load(p, 48), v128.load(rk, 48));
  let x5 = X(v128.load(p, 32), v128.load(rk, 32));
  let x6 = X(v128.load(p, 16), v128.load(rk, 16));
  let x7 = X(v128.load(p, 0), v128.load(rk, 0));
  for (let r: usize = 1; ; r++) {
    const k = rk + (r << 7);
    // Top linear layer: 22 outputs y1..y21 from the input bits.
    const y14 = X(x3, x5);
    const y13 = X(x0, x6);
    const y9 = X(x0, x3);
    const y8 = X(x0, x5);
    const t0 = X(x1, x2);
    const y1 = X(t0, x7);
    const y4 = X(y1, x3);
    const y12 = X(y13, y14);
    const y2 = X(y1, x0);
    const y5 = X(y1, x6);
    const y3 = X(y5, y8);
    const t1 = X(x4, y12);
    const y15 = X(t1, x5);
    const y20 = X(t1, x1);
    const y6 = X(y15, x7);
    const y10 = X(y15, t0);
    const y11 = X(y20, y9);
    const y7 = X(x7, y11);
    const y17 = X(y10, y11);
    const y19 = X(y10, y8);
    const y16 = X(t0, y11);
    const y21 = X(y13, y16);
    const y18 = X(x0, y16);

    // Middle non-linear layer: inversion in GF(2^4)^2.
    const t2 = A(y12, y15);
    const t3 = A(y3, y6);
    const t4 = X(t3, t2);
    const t5 = A(y4, x7);
    const t6 = X(t5, t2);
    const t7 = A(y13, y16);
    const t8 = A(y5, y1);
    const t9 = X(t8, t7);
    const t10 = A(y2, y7);
    const t11 = X(t10, t7);
    const t12 = A(y9, y11);
    const t13 = A(y14, y17);
    const t14 = X(t13, t12);
    const t15 = A(y8, y10);
    const t16 = X(t15, t12);
    const t17 = X(t4, t14);
    const t18 = X(t6, t16);
    const t19 = X(t9, t14);
    const t20 = X(t11, t16);
    const t21 = X(t17, y20);
    const t22 = X(t18, y19);
    const t23 = X(t19, y21);
    const t24 = X(t20, y18);

    const t25 = X(t21, t22);
    const t26 = A(t21, t23);
    const t27 = X(t24, t26);
    const t28 = A(t25, t27);
    const t29 = X(t28, t22);
    const t30 = X(t23, t24);
    const t31 = X(t22, t26);
    const t32 = A(t31, t30);
    const t33 = X(t32, t24);
    const t34 = X(t23, t33);
    const t35 = X(t27, t33);
    const t36 = A(t24, t35);
    const t37 = X(t36, t34);
    const t38 = X(t27, t36);
    const t39 = A(t29, t38);
    const t40 = X(t25, t39);

    const t41 = X(t40, t37);
    const t42 = X(t29, t33);
    const t43 = X(t29, t40);
    const t44 = X(t33, t37);
    const t45 = X(t42, t41);

    const z0 = A(t44, y15);
    const z1 = A(t37, y6);
    const z2 = A(t33, x7);
    const z3 = A(t43, y16);
    const z4 = A(t40, y1);
    const z5 = A(t29, y7);
    const z6 = A(t42, y11);
    const z7 = A(t45, y17);
    const z8 = A(t41, y10);
    const z9 = A(t44, y12);
    const z10 = A(t37, y3);
    const z11 = A(t33, y4);
    const z12 = A(t43, y13);
    const z13 = A(t40, y5);
    const z14 = A(t29, y2);
    const z15 = A(t42, y9);
    const z16 = A(t45, y14);
    const z17 = A(t41, y8);

    // Bottom linear layer. The circuit's four XNORs (the S-box's affine constant
    // 0x63, bits 0, 1, 5 and 6) are plain XORs here: a constant in every byte
    // passes unchanged through ShiftRows and MixColumns (2c ⊕ 3c ⊕ c ⊕ c = c), so
    // it is folded into round keys 1..14 instead (see aes_key.ts).
    const t46 = X(z15, z16);
    const t47 = X(z10, z11);
    const t48 = X(z5, z13);
    const t49 = X(z9, z10);
    const t50 = X(z2, z12);
    const t51 = X(z2, z5);
    const t52 = X(z7, z8);
    const t53 = X(z0, z3);
    const t54 = X(z6, z7);
    const t55 = X(z16, z17);
    const t56 = X(z12, t48);
    const t57 = X(t50, t53);
    const t58 = X(z4, t46);
    const t59 = X(z3, t54);
    const t60 = X(t46, t57);
    const t61 = X(z14, t57);
    const t62 = X(t52, t58);
    const t63 = X(t49, t58);
    const t64 = X(z4, t59);
    const t65 = X(t61, t62);
    const t66 = X(z1, t63);
    const s0 = X(t59, t63);
    const s6 = X(t56, t62);
    const s7 = X(t48, t60);
    const t67 = X(t64, t65);
    const s3 = X(t53, t66);
    const s4 = X(t51, t66);
    const s5 = X(t47, t65);
    const s1 = X(t64, s3);
    const s2 = X(t55, t67);

    // ShiftRows (a swizzle with a constant mask)
    const mask = v128.load(r == 1 ? SR_FIRST : r == 14 ? SR_LAST : SR_ROWS);
    const a0 = i8x16.swizzle(s7, mask);
    const a1 = i8x16.swizzle(s6, mask);
    const a2 = i8x16.swizzle(s5, mask);
    const a3 = i8x16.swizzle(s4, mask);
    const a4 = i8x16.swizzle(s3, mask);
    const a5 = i8x16.swizzle(s2, mask);
    const a6 = i8x16.swizzle(s1, mask);
    const a7 = i8x16.swizzle(s0, mask);
    if (r == 14) {
      v128.store(p, X(a0, v128.load(k, 0)), 0);
      v128.store(p, X(a1, v128.load(k, 16)), 16);
      v128.store(p, X(a2, v128.load(k, 32)), 32);
      v128.store(p, X(a3, v128.load(k, 48)), 48);
      v128.store(p, X(a4, v128.load(k, 64)), 64);
      v128.store(p, X(a5, v128.load(k, 80)), 80);
      v128.store(p, X(a6, v128.load(k, 96)), 96);
      v128.store(p, X(a7, v128.load(k, 112)), 112);
      return;
    }
    // MixColumns and AddRoundKey
    const b0 = rot1(a0);
    const b1 = rot1(a1);
    const b2 = rot1(a2);
    const b3 = rot1(a3);
    const b4 = rot1(a4);
    const b5 = rot1(a5);
    const b6 = rot1(a6);
    const b7 = rot1(a7);
    const m0 = X(a0, b0);
    const m1 = X(a1, b1);
    const m2 = X(a2, b2);
    const m3 = X(a3, b3);
    const m4 = X(a4, b4);
    const m5 = X(a5, b5);
    const m6 = X(a6, b6);
    const m7 = X(a7, b7);
    x7 = X(X(X(m7, b0), rot2(m0)), v128.load(k, 0));
    x6 = X(X(X(X(m0, m7), b1), rot2(m1)), v128.load(k, 16));
    x5 = X(X(X(m1, b2), rot2(m2)), v128.load(k, 32));
    x4 = X(X(X(X(m2, m7), b3), rot2(m3)), v128.load(k, 48));
    x3 = X(X(X(X(m3, m7), b4), rot2(m4)), v128.load(k, 64));
    x2 = X(X(X(m4, b5), rot2(m5)), v128.load(k, 80));
    x1 = X(X(X(m5, b6), rot2(m6)), v128.load(k, 96));
    x0 = X(X(X(m6, b7), rot2(m7)), v128.load(k, 112));
  }
}

/**
 * Encrypts the eight blocks at p (128 bytes, ordinary byte order) in place
 * with the bitsliced round keys at rk.
 */
export function encrypt8(rk: usize, p: usize): void {
  ortho(p);
  rounds(rk, p);
  ortho(p);
}

/**
 * Test and key-setup helper: encrypts `nblocks` blocks at p in place (ECB),
 * eight at a time through AES_SCRATCH. Not part of the public TypeScript API.
 */
export function aes256_encrypt_blocks(rk: usize, p: usize, nblocks: u32): void {
  const buf: usize = AES_SCRATCH + 512;
  for (let i: u32 = 0; i < nblocks; i += 8) {
    const n = min<u32>(8, nblocks - i);
    memory.fill(buf, 0, 128);
    memory.copy(buf, p + (i << 4), n << 4);
    encrypt8(rk, buf);
    memory.copy(p + (i << 4), buf, n << 4);
  }
  memory.fill(buf, 0, 128);
}
