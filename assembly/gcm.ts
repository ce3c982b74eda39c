// AES-256-GCM (NIST SP 800-38D) over the bitsliced AES and the GHASH kernel.
//
// A key slot holds the bitsliced round keys (aes.ts, 1,920 bytes), the GHASH
// table (ghash.ts, 512 bytes) and up to PRESET_MAX prepared IVs (32 bytes each:
// J0, then E(K, J0)). A context (CTX_BYTES) holds one message's state, so
// messages can be processed in any number of calls:
//
//   key:  gcm_setup, or gcm_setup_ivs with the 96-bit IVs to prepare
//   IV:   gcm_iv96 (96-bit IV: J0 = IV ‖ 0^31 ‖ 1, §7.1 step 2), or
//         gcm_reset + gcm_absorb(IV…) + gcm_iv_finish (J0 = GHASH(IV ‖ 0^s ‖ 0^64 ‖ [len(IV)]64))
//   AAD:  gcm_absorb(…)            any number of calls, any lengths
//   data: gcm_encrypt / gcm_decrypt in place, any number of calls, any lengths
//   end:  gcm_tag (writes 16 bytes) or gcm_verify (constant-time compare of the
//         first tagLen bytes, returns 1 or 0); both wipe the context.
//
// GCTR (§6.5) uses inc32 on the low 32 bits of the counter block; the counter
// is a u32, so it wraps exactly as inc32 does. Keystream is made eight blocks
// per AES batch; unused keystream waits in the context for the next call. The
// first batch starts at J0 itself, so E(K, J0) for the tag comes for free and a
// message of up to seven blocks costs a single AES batch.
//
// Prepared IVs: the key-setup batch encrypts 0^128 for H (§6.4) and has seven
// blocks to spare, so gcm_setup_ivs fills them with E(K, J0) for IVs the caller
// knows it will use next (a message format's fixed header IV, its first frame
// IVs). gcm_iv96 takes E(K, J0) from a matching entry, wipes the entry, and the
// keystream starts at inc32(J0): an empty message (a tag over AAD only) then
// needs no AES batch, and one of 8k blocks needs k instead of k + 1. An unused
// entry is zero; a J0 always ends in counter 1, so it never matches one.
//
// Constant time: lengths, call boundaries and IVs are public; no branch, bound
// or address depends on key, data or tag. The tag check ORs all differences
// (ct.ts). gcm_open wipes the decrypted bytes when the tag does not verify, so
// no unauthenticated plaintext leaves a one-shot call. Scratch is wiped.
import { AES_SCRATCH, SLOT_SIZE } from "./layout";
import { AES_RK_BYTES, encrypt8 } from "./aes";
import { expandKey } from "./aes_key";
import { GHASH_TABLE_BYTES, ghash_setup, ghash_update } from "./ghash";
import { ctEqual } from "./ct";

// Context layout (bytes)
const CB: usize = 0; // counter block J0; lane 3 is replaced by the counter
const EJ0: usize = 16; // E(K, J0)
const Y: usize = 32; // GHASH accumulator
const GBUF: usize = 48; // partial block waiting for GHASH
const KSBUF: usize = 64; // 128 bytes of keystream not yet used
const CTR: usize = 192; // next counter value (low 32 bits of the block, as an integer)
const KSPOS: usize = 196; // first unused byte of KSBUF (128 = empty)
const GBUFLEN: usize = 200;
const PHASE: usize = 204; // 0: absorbing IV or AAD, 1: data
const ABSLEN: usize = 208; // bytes absorbed before the data (IV, then AAD), u64
const CTLEN: usize = 216; // ciphertext bytes, u64
export const CTX_BYTES: u32 = 224;

const BATCH: usize = AES_SCRATCH + 1024; // 128 bytes of keystream for the direct path
const TAG: usize = AES_SCRATCH + 1152; // 16 bytes

