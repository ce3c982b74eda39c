// HMAC over SHA-224, SHA-256, SHA-384 and SHA-512 (RFC 2104; FIPS 198-1).
//
// Spec: RFC 2104 §2: HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m)), where
// K0 is K hashed first when it is longer than the block size B, then padded
// with zeros to B bytes; ipad = 0x36 and opad = 0x5c repeated B times.
//
// Constant time: the key is processed with whole-block XORs and the hash
// compression functions (see sha256.ts, sha512.ts); nothing branches on or
// indexes memory by key or message bytes. Branches depend only on the algorithm
// and on lengths, which are public.
//
// `alg` selects the hash: 224, 256, 384 or 512 (its output is alg/8 bytes; the
// block is 64 bytes for 224 and 256, 128 for 384 and 512).
//
// HMAC state struct (2·S bytes, S = SHA256_STATE_SIZE for 224 and 256,
// SHA512_STATE_SIZE for 384 and 512):
//   +0  inner hash state, keyed with K0 ^ ipad, then fed the message
//   +S  outer hash state, keyed with K0 ^ opad
// Copying the struct copies the keyed HMAC, which hkdf.ts uses per block.
//
// Map of HASH_SCRATCH (24 KiB, from layout.ts; each export wipes what it used):
//   +0x000  512 B  the glue's staging area for streaming states it copies in and out
//   +0x200  256 B  sha224/sha256/sha384/sha512 one-shot state (sha256.ts, sha512.ts)
//   +0x300  128 B  HMAC key block K0 ^ pad (wiped by hmac_init)
//   +0x380   64 B  HMAC inner digest (wiped by hmac_final)
//   +0x400  512 B  HMAC one-shot state
//   +0x600  ...    HKDF (hkdf.ts, up to +0xb00)
//   +0xb00  128 B  SHA-512 message schedule ring W + K (sha512.ts compress)
//   +0xb80   64 B  SHA-256 message schedule ring W + K (sha256.ts compress)
import { HASH_SCRATCH } from "./layout";
import {
  sha224_init,
  sha224_final,
  sha256_init,
  sha256_update,
  sha256_final,
  SHA256_STATE_SIZE,
} from "./sha256";
import {
  sha384_init,
  sha384_final,
  sha512_init,
  sha512_update,
  sha512_final,
  SHA512_STATE_SIZE,
} from "./sha512";

const KEY_BLOCK: usize = HASH_SCRATCH + 0x300;
const INNER_DIGEST: usize = HASH_SCRATCH + 0x380;
const ONE_SHOT: usize = HASH_SCRATCH + 0x400;

const IPAD: u8 = 0x36;
const OPAD: u8 = 0x5c;

/** SHA-224 and SHA-256 share a state struct, block size and update; so do SHA-384 and SHA-512. */
@inline function isSha256Family(alg: u32): bool {
  return alg <= 256;
}

@inline function blockLen(alg: u32): usize {
  return isSha256Family(alg) ? 64 : 128;
}

@inline function stateSize(alg: u32): usize {
  return isSha256Family(alg) ? SHA256_STATE_SIZE : SHA512_STATE_SIZE;
}

function hashInit(alg: u32, st: usize): void {
  if (alg == 224) sha224_init(st);
  else if (alg == 256) sha256_init(st);
  else if (alg == 384) sha384_init(st);
  else sha512_init(st);
}

function hashUpdate(alg: u32, st: usize, p: usize, len: usize): void {
  if (isSha256Family(alg)) sha256_update(st, p, len);
  else sha512_update(st, p, len);
}

function hashFinal(alg: u32, st: usize, out: usize): void {
  if (alg == 224) sha224_final(st, out);
  else if (alg == 256) sha256_final(st, out);
  else if (alg == 384) sha384_final(st, out);
  else sha512_final(st, out);
}

/** XORs the B-byte key block with `pad` (one byte repeated) in place. */
@inline function xorKeyBlock(b: usize, pad: u8): void {
  const v = i8x16.splat(pad);
  for (let i: usize = 0; i < b; i += 16) v128.store(KEY_BLOCK + i, v128.xor(v128.load(KEY_BLOCK + i), v));
}

/** Returns the size in bytes of the HMAC state struct for `alg`. */
export function hmac_state_size(alg: u32): u32 {
  return <u32>stateSize(alg) * 2;
}

/** Keys the HMAC state struct at `st` with the `keyLen`-byte key at `key`. */
export function hmac_init(alg: u32, st: usize, key: usize, keyLen: usize): void {
  const b = blockLen(alg);
  const s = stateSize(alg);
  memory.fill(KEY_BLOCK, 0, b);
  if (keyLen > b) {
    hashInit(alg, st);
    hashUpdate(alg, st, key, keyLen);
    hashFinal(alg, st, KEY_BLOCK);
  } else {
    memory.copy(KEY_BLOCK, key, keyLen);
  }
  xorKeyBlock(b, IPAD);
  hashInit(alg, st);
  hashUpdate(alg, st, KEY_BLOCK, b);
  xorKeyBlock(b, IPAD ^ OPAD);
  hashInit(alg, st + s);
  hashUpdate(alg, st + s, KEY_BLOCK, b);
  memory.fill(KEY_BLOCK, 0, b);
}

/** Feeds `len` message bytes at `p` to the keyed HMAC at `st`. */
export function hmac_update(alg: u32, st: usize, p: usize, len: usize): void {
  hashUpdate(alg, st, p, len);
}

/** Writes the alg/8-byte MAC to `out` and wipes the HMAC state struct and the inner digest. */
export function hmac_final(alg: u32, st: usize, out: usize): void {
  const s = stateSize(alg);
  hashFinal(alg, st, INNER_DIGEST);
  hashUpdate(alg, st + s, INNER_DIGEST, alg >> 3);
  hashFinal(alg, st + s, out);
  memory.fill(INNER_DIGEST, 0, 64);
}

/**
 * One-shot HMAC of `len` bytes at `p` under the `keyLen`-byte key at `key`,
 * into `out`. `out` may overlap the key or the message: it is written last.
 */
export function hmac(alg: u32, key: usize, keyLen: usize, p: usize, len: usize, out: usize): void {
  hmac_init(alg, ONE_SHOT, key, keyLen);
  hashUpdate(alg, ONE_SHOT, p, len);
  hmac_final(alg, ONE_SHOT, out);
}
