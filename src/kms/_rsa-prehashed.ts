/**
 * RSA signatures over a caller-supplied digest (Sign/Verify with MessageType
 * DIGEST), which WebCrypto cannot do: its RSASSA-PKCS1-v1_5 and RSA-PSS always
 * hash the message themselves, and it has no raw RSA operation.
 *
 * - EMSA-PKCS1-v1_5 (RFC 8017 §9.2) and EMSA-PSS with MGF1 and a salt as long
 *   as the hash (§9.1, AWS's RSASSA_PSS_SHA_*), encoded here; the hashes for
 *   PSS and MGF1 come from the WebAssembly engine.
 * - RSASP1 (§5.2.1) with the CRT on BigInt. BigInt is not constant time, so the
 *   private operation is blinded: the base by r^e (r random, removed after),
 *   each CRT exponent by a random multiple of p − 1 / q − 1, and the result is
 *   checked with the public exponent before it leaves (a fault would otherwise
 *   leak a factor of n). This resists the classic remote timing attacks; it is
 *   not a constant-time implementation and the README says so.
 * - Verification (RSAVP1 and the encodings' checks) uses only public values.
 */
import { randomBytes, sha256, sha384, sha512 } from "../engine/index.js";
import { bigIntToBytes, bitLength, bytesToBigInt, jwkInteger, mod, modInverse, modPow, randomBelow } from "./_bigint.js";

export type RsaHash = "SHA-256" | "SHA-384" | "SHA-512";
export type RsaSignatureScheme = "RSASSA-PKCS1-v1_5" | "RSASSA-PSS";

export interface RsaPublicNumbers {
  n: bigint;
  e: bigint;
}
export interface RsaPrivateNumbers extends RsaPublicNumbers {
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}

const HASH = { "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 } as const;

// RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest itself.
const DIGEST_INFO_PREFIX: Record<RsaHash, number[]> = {
  "SHA-256": [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20],
  "SHA-384": [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30],
  "SHA-512": [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40],
};

export function rsaPublicFromJwk(jwk: JsonWebKey): RsaPublicNumbers {
  return { n: jwkInteger(jwk.n), e: jwkInteger(jwk.e) };
}
export function rsaPrivateFromJwk(jwk: JsonWebKey): RsaPrivateNumbers {
  return {
    ...rsaPublicFromJwk(jwk),
    p: jwkInteger(jwk.p),
    q: jwkInteger(jwk.q),
    dp: jwkInteger(jwk.dp),
    dq: jwkInteger(jwk.dq),
    qi: jwkInteger(jwk.qi),
  };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** §9.2 steps 2–5: 0x00 ‖ 0x01 ‖ 0xFF… ‖ 0x00 ‖ DigestInfo, `emLen` bytes. */
function emsaPkcs1v15(digest: Uint8Array, hash: RsaHash, emLen: number): Uint8Array {
  const t = concat(Uint8Array.from(DIGEST_INFO_PREFIX[hash]), digest);
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - t.length - 1] = 0x00;
  em.set(t, emLen - t.length);
  return em;
}

/** MGF1 (RFC 8017 §B.2.1). */
function mgf1(seed: Uint8Array, length: number, hash: RsaHash): Uint8Array {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  for (let done = 0, c = 0; done < length; c++) {
    new DataView(counter.buffer).setUint32(0, c);
    const block = HASH[hash](concat(seed, counter));
    out.set(block.subarray(0, length - done), done);
    done += block.length;
  }
  return out;
}

/** H = Hash(0x00·8 ‖ mHash ‖ salt), §9.1.1 steps 5–6. */
function pssHash(digest: Uint8Array, salt: Uint8Array, hash: RsaHash): Uint8Array {
  return HASH[hash](concat(new Uint8Array(8), digest, salt));
}

/** EMSA-PSS-ENCODE (§9.1.1) with sLen = hLen; emBits = modBits − 1. */
function emsaPssEncode(digest: Uint8Array, hash: RsaHash, emBits: number): Uint8Array {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = pssHash(digest, salt, hash);
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - hLen - 1] = 0x01;
  db.set(salt, db.length - hLen);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >>> (8 * emLen - emBits);
  return concat(db, h, Uint8Array.of(0xbc));
}

/** EMSA-PSS-VERIFY (§9.1.2) with sLen = hLen. Public data only. */
function emsaPssVerify(digest: Uint8Array, em: Uint8Array, hash: RsaHash, emBits: number): boolean {
  const hLen = digest.length;
  const emLen = em.length;
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >>> (8 * emLen - emBits);
  if (db[0] & ~topMask) return false;
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= topMask;
  const saltStart = db.length - hLen;
  for (let i = 0; i < saltStart - 1; i++) if (db[i] !== 0) return false;
  if (db[saltStart - 1] !== 0x01) return false;
  const expected = pssHash(digest, db.subarray(saltStart), hash);
  return expected.every((b, i) => b === h[i]);
}

/** RSASP1 with CRT, base and exponent blinding, and a check with the public exponent. */
function rsaPrivateOperation(key: RsaPrivateNumbers, m: bigint): bigint {
  const r = randomBelow(key.n);
  const rInverse = modInverse(r, key.n); // gcd(r, n) ≠ 1 would mean r revealed a factor: probability ~2⁻¹⁰²³
  const blinded = (m * modPow(r, key.e, key.n)) % key.n;
  const spread = 1n << 64n;
  const dp = key.dp + randomBelow(spread) * (key.p - 1n);
  const dq = key.dq + randomBelow(spread) * (key.q - 1n);
  const s1 = modPow(blinded % key.p, dp, key.p);
  const s2 = modPow(blinded % key.q, dq, key.q);
  const h = mod(key.qi * (s1 - s2), key.p);
  const s = ((s2 + h * key.q) * rInverse) % key.n;
  if (modPow(s, key.e, key.n) !== m) throw new Error("wasmkms: RSA signature failed its self-check");
  return s;
}

/**
 * An RSA signature over `digest` (already hashed with `hash`): RSASSA-PKCS1-v1_5
 * (§8.2.1) or RSASSA-PSS with sLen = hLen (§8.1.1). `digest.length` must equal
 * the hash's length (the caller checks).
 */
export function signDigest(
  key: RsaPrivateNumbers,
  scheme: RsaSignatureScheme,
  hash: RsaHash,
  digest: Uint8Array,
): Uint8Array {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  const em = scheme === "RSASSA-PSS" ? emsaPssEncode(digest, hash, modBits - 1) : emsaPkcs1v15(digest, hash, k);
  const signature = bigIntToBytes(rsaPrivateOperation(key, bytesToBigInt(em)), k);
  if (!signature) throw new Error("wasmkms: RSA signature longer than the modulus");
  return signature;
}

/** Whether `signature` is a valid RSASSA-PKCS1-v1_5 or RSASSA-PSS (sLen = hLen) signature of `digest`. */
export function verifyDigest(
  key: RsaPublicNumbers,
  scheme: RsaSignatureScheme,
  hash: RsaHash,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  if (signature.length !== k) return false;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return false;
  const m = modPow(s, key.e, key.n);
  if (scheme === "RSASSA-PSS") {
    const em = bigIntToBytes(m, Math.ceil((modBits - 1) / 8));
    return em !== undefined && emsaPssVerify(digest, em, hash, modBits - 1);
  }
  const em = bigIntToBytes(m, k);
  const expected = emsaPkcs1v15(digest, hash, k);
  return em !== undefined && expected.every((b, i) => b === em[i]);
}
