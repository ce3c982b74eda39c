// GHASH reference implementation: scalar, constant-time, no precomputed table.
//
// Spec: NIST SP 800-38D §6.3 (multiplication in GF(2^128), Algorithm 1) and §6.4
// (GHASH, Algorithm 2): for each 16-byte block X_i, Y = (Y xor X_i) · H, reduced
// modulo g(x) = x^128 + x^7 + x^2 + x + 1.
//
// This is the simple implementation the SIMD kernel (ghash.ts) is tested against.
// The technique is the one BearSSL calls "ctmul64" (learnt from its
// src/hash/ghash_ctmul64.c; the code here is written from the math below):
//
// 1. Bit order. GCM puts x^0 in the most significant bit of byte 0. Reading a block
//    as a big-endian 128-bit integer U therefore gives bit (127 - i) = coefficient
//    of x^i: the polynomial with its bits reversed. For two such values,
//    clmul(U, V) << 1 is the product U(x)·V(x) in the same reversed form, 256 bits
//    wide (clmul = carry-less product of the integers; the reversed product of two
//    128-bit values has 255 bits, hence the one-bit shift).
//
// 2. Carry-less 64x64 from integer multiplies ("holes"). Split x and y into four
//    masks each, keeping every fourth bit (0x1111…, 0x2222…, 0x4444…, 0x8888…). An
//    ordinary product of two such masks has bits only in one residue class mod 4,
//    and each bit position is the integer sum of at most 16 one-bit terms. Reading
//    the sum in base 16, a digit below 16 never carries into the next position of
//    its class, and a digit of 16 can only occur at positions >= 60 whose carry
//    falls past bit 63. So bit p of the product, masked to its class, is the XOR
//    (parity) of the terms: the low 64 bits of the carry-less product.
//
// 3. High half by reversal. With rev() reversing the 64 bits of a word,
//    clmul(rev a, rev b) is the 127-bit clmul(a, b) reversed, so
//    rev(low64(clmul(rev a, rev b))) >> 1 is bits 64..126 of clmul(a, b).
//
// 4. Karatsuba on the two 64-bit halves: three 128-bit products (six holes
//    multiplies of 64x64 bits), then the one-bit shift and the reduction.
//
// Constant time: only 64-bit integer multiplies, shifts and bitwise logic on
// secret data; no table, no secret-dependent branch, address or loop bound. This
// assumes a 64-bit host whose 64x64-bit multiply takes fixed time (x86-64
// `imul`, AArch64 `mul`); on a 32-bit host a WebAssembly engine may emulate i64.mul
// with variable-time code. Everything lives in locals; no scratch memory is used.

const M0: u64 = 0x1111111111111111;
const M1: u64 = 0x2222222222222222;
const M2: u64 = 0x4444444444444444;
const M3: u64 = 0x8888888888888888;

/** Low 64 bits of the carry-less product of x and y (step 2 above). */
@inline function clmulLow(x: u64, y: u64): u64 {
  const x0 = x & M0, x1 = x & M1, x2 = x & M2, x3 = x & M3;
  const y0 = y & M0, y1 = y & M1, y2 = y & M2, y3 = y & M3;
  // Class c of the product collects the pairs (i, j) with i + j = c (mod 4).
  const c0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  const c1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  const c2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  const c3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (c0 & M0) | (c1 & M1) | (c2 & M2) | (c3 & M3);
}

/** The 64 bits of x in reverse order. */
@inline function reverseBits(x: u64): u64 {
  x = ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
  x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
  x = ((x >> 4) & 0x0f0f0f0f0f0f0f0f) | ((x & 0x0f0f0f0f0f0f0f0f) << 4);
  return bswap<u64>(x);
}

/** Bits 64..126 of the carry-less product, given the bit-reversed operands (step 3). */
@inline function clmulHigh(xr: u64, yr: u64): u64 {
  return reverseBits(clmulLow(xr, yr)) >> 1;
}

/**
 * SP 800-38D Algorithm 2 over `nblocks` 16-byte blocks at `data`, with the hash
 * subkey read from `h` (16 bytes, GCM byte order) and the running value Y at `y`
 * (16 bytes, GCM byte order, updated in place).
 */
export function ghash_ctmul64_update(h: usize, y: usize, data: usize, nblocks: u32): void {
  // Big-endian words: *1 holds x^0..x^63 (x^0 at bit 63), *0 holds x^64..x^127.
  const h1 = bswap<u64>(load<u64>(h, 0));
  const h0 = bswap<u64>(load<u64>(h, 8));
  const h2 = h1 ^ h0;
  const h1r = reverseBits(h1);
  const h0r = reverseBits(h0);
  const h2r = h1r ^ h0r;
  let y1 = bswap<u64>(load<u64>(y, 0));
  let y0 = bswap<u64>(load<u64>(y, 8));

  for (let end = data + (<usize>nblocks << 4); data < end; data += 16) {
    y1 ^= bswap<u64>(load<u64>(data, 0));
    y0 ^= bswap<u64>(load<u64>(data, 8));
    const y2 = y1 ^ y0;
    const y1r = reverseBits(y1);
    const y0r = reverseBits(y0);
    const y2r = y1r ^ y0r;

    // Karatsuba: (y1·2^64 + y0)(h1·2^64 + h0) as carry-less integers, 256 bits in
    // words w3:w2:w1:w0 (w3 most significant).
    const aLo = clmulLow(y1, h1), aHi = clmulHigh(y1r, h1r); // y1·h1
    const bLo = clmulLow(y0, h0), bHi = clmulHigh(y0r, h0r); // y0·h0
    const mLo = clmulLow(y2, h2) ^ aLo ^ bLo;                // y1·h0 + y0·h1
    const mHi = clmulHigh(y2r, h2r) ^ aHi ^ bHi;
    let w3 = aHi;
    let w2 = aLo ^ mHi;
    let w1 = bHi ^ mLo;
    let w0 = bLo;

    // Step 1's one-bit shift: now bit (255 - d) of w3:w2:w1:w0 is the coefficient of x^d.
    w3 = (w3 << 1) | (w2 >> 63);
    w2 = (w2 << 1) | (w1 >> 63);
    w1 = (w1 << 1) | (w0 >> 63);
    w0 <<= 1;

    // Reduction. A = w1:w0 holds x^128..x^255, i.e. the value is A·x^128 with A in
    // the reversed form, and x^128 = 1 + x + x^2 + x^7 (mod g). Multiplying by x^k is
    // a right shift by k; the k bits shifted out are degrees >= 128 again. Folding
    // those bits (O = A<<127 ^ A<<126 ^ A<<121, all from w0, landing in the top
    // word) into A first lets one pass compute (A ^ O)·(1 + x + x^2 + x^7), since
    // O has degree < 7 and its own product cannot overflow.
    w1 ^= (w0 << 63) ^ (w0 << 62) ^ (w0 << 57);
    y1 = w3 ^ w1 ^ (w1 >> 1) ^ (w1 >> 2) ^ (w1 >> 7);
    y0 = w2 ^ w0 ^ ((w0 >> 1) | (w1 << 63)) ^ ((w0 >> 2) | (w1 << 62)) ^ ((w0 >> 7) | (w1 << 57));
  }

  store<u64>(y, bswap<u64>(y1), 0);
  store<u64>(y, bswap<u64>(y0), 8);
}
