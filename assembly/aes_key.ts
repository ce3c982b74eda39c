// AES-256 key schedule (FIPS 197 §5.2, Nk = 8, Nr = 14) into the bitsliced
// round keys of aes.ts.
//
// The 60 words are expanded in scratch, then each 16-byte round key is stored
// as eight planes (plane j byte i = 0xff when bit j of key byte i is set: the
// layout rounds() XORs in). Round keys 1..13 have their bytes in row order
// (4r + c), 0 and 14 in block order (r + 4c), as aes.ts explains. Rounds 1..14
// also carry the S-box's affine constant 0x63, which rounds() leaves out of its
// circuit (see aes.ts).
//
// SubWord, thirteen times per key, one word each, does not go through the
// bitsliced circuit: it scans the whole 256-byte S-box table, every row loaded
// from its fixed address for every word, and selects bytes inside a register
// with i8x16.swizzle, the constant-time assumption ghash.ts also makes (the
// index picks a lane of a register, never a memory address; pshufb and tbl run
// in the same time for every index). That costs less than half of a pass
// through the circuit with its plane conversions (measured: key setup 1.0 µs
// with the circuit, 0.7 µs with the scan, on V8).
//
// Constant time: the loops and branches depend only on the word index i or the
// round index r; key bytes reach only bitwise SIMD operations, swizzle indices
// and scalar XORs.
// expandKey wipes the words it leaves in scratch.
import { AES_SCRATCH } from "./layout";

/** The AES S-box (FIPS 197 §5.1.1, Figure 7), row h holding S(16h) … S(16h + 15). */
const SBOX = memory.data<u8>([
  0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
  0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
  0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
  0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
  0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
  0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
  0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
  0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
  0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
  0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
  0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
  0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
  0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
  0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
  0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
  0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
]);

/**
 * SubWord (FIPS 197 §5.2) by scanning the whole S-box: for every row h, a
 * swizzle looks up the low nibbles of all four bytes within the row (a
 * register), and a mask keeps the lanes whose high nibble is h. Every row is
 * loaded from its fixed address and used for every byte, so neither an address
 * nor a branch depends on the key; the swizzle's index only selects lanes
 * inside a register (the constant-time assumption of ghash.ts).
 */
function subWord(w: u32): u32 {
  const x = i32x4.splat(w);
  const lo = v128.and(x, i8x16.splat(0x0f));
  const hi = i8x16.shr_u(x, 4);
  const one = i8x16.splat(1);
  let h = i8x16.splat(0);
  let out = i8x16.splat(0);
  for (let row = SBOX, end = SBOX + 256; row < end; row += 16) {
    out = v128.or(out, v128.and(i8x16.swizzle(v128.load(row), lo), i8x16.eq(hi, h)));
    h = i8x16.add(h, one);
  }
  return i32x4.extract_lane(out, 0);
}

/** The eight single-bit masks 0x01 … 0x80 in every byte, loaded once per key (V8 rebuilds v128 constants in loops). */
const BITS = memory.data<u8>([
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
  8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
  128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
]);

/** Swizzle mask from block order to row order: byte 4r + c takes byte r + 4c. */
const TO_ROWS = memory.data<u8>([0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15]);

/** Plane j of the bytes k: 0xff where bit j of a byte is set. */
@inline function plane(k: v128, bit: v128): v128 {
  return i8x16.eq(v128.and(k, bit), bit);
}

/**
 * Expands the 32-byte key at `key` and stores the 15 bitsliced round keys at
 * `rk` (AES_RK_BYTES). Uses and wipes the first 240 bytes of AES_SCRATCH.
 */
export function expandKey(rk: usize, key: usize): void {
  const w: usize = AES_SCRATCH; // 60 words = 240 bytes
  const c63 = i8x16.splat(0x63);
  memory.copy(w, key, 32);
  let rcon: u32 = 1;
  for (let i: usize = 8; i < 60; i++) {
    let t = load<u32>(w + ((i - 1) << 2));
    if ((i & 7) == 0) {
      // RotWord then SubWord then Rcon (words are little-endian: byte 0 is the low byte)
      t = subWord(rotr<u32>(t, 8)) ^ rcon;
      rcon = (rcon << 1) ^ (0x11b & -(rcon >> 7));
    } else if ((i & 7) == 4) {
      t = subWord(t);
    }
    store<u32>(w + (i << 2), load<u32>(w + ((i - 8) << 2)) ^ t);
  }
  // Bitslice: plane j byte i = 0xff when bit j of round-key byte i is set;
  // keys 1..13 in row order; rounds 1..14 also carry the S-box constant 0x63
  // (see rounds()).
  const toRows = v128.load(TO_ROWS);
  const b0 = v128.load(BITS, 0), b1 = v128.load(BITS, 16), b2 = v128.load(BITS, 32), b3 = v128.load(BITS, 48);
  const b4 = v128.load(BITS, 64), b5 = v128.load(BITS, 80), b6 = v128.load(BITS, 96), b7 = v128.load(BITS, 112);
  for (let r: usize = 0, p = rk; r < 15; r++, p += 128) {
    let k = v128.load(w + (r << 4));
    if (r > 0) k = v128.xor(k, c63);
    if (r > 0 && r < 14) k = i8x16.swizzle(k, toRows);
    v128.store(p, plane(k, b0), 0);
    v128.store(p, plane(k, b1), 16);
    v128.store(p, plane(k, b2), 32);
    v128.store(p, plane(k, b3), 48);
    v128.store(p, plane(k, b4), 64);
    v128.store(p, plane(k, b5), 80);
    v128.store(p, plane(k, b6), 96);
    v128.store(p, plane(k, b7), 112);
  }
  memory.fill(w, 0, 240);
}
