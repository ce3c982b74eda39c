/**
 * ECDSA message signatures (data-format/message-footer.md,
 * framework/transitive-requirements.md §ECDSA).
 *
 * The signature covers header ‖ body, hashed as the message streams by
 * (SHA-384 for P-384, SHA-256 for P-256, on the engine), and is produced and
 * checked over that digest. WebCrypto's ECDSA always hashes the message
 * itself, so it cannot sign a digest computed piecewise; @noble/curves (an
 * audited library) signs and verifies the pre-hashed digest (`prehash:
 * false`). Signatures are DER `ECDSA-Sig-Value`; signing uses hedged nonces
 * (RFC 6979 plus fresh randomness) and low-S; verification accepts high-S as
 * OpenSSL-based ESDKs produce it. The verification key travels in the
 * encryption context as base64 of the SEC1 compressed point.
 *
 * One-shot decryption has the whole message in hand, so there WebCrypto
 * verifies header ‖ body directly (`verifyMessage`: native, about ten times
 * faster than noble's verification); streams use the digest path. Key pairs
 * come from WebCrypto (native key generation). Signing stays with noble over
 * the digest: importing a private key into WebCrypto costs more than noble's
 * whole signature.
 *
 * Constant time: noble's scalar multiplication is designed to avoid
 * secret-dependent branches, but it is JavaScript BigInt arithmetic, which no
 * engine promises to run in constant time. The signing key is per message
 * (the default materials manager makes a fresh one each time).
 */
import { p256, p384 } from "@noble/curves/nist.js";
import { sha256, sha384, type Hash } from "../engine/index.js";
import { MalformedMessageError, SignatureVerificationError } from "./errors.js";
import type { AlgorithmSuite } from "./materials.js";

type Signature = NonNullable<AlgorithmSuite["signature"]>;

function curveOf(sig: Signature) {
  return sig.curve === "P-384" ? p384 : p256;
}

/** A fresh streaming hash of the suite's signature hash function. */
export function signatureHash(sig: Signature): Hash {
  return sig.hash === "sha384" ? sha384.create() : sha256.create();
}

/**
 * A fresh key pair from WebCrypto (native key generation): the private
 * scalar, and the base64 compressed public key for the encryption context.
 */
export async function generateSigningKey(sig: Signature): Promise<{ signingKey: Uint8Array; publicKey: string }> {
  const size = curveOf(sig).lengths.secretKey!;
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: sig.curve }, true, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const [d, x, y] = [jwk.d, jwk.x, jwk.y].map((v) => fromBase64Url(v ?? ""));
  if (!d || !x || !y || d.length !== size || x.length !== size || y.length !== size) {
    throw new Error(`WebCrypto returned a malformed ${sig.curve} key`);
  }
  const compressed = new Uint8Array(1 + size);
  compressed[0] = 2 + (y[size - 1] & 1); // SEC1 §2.3.3: 02 for even y, 03 for odd
  compressed.set(x, 1);
  return { signingKey: d, publicKey: toBase64(compressed) };
}

/** Decodes and validates the `aws-crypto-public-key` value; returns the compressed point. */
export function decodeVerificationKey(sig: Signature, value: string): Uint8Array {
  const bytes = fromBase64(value);
  const curve = curveOf(sig);
  if (!bytes || bytes.length !== curve.lengths.publicKey || !curve.utils.isValidPublicKey(bytes, true)) {
    throw new SignatureVerificationError(`the message's verification key is not a valid compressed ${sig.curve} point`);
  }
  return bytes;
}

/** DER signature over a digest. */
export function signDigest(sig: Signature, signingKey: Uint8Array, digest: Uint8Array): Uint8Array {
  return curveOf(sig).sign(digest, signingKey, { prehash: false, format: "der", lowS: true, extraEntropy: true });
}

/** Throws SignatureVerificationError unless `der` is a valid signature of `digest`. */
export function verifyDigest(sig: Signature, verificationKey: Uint8Array, digest: Uint8Array, der: Uint8Array): void {
  let ok = false;
  try {
    ok = curveOf(sig).verify(der, digest, verificationKey, { prehash: false, format: "der", lowS: false });
  } catch {
    ok = false;
  }
  if (!ok) throw new SignatureVerificationError("the message signature does not verify");
}

/**
 * Throws SignatureVerificationError unless `der` signs `message` (the whole
 * header ‖ body), checked by WebCrypto, which hashes the message itself.
 */
export async function verifyMessage(sig: Signature, verificationKey: Uint8Array, message: Uint8Array, der: Uint8Array): Promise<void> {
  const curve = curveOf(sig);
  let ok = false;
  try {
    const point = curve.Point.fromBytes(verificationKey).toBytes(false);
    const p1363 = curve.Signature.fromBytes(der, "der").toBytes("compact");
    const algorithm = { name: "ECDSA", namedCurve: sig.curve };
    const key = await crypto.subtle.importKey("raw", point as Uint8Array<ArrayBuffer>, algorithm, false, ["verify"]);
    const data = message.buffer instanceof ArrayBuffer ? (message as Uint8Array<ArrayBuffer>) : message.slice();
    const hash = sig.hash === "sha384" ? "SHA-384" : "SHA-256";
    ok = await crypto.subtle.verify({ name: "ECDSA", hash }, key, p1363 as Uint8Array<ArrayBuffer>, data);
  } catch {
    ok = false;
  }
  if (!ok) throw new SignatureVerificationError("the message signature does not verify");
}

/** Largest DER ECDSA-Sig-Value for the curve (both integers with a leading zero byte). */
export function maxSignatureLength(sig: Signature): number {
  const n = sig.curve === "P-384" ? 48 : 32;
  return 2 + 2 * (2 + n + 1);
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64Url(value: string): Uint8Array | undefined {
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/");
  return fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

/** Strict base64: only canonical, padded encodings decode. */
function fromBase64(value: string): Uint8Array | undefined {
  let bin: string;
  try {
    bin = atob(value);
  } catch {
    return undefined;
  }
  const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return toBase64(out) === value ? out : undefined;
}

/** Parses a footer's u16-length-prefixed signature, refusing lengths over the curve's maximum. */
export function checkSignatureLength(sig: Signature, length: number): void {
  if (length === 0 || length > maxSignatureLength(sig)) {
    throw new MalformedMessageError(`malformed message footer: a ${length}-byte ${sig.curve} signature`);
  }
}