/** Prepared IVs a key slot can hold (the seven spare blocks of the key-setup batch). */
export const PRESET_MAX: u32 = 7;
const PRESETS: usize = AES_RK_BYTES + GHASH_TABLE_BYTES;

@inline function table(key: usize): usize {
  return key + AES_RK_BYTES;
}

// ---------------------------------------------------------------------------
// Key setup

/**
 * Expands the key at `k` into slot `key`, builds the GHASH table for
 * H = E(K, 0^128), and prepares E(K, J0) for the `count` (at most PRESET_MAX)
 * 96-bit IVs at `ivs` (12 bytes each, back to back) in the same AES batch.
 */
export function gcm_setup_ivs(key: usize, k: usize, ivs: usize, count: u32): void {
  memory.fill(key, 0, SLOT_SIZE);
  expandKey(key, k);
  memory.fill(BATCH, 0, 128);
  for (let i: usize = 0; i < <usize>count; i++) {
    const j0 = BATCH + 16 + (i << 4);
    memory.copy(j0, ivs + i * 12, 12);
    store<u32>(j0, bswap<u32>(1), 12);
    v128.store(key + PRESETS + (i << 5), v128.load(j0));
  }
  encrypt8(key, BATCH); // block 0 is H, block i + 1 is E(K, J0) of IV i
  ghash_setup(table(key), BATCH);
  for (let i: usize = 0; i < <usize>count; i++) {
    v128.store(key + PRESETS + (i << 5), v128.load(BATCH + 16 + (i << 4)), 16);
  }
  memory.fill(BATCH, 0, 128);
}

/** gcm_setup_ivs without prepared IVs. */
export function gcm_setup(key: usize, k: usize): void {
  gcm_setup_ivs(key, k, 0, 0);
}

// ---------------------------------------------------------------------------
// Keystream

/** Encrypts counter blocks CTR..CTR+7 into `out` and advances CTR by 8. */
function batch(key: usize, ctx: usize, out: usize): void {
  const base = v128.load(ctx + CB);
  const c = load<u32>(ctx + CTR);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c)), 0);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c + 1)), 16);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c + 2)), 32);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c + 3)), 48);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c + 4)), 64);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c + 5)), 80);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c + 6)), 96);
  v128.store(out, i32x4.replace_lane(base, 3, bswap<u32>(c + 7)), 112);
  store<u32>(ctx + CTR, c + 8);
  encrypt8(key, out);
}

/** XORs `len` bytes at p with keystream at ks (any alignment). */
@inline function xorInto(p: usize, ks: usize, len: usize): void {
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    v128.store(p + i, v128.xor(v128.load(p + i), v128.load(ks + i)));
  }
  for (; i < len; i++) {
    store<u8>(p + i, load<u8>(p + i) ^ load<u8>(ks + i));
  }
}

/** GCTR over len bytes at p, in place, continuing the context's keystream. */
function ctrXor(key: usize, ctx: usize, p: usize, len: usize): void {
  // 1. Keystream left over from the previous call (or the first batch).
  let pos = <usize>load<u32>(ctx + KSPOS);
  const take = min<usize>(len, 128 - pos);
  xorInto(p, ctx + KSBUF + pos, take);
  pos += take;
  let off = take;
  // 2. Whole batches straight from the AES output.
  while (len - off >= 128) {
    batch(key, ctx, BATCH);
    xorInto(p + off, BATCH, 128);
    off += 128;
  }
  // 3. A final partial batch: keep the unused keystream for the next call.
  if (off < len) {
    batch(key, ctx, ctx + KSBUF);
    pos = len - off;
    xorInto(p + off, ctx + KSBUF, pos);
  }
  // Used keystream is wiped as it is consumed.
  memory.fill(ctx + KSBUF, 0, pos);
  store<u32>(ctx + KSPOS, <u32>pos);
  memory.fill(BATCH, 0, 128);
}

