/**
 * ECDSA over a caller-supplied digest (Sign/Verify with MessageType DIGEST) on
 * NIST P-256, P-384 and P-521, which WebCrypto cannot do: its ECDSA always
 * hashes the message itself.
 *
 * Signing (FIPS 186-5 §6.4.1) keeps the secret-dependent scalar multiplication
 * inside WebCrypto: the per-signature secret k is the private key of a fresh
 * WebCrypto key pair, whose public point kG gives r = x(kG) mod n. The rest,
 * s = k⁻¹(e + r·d) mod n, is a handful of BigInt operations on blinded values:
 * with b random, s = (k·b)⁻¹ · (b·e + r·(b·d)) mod n, so the inversion sees
 * only the uniformly random k·b. BigInt is not constant time; this resists
 * timing attacks on k (the usual way ECDSA keys leak) but is not a
 * constant-time implementation, and the README says so.
 *
 * Verification (§6.4.2) uses only public values, with Jacobian-coordinate
 * point arithmetic on BigInt (a = −3 doubling formulas).
 */
import { bitLength, bytesToBigInt, bigIntToBytes, jwkInteger, mod, modInverse, randomBelow } from "./_bigint.js";

export type NamedCurve = "P-256" | "P-384" | "P-521";

interface Curve {
  p: bigint;
  b: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
  /** Bytes of r and s in P1363 form. */
  size: number;
}

// FIPS 186-5 / SP 800-186 §3.2.1: the curves y² = x³ − 3x + b over GF(p), base point G of prime order n.
const CURVES: Record<NamedCurve, Curve> = {
  "P-256": {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    size: 32,
  },
  "P-384": {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    size: 48,
  },
  "P-521": {
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    gx: 0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
    size: 66,
  },
};

/** The domain parameters of a curve (exported for tests that check them against node:crypto). */
export function curveParameters(curve: NamedCurve): Readonly<Curve> {
  return CURVES[curve];
}

/** bits2int (FIPS 186-5 §6.4.1 step 3): the leftmost bitLength(n) bits of the digest. */
function digestToInteger(digest: Uint8Array, n: bigint): bigint {
  const excess = 8 * digest.length - bitLength(n);
  const e = bytesToBigInt(digest);
  return excess > 0 ? e >> BigInt(excess) : e;
}

function toP1363(r: bigint, s: bigint, size: number): Uint8Array {
  const out = new Uint8Array(2 * size);
  out.set(bigIntToBytes(r, size)!);
  out.set(bigIntToBytes(s, size)!, size);
  return out;
}

/**
 * An ECDSA signature (P1363: r ‖ s) over `digest` with private scalar `d`.
 * Each attempt draws k from a fresh WebCrypto key pair; r or s of zero (odds
 * ~2⁻²⁵⁶) draws again.
 */
export async function signDigest(curve: NamedCurve, d: bigint, digest: Uint8Array): Promise<Uint8Array> {
  const { n, size } = CURVES[curve];
  const e = digestToInteger(digest, n);
  for (;;) {
    const ephemeral = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: curve }, true, ["sign"]);
    const jwk = await crypto.subtle.exportKey("jwk", ephemeral.privateKey);
    const k = jwkInteger(jwk.d);
    const r = jwkInteger(jwk.x) % n;
    if (r === 0n) continue;
    const b = randomBelow(n);
    const bd = (b * d) % n;
    const s = (modInverse((k * b) % n, n) * ((b * e + r * bd) % n)) % n;
    if (s === 0n) continue;
    return toP1363(r, s, size);
  }
}

type Jacobian = readonly [bigint, bigint, bigint];

/** 2P, "dbl-2001-b" (a = −3). Z = 0 is the point at infinity. */
function double(c: Curve, [x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return [1n, 1n, 0n];
  const { p } = c;
  const delta = (z * z) % p;
  const gamma = (y * y) % p;
  const beta = (x * gamma) % p;
  const alpha = (3n * mod(x - delta, p) * (x + delta)) % p;
  const x3 = mod(alpha * alpha - 8n * beta, p);
  const z3 = mod((y + z) * (y + z) - gamma - delta, p);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, p);
  return [x3, y3, z3];
}

/** P + Q in Jacobian coordinates ("add-1998-cmo-2"), doubling or infinity when H = 0. */
function add(c: Curve, a: Jacobian, b: Jacobian): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const { p } = c;
  const [x1, y1, z1] = a;
  const [x2, y2, z2] = b;
  const z1z1 = (z1 * z1) % p;
  const z2z2 = (z2 * z2) % p;
  const u1 = (x1 * z2z2) % p;
  const u2 = (x2 * z1z1) % p;
  const s1 = (y1 * z2 * z2z2) % p;
  const s2 = (y2 * z1 * z1z1) % p;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  if (h === 0n) return r === 0n ? double(c, a) : [1n, 1n, 0n];
  const h2 = (h * h) % p;
  const h3 = (h * h2) % p;
  const u1h2 = (u1 * h2) % p;
  const x3 = mod(r * r - h3 - 2n * u1h2, p);
  const y3 = mod(r * (u1h2 - x3) - s1 * h3, p);
  const z3 = (h * z1 * z2) % p;
  return [x3, y3, z3];
}

/** u1·G + u2·Q by simultaneous double-and-add (public scalars only). */
function twoScalarMultiply(c: Curve, u1: bigint, u2: bigint, q: Jacobian): Jacobian {
  const g: Jacobian = [c.gx, c.gy, 1n];
  const gq = add(c, g, q);
  let acc: Jacobian = [1n, 1n, 0n];
  for (let i = Math.max(bitLength(u1), bitLength(u2)) - 1; i >= 0; i--) {
    acc = double(c, acc);
    const bit = BigInt(i);
    const b1 = (u1 >> bit) & 1n;
    const b2 = (u2 >> bit) & 1n;
    if (b1 && b2) acc = add(c, acc, gq);
    else if (b1) acc = add(c, acc, g);
    else if (b2) acc = add(c, acc, q);
  }
  return acc;
}

/** Whether `signature` (P1363: r ‖ s) is a valid ECDSA signature of `digest` for the public point (qx, qy). */
export function verifyDigest(curve: NamedCurve, qx: bigint, qy: bigint, digest: Uint8Array, signature: Uint8Array): boolean {
  const c = CURVES[curve];
  const { n, p, size } = c;
  if (signature.length !== 2 * size) return false;
  const r = bytesToBigInt(signature.subarray(0, size));
  const s = bytesToBigInt(signature.subarray(size));
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  const w = modInverse(s, n);
  const e = digestToInteger(digest, n);
  const point = twoScalarMultiply(c, (e * w) % n, (r * w) % n, [qx, qy, 1n]);
  if (point[2] === 0n) return false;
  const zInverse = modInverse(point[2], p);
  const x = (point[0] * zInverse * zInverse) % p;
  return x % n === r;
}

/** The public point of a WebCrypto-exported EC public key. */
export function ecPublicFromJwk(jwk: JsonWebKey): { x: bigint; y: bigint } {
  return { x: jwkInteger(jwk.x), y: jwkInteger(jwk.y) };
}
