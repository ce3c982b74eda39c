/**
 * Big-integer helpers for the prehashed (MessageType DIGEST) RSA and ECDSA
 * paths, on JavaScript BigInt: octet-string conversions (RFC 8017 §4.1 I2OSP,
 * §4.2 OS2IP), JWK integers, modular arithmetic and random scalars.
 *
 * Constant time: BigInt arithmetic is NOT constant time (its running time
 * follows operand lengths and, in division, values). Callers that handle
 * secrets blind them first (see _rsa-prehashed.ts and _ecdsa-prehashed.ts);
 * this file only promises correct results.
 */
import { randomBytes } from "../engine/index.js";

/** OS2IP: big-endian bytes → non-negative integer. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex === "" ? 0n : BigInt(`0x${hex}`);
}

/** I2OSP: integer → exactly `length` big-endian bytes; undefined if it does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array | undefined {
  if (value < 0n) return undefined;
  const hex = value.toString(16);
  if (hex.length > 2 * length) return undefined;
  const padded = hex.padStart(2 * length, "0");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A base64url JWK member (RFC 7518 §6.3, §6.2.1) as an integer. */
export function jwkInteger(b64url: string | undefined): bigint {
  if (b64url === undefined) throw new Error("wasmkms: key export lacks an expected JWK member");
  const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytesToBigInt(bytes);
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** a mod m in [0, m). */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a⁻¹ mod m by the extended Euclidean algorithm; throws if gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError("wasmkms: value has no modular inverse");
  return mod(oldS, m);
}

/**
 * base^exponent mod m with a fixed 4-bit window: every window costs four
 * squarings and one multiplication (by 1 for a zero window), so the sequence of
 * operations depends only on the exponent's length, not on its bits.
 */
export function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  const table: bigint[] = [1n, mod(base, m)];
  for (let i = 2; i < 16; i++) table.push((table[i - 1] * table[1]) % m);
  const windows = Math.ceil(bitLength(exponent) / 4);
  let result = 1n;
  for (let w = windows - 1; w >= 0; w--) {
    for (let i = 0; i < 4; i++) result = (result * result) % m;
    result = (result * table[Number((exponent >> BigInt(4 * w)) & 15n)]) % m;
  }
  return result;
}

/** A uniformly random integer in [1, n − 1] (rejection sampling over bitLength(n) bits). */
export function randomBelow(n: bigint): bigint {
  const bits = bitLength(n);
  const bytes = Math.ceil(bits / 8);
  const excess = BigInt(8 * bytes - bits);
  for (;;) {
    const candidate = bytesToBigInt(randomBytes(bytes)) >> excess;
    if (candidate > 0n && candidate < n) return candidate;
  }
}