/** Sets up the keystream from J0 (in CB): E(K, J0) goes to EJ0, the rest of the batch waits. */
function startCounter(key: usize, ctx: usize): void {
  store<u32>(ctx + CTR, bswap<u32>(load<u32>(ctx + CB + 12)));
  batch(key, ctx, ctx + KSBUF);
  v128.store(ctx + EJ0, v128.load(ctx + KSBUF));
  v128.store(ctx + KSBUF, i64x2.splat(0));
  store<u32>(ctx + KSPOS, 16);
}

// ---------------------------------------------------------------------------
// GHASH over a byte stream

/** Feeds len bytes to GHASH, buffering a trailing partial block. */
function absorb(key: usize, ctx: usize, p: usize, len: usize): void {
  let n = <usize>load<u32>(ctx + GBUFLEN);
  let i: usize = 0;
  if (n > 0) {
    while (i < len && n < 16) {
      store<u8>(ctx + GBUF + n, load<u8>(p + i));
      n++;
      i++;
    }
    if (n == 16) {
      ghash_update(table(key), ctx + Y, ctx + GBUF, 1);
      n = 0;
    }
  }
  const blocks = (len - i) >> 4;
  ghash_update(table(key), ctx + Y, p + i, <u32>blocks);
  i += blocks << 4;
  if (i < len) {
    n = len - i;
    memory.copy(ctx + GBUF, p + i, n);
  }
  store<u32>(ctx + GBUFLEN, <u32>n);
}

/** Pads a buffered partial block with zeros and hashes it. */
function flush(key: usize, ctx: usize): void {
  const n = <usize>load<u32>(ctx + GBUFLEN);
  if (n > 0) {
    memory.fill(ctx + GBUF + n, 0, 16 - n);
    ghash_update(table(key), ctx + Y, ctx + GBUF, 1);
    memory.fill(ctx + GBUF, 0, 16);
    store<u32>(ctx + GBUFLEN, 0);
  }
}

/** Hashes [a]64 ‖ [b]64 (bit lengths, big-endian). */
function lengthBlock(key: usize, ctx: usize, aBytes: u64, bBytes: u64): void {
  store<u64>(ctx + GBUF, bswap<u64>(aBytes << 3));
  store<u64>(ctx + GBUF + 8, bswap<u64>(bBytes << 3));
  ghash_update(table(key), ctx + Y, ctx + GBUF, 1);
  memory.fill(ctx + GBUF, 0, 16);
}

// ---------------------------------------------------------------------------
// Streaming ABI

/** Clears a context before gcm_absorb of a non-96-bit IV. */
export function gcm_reset(ctx: usize): void {
  memory.fill(ctx, 0, CTX_BYTES);
  store<u32>(ctx + KSPOS, 128);
}

/**
 * Starts a message with a 96-bit IV at iv. A prepared entry for the IV (see
 * the header) gives E(K, J0), is wiped, and the keystream starts at inc32(J0).
 */
export function gcm_iv96(key: usize, ctx: usize, iv: usize): void {
  gcm_reset(ctx);
  memory.copy(ctx + CB, iv, 12);
  store<u32>(ctx + CB + 12, bswap<u32>(1));
  const j0 = v128.load(ctx + CB);
  for (let e = key + PRESETS, end = e + (<usize>PRESET_MAX << 5); e < end; e += 32) {
    if (i8x16.all_true(i8x16.eq(v128.load(e), j0))) {
      v128.store(ctx + EJ0, v128.load(e, 16));
      memory.fill(e, 0, 32);
      store<u32>(ctx + CTR, 2);
      return;
    }
  }
  startCounter(key, ctx);
}

/** GHASH-absorbs IV bytes (after gcm_reset) or AAD bytes (before any data). */
export function gcm_absorb(key: usize, ctx: usize, p: usize, len: u32): void {
  absorb(key, ctx, p, len);
  store<u64>(ctx + ABSLEN, load<u64>(ctx + ABSLEN) + len);
}

