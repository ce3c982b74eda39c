/**
 * HKDF (RFC 5869) over HMAC-SHA-224, -SHA-256, -SHA-384 and -SHA-512 on the
 * WebAssembly engine (assembly/hkdf.ts).
 *
 * `hkdf()` is one engine call (extract and expand, the PRK never leaving the
 * engine's scratch) when IKM, salt, info and the output fit in the I/O window
 * together; `hkdf.expand()` and `hkdf.pair()` likewise. Larger inputs fall
 * back to the streaming HMAC of hmac.ts, block by block (§2.3).
 *
 * `hkdf.pair()` derives two outputs from one extract (two infos, one salt and
 * IKM), as the AWS Encryption SDK does for its message key and commitment key:
 * the HMAC keyed with the PRK is set up once for both (ten SHA-512
 * compressions instead of twelve for two 32-byte outputs).
 *
 * Checks: `length` must be 1..255·HashLen (§2.3); expand's PRK must be at
 * least HashLen bytes (§2.3: "a pseudorandom key of at least HashLen octets").
 * An undefined or empty salt means HashLen zero bytes (§2.2).
 *
 * Constant time: see assembly/hkdf.ts; this glue branches only on lengths.
 */
import { engine } from "./wasm.js";
import { EMPTY, bytes, integer, optionalBytes } from "./validate.js";
import { type HashAlgorithm, type Sha2Params, sha2Params, takeOutput } from "./sha2.js";
import { createHmac, mac } from "./hmac.js";

function checkLength(p: Sha2Params, length: unknown, where: string): number {
  return integer(length, 1, 255 * p.outputLen, where, "length");
}

/** §2.3 block by block with the streaming HMAC, for inputs too large for one engine call. */
function expandStreaming(p: Sha2Params, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const keyed = createHmac(p, prk);
  const okm = new Uint8Array(length);
  let block: Uint8Array = EMPTY;
  for (let done = 0, counter = 1; done < length; done += p.outputLen, counter++) {
    const next = keyed.clone().update(block).update(info).update(Uint8Array.of(counter)).digest();
    block.fill(0);
    block = next;
    okm.set(block.subarray(0, length - done), done);
  }
  block.fill(0);
  keyed.digest().fill(0); // finishes the keyed copy, wiping its state
  return okm;
}

/** §2.3 (arguments already validated). */
function expandBytes(p: Sha2Params, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const e = engine();
  const used = prk.length + info.length;
  if (used + length > e.WINDOW_SIZE) return expandStreaming(p, prk, info, length);
  const w = e.WINDOW;
  const mem = e.mem();
  mem.set(prk, w);
  mem.set(info, w + prk.length);
  e.x.hkdf_expand(p.id, w, prk.length, w + prk.length, info.length, w + used, length);
  mem.fill(0, w, w + used);
  return takeOutput(e, w + used, length);
}

/** HKDF (RFC 5869): extract then expand, `length` bytes of output keying material. */
function hkdfDerive(
  alg: HashAlgorithm,
  ikm: Uint8Array,
  salt: Uint8Array | undefined,
  info: Uint8Array | undefined,
  length: number,
): Uint8Array {
  const p = sha2Params(alg, "hkdf");
  bytes(ikm, "hkdf", "ikm");
  const s = optionalBytes(salt, "hkdf", "salt");
  const i = optionalBytes(info, "hkdf", "info");
  checkLength(p, length, "hkdf");
  const e = engine();
  const used = ikm.length + s.length + i.length;
  if (used + length > e.WINDOW_SIZE) {
    const prk = mac(p, s, ikm);
    const okm = expandBytes(p, prk, i, length);
    prk.fill(0);
    return okm;
  }
  const w = e.WINDOW;
  const mem = e.mem();
  mem.set(ikm, w);
  mem.set(s, w + ikm.length);
  mem.set(i, w + ikm.length + s.length);
  e.x.hkdf(p.id, w, ikm.length, w + ikm.length, s.length, w + ikm.length + s.length, i.length, w + used, length);
  mem.fill(0, w, w + used);
  return takeOutput(e, w + used, length);
}

