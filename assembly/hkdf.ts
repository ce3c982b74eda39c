// HKDF over HMAC-SHA-224, -SHA-256, -SHA-384 and -SHA-512 (RFC 5869).
//
// Spec: RFC 5869 §2.2 (extract: PRK = HMAC-Hash(salt, IKM), where an absent
// salt is HashLen zero bytes) and §2.3 (expand: T(0) = empty,
// T(i) = HMAC-Hash(PRK, T(i-1) || info || i) for i = 1..N, OKM = the first L
// bytes of T(1) || ... || T(N), with L <= 255·HashLen).
//
// An empty salt needs no special case: HMAC pads its key with zeros to the
// block size, so a zero-length key and HashLen zero bytes give the same K0.
//
// Constant time: built only from hmac.ts; the block count depends on L, and L
// and the input lengths are public. The WASM side trusts its inputs: the glue
// checks 1 <= L <= 255·HashLen and prkLen >= HashLen.
//
// `alg` is 224, 256, 384 or 512, as in hmac.ts. Scratch (HASH_SCRATCH, see
// the map in hmac.ts), all wiped before each export returns:
//   +0x600   64 B  PRK of the combined exports (hkdf, hkdf_pair)
//   +0x640   64 B  T(i)
//   +0x680    1 B  the block counter i (public)
//   +0x700  512 B  HMAC keyed with PRK; the call's last T(i) is computed on it directly
//   +0x900  512 B  a copy of it for every other T(i), fed T(i-1) || info || i
// (hmac_final wipes the states it finishes). An output of at most HashLen
// bytes is therefore two HMAC key setups and two single-message HMACs: eight
// compressions for HKDF-SHA-512 with short inputs, as in any implementation.
// hkdf_pair derives two outputs from one PRK with its HMAC keyed once (the
// AWS Encryption SDK's message key and commitment key): ten compressions.
import { HASH_SCRATCH } from "./layout";
import { hmac, hmac_final, hmac_init, hmac_state_size, hmac_update } from "./hmac";

const PRK: usize = HASH_SCRATCH + 0x600;
const BLOCK: usize = HASH_SCRATCH + 0x640;
const COUNTER: usize = HASH_SCRATCH + 0x680;
const KEYED: usize = HASH_SCRATCH + 0x700;
const WORK: usize = HASH_SCRATCH + 0x900;

/** §2.2: writes the alg/8-byte PRK = HMAC(salt, ikm) to `prk`. An empty salt means HashLen zeros. */
export function hkdf_extract(
  alg: u32,
  salt: usize,
  saltLen: usize,
  ikm: usize,
  ikmLen: usize,
  prk: usize,
): void {
  hmac(alg, salt, saltLen, ikm, ikmLen, prk);
}

/**
 * §2.3 from the HMAC keyed with the PRK at KEYED: writes `length` bytes of OKM
 * to `out`. Each T(i) is computed on a copy of KEYED, except the last one when
 * `last` is set, which finishes (and so wipes) KEYED itself.
 */
function expandKeyed(alg: u32, info: usize, infoLen: usize, out: usize, length: usize, last: bool): void {
  const hashLen: usize = alg >> 3;
  for (let counter: u32 = 1, done: usize = 0; ; counter++, done += hashLen) {
    // hmac_final wipes the state it finishes, so neither needs wiping here.
    const final = length - done <= hashLen;
    const st = final && last ? KEYED : WORK;
    if (st == WORK) memory.copy(WORK, KEYED, hmac_state_size(alg));
    if (counter > 1) hmac_update(alg, st, BLOCK, hashLen);
    hmac_update(alg, st, info, infoLen);
    store<u8>(COUNTER, <u8>counter);
    hmac_update(alg, st, COUNTER, 1);
    hmac_final(alg, st, BLOCK);
    memory.copy(out + done, BLOCK, final ? length - done : hashLen);
    if (final) break;
  }
  memory.fill(BLOCK, 0, hashLen);
  store<u8>(COUNTER, 0);
}

/**
 * §2.3: writes `length` bytes of OKM to `out`. `out` must not overlap `info`
 * (info is read again for every block); it may overlap `prk`, which is read first.
 */
export function hkdf_expand(
  alg: u32,
  prk: usize,
  prkLen: usize,
  info: usize,
  infoLen: usize,
  out: usize,
  length: usize,
): void {
  hmac_init(alg, KEYED, prk, prkLen);
  expandKeyed(alg, info, infoLen, out, length, true);
}

/**
 * Extract then expand in one call: `length` bytes of OKM to `out`, which must
 * not overlap `info`. The intermediate PRK never leaves scratch and is wiped.
 */
export function hkdf(
  alg: u32,
  ikm: usize,
  ikmLen: usize,
  salt: usize,
  saltLen: usize,
  info: usize,
  infoLen: usize,
  out: usize,
  length: usize,
): void {
  hmac(alg, salt, saltLen, ikm, ikmLen, PRK);
  hkdf_expand(alg, PRK, alg >> 3, info, infoLen, out, length);
  memory.fill(PRK, 0, 64);
}

/**
 * One extract, two expands: writes OKM_A (lengthA bytes, info A) then OKM_B
 * (lengthB bytes, info B) to `out`, both from PRK = HMAC(salt, ikm). The HMAC
 * keyed with the PRK is set up once for both, so two outputs of at most
 * HashLen bytes cost ten compressions with short inputs (extract 4, PRK pads
 * 2, each output 2). `out` must not overlap the inputs; the PRK and the keyed
 * states never leave scratch and are wiped.
 */
export function hkdf_pair(
  alg: u32,
  ikm: usize,
  ikmLen: usize,
  salt: usize,
  saltLen: usize,
  infoA: usize,
  infoALen: usize,
  lengthA: usize,
  infoB: usize,
  infoBLen: usize,
  lengthB: usize,
  out: usize,
): void {
  hmac(alg, salt, saltLen, ikm, ikmLen, PRK);
  hmac_init(alg, KEYED, PRK, alg >> 3);
  memory.fill(PRK, 0, 64);
  expandKeyed(alg, infoA, infoALen, out, lengthA, false);
  expandKeyed(alg, infoB, infoBLen, out + lengthA, lengthB, true);
}