/** Ends an IV of any length: J0 = GHASH(IV ‖ 0^s ‖ 0^64 ‖ [len(IV)]64). */
export function gcm_iv_finish(key: usize, ctx: usize): void {
  flush(key, ctx);
  lengthBlock(key, ctx, 0, load<u64>(ctx + ABSLEN));
  v128.store(ctx + CB, v128.load(ctx + Y));
  v128.store(ctx + Y, i64x2.splat(0));
  store<u64>(ctx + ABSLEN, 0);
  startCounter(key, ctx);
}

@inline function startData(key: usize, ctx: usize, len: u32): void {
  if (load<u32>(ctx + PHASE) == 0) {
    flush(key, ctx);
    store<u32>(ctx + PHASE, 1);
  }
  store<u64>(ctx + CTLEN, load<u64>(ctx + CTLEN) + len);
}

/** Encrypts len bytes at p in place. */
export function gcm_encrypt(key: usize, ctx: usize, p: usize, len: u32): void {
  startData(key, ctx, len);
  ctrXor(key, ctx, p, len);
  absorb(key, ctx, p, len);
}

/** Decrypts len bytes at p in place. The output is unauthenticated until gcm_verify returns 1. */
export function gcm_decrypt(key: usize, ctx: usize, p: usize, len: u32): void {
  startData(key, ctx, len);
  absorb(key, ctx, p, len);
  ctrXor(key, ctx, p, len);
}

/** Computes the full tag into TAG and wipes the context. */
function finish(key: usize, ctx: usize): void {
  flush(key, ctx);
  lengthBlock(key, ctx, load<u64>(ctx + ABSLEN), load<u64>(ctx + CTLEN));
  v128.store(TAG, v128.xor(v128.load(ctx + Y), v128.load(ctx + EJ0)));
  memory.fill(ctx, 0, CTX_BYTES);
}

/** Writes the 16-byte tag at out and wipes the context. */
export function gcm_tag(key: usize, ctx: usize, out: usize): void {
  finish(key, ctx);
  v128.store(out, v128.load(TAG));
  v128.store(TAG, i64x2.splat(0));
}

/** Compares the first tagLen bytes of the tag with those at tag; 1 when equal. Wipes the context. */
export function gcm_verify(key: usize, ctx: usize, tag: usize, tagLen: u32): u32 {
  finish(key, ctx);
  const ok = ctEqual(TAG, tag, tagLen);
  v128.store(TAG, i64x2.splat(0));
  return ok;
}

// ---------------------------------------------------------------------------
// One-shot ABI (everything already in memory)

function start(key: usize, ctx: usize, iv: usize, ivLen: u32, aad: usize, aadLen: u32): void {
  if (ivLen == 12) {
    gcm_iv96(key, ctx, iv);
  } else {
    gcm_reset(ctx);
    gcm_absorb(key, ctx, iv, ivLen);
    gcm_iv_finish(key, ctx);
  }
  gcm_absorb(key, ctx, aad, aadLen);
}

/** Encrypts msg in place and writes the 16-byte tag at tagOut. */
export function gcm_seal(
  key: usize, ctx: usize, iv: usize, ivLen: u32, aad: usize, aadLen: u32, msg: usize, msgLen: u32, tagOut: usize,
): void {
  start(key, ctx, iv, ivLen, aad, aadLen);
  gcm_encrypt(key, ctx, msg, msgLen);
  gcm_tag(key, ctx, tagOut);
}

/**
 * Decrypts msg in place and checks the tag; returns 1 when it verifies. On
 * failure the decrypted bytes are wiped before returning.
 */
export function gcm_open(
  key: usize, ctx: usize, iv: usize, ivLen: u32, aad: usize, aadLen: u32, msg: usize, msgLen: u32,
  tag: usize, tagLen: u32,
): u32 {
  start(key, ctx, iv, ivLen, aad, aadLen);
  gcm_decrypt(key, ctx, msg, msgLen);
  const ok = gcm_verify(key, ctx, tag, tagLen);
  if (ok == 0) memory.fill(msg, 0, msgLen);
  return ok;
}