/** One extract, two expands (arguments already validated): [OKM_A, OKM_B]. */
function pairBytes(
  p: Sha2Params, ikm: Uint8Array, salt: Uint8Array, infoA: Uint8Array, lengthA: number, infoB: Uint8Array, lengthB: number,
): [Uint8Array, Uint8Array] {
  const e = engine();
  const used = ikm.length + salt.length + infoA.length + infoB.length;
  if (used + lengthA + lengthB > e.WINDOW_SIZE) {
    const prk = mac(p, salt, ikm);
    const okm: [Uint8Array, Uint8Array] = [expandBytes(p, prk, infoA, lengthA), expandBytes(p, prk, infoB, lengthB)];
    prk.fill(0);
    return okm;
  }
  const mem = e.mem();
  const w = e.WINDOW;
  const s = w + ikm.length;
  const a = s + salt.length;
  const b = a + infoA.length;
  const out = b + infoB.length;
  mem.set(ikm, w);
  mem.set(salt, s);
  mem.set(infoA, a);
  mem.set(infoB, b);
  e.x.hkdf_pair(p.id, w, ikm.length, s, salt.length, a, infoA.length, lengthA, b, infoB.length, lengthB, out);
  mem.fill(0, w, out);
  // Two arrays rather than views of one: V8 keeps arrays this small on its heap, and a view of one costs far more.
  return [takeOutput(e, out, lengthA), takeOutput(e, out + lengthA, lengthB)];
}

export const hkdf = Object.assign(hkdfDerive, {
  /** §2.2: PRK = HMAC-Hash(salt, IKM); HashLen bytes. */
  extract(alg: HashAlgorithm, ikm: Uint8Array, salt?: Uint8Array): Uint8Array {
    const p = sha2Params(alg, "hkdf.extract");
    bytes(ikm, "hkdf.extract", "ikm");
    return mac(p, optionalBytes(salt, "hkdf.extract", "salt"), ikm);
  },

  /** §2.3: `length` bytes of OKM from a PRK of at least HashLen bytes. */
  expand(alg: HashAlgorithm, prk: Uint8Array, info: Uint8Array | undefined, length: number): Uint8Array {
    const p = sha2Params(alg, "hkdf.expand");
    bytes(prk, "hkdf.expand", "prk");
    if (prk.length < p.outputLen) {
      throw new RangeError(`hkdf.expand: prk must be at least ${p.outputLen} bytes, got ${prk.length}`);
    }
    const i = optionalBytes(info, "hkdf.expand", "info");
    return expandBytes(p, prk, i, checkLength(p, length, "hkdf.expand"));
  },

  /**
   * Two outputs from one extract: `[hkdf(alg, ikm, salt, infoA, lengthA), hkdf(alg, ikm, salt, infoB, lengthB)]`,
   * with the PRK's HMAC keyed once. Same checks as `hkdf()` for each output.
   */
  pair(
    alg: HashAlgorithm,
    ikm: Uint8Array,
    salt: Uint8Array | undefined,
    infoA: Uint8Array | undefined,
    lengthA: number,
    infoB: Uint8Array | undefined,
    lengthB: number,
  ): [Uint8Array, Uint8Array] {
    const where = "hkdf.pair";
    const p = sha2Params(alg, where);
    bytes(ikm, where, "ikm");
    const s = optionalBytes(salt, where, "salt");
    const a = optionalBytes(infoA, where, "infoA");
    const b = optionalBytes(infoB, where, "infoB");
    const max = 255 * p.outputLen;
    return pairBytes(p, ikm, s, a, integer(lengthA, 1, max, where, "lengthA"), b, integer(lengthB, 1, max, where, "lengthB"));
  },
});
