/**
 * Asymmetric KMS keys (RSA_2048/3072/4096, ECC_NIST_P256/P384/P521) as AWS KMS
 * defines them: key generation, Sign and Verify (MessageType RAW or DIGEST),
 * RSAES-OAEP Encrypt and Decrypt, data key pairs, public keys; and
 * `generateKeyMaterial` for every non-AES key spec.
 *
 * Formats, as AWS returns them: private keys PKCS #8 DER (RFC 5208), public
 * keys SubjectPublicKeyInfo DER (RFC 5280 §4.1), ECDSA signatures DER
 * (RFC 3279 §2.2.3), RSA signatures and ciphertexts the modulus length.
 * RSASSA-PSS uses MGF1 with the message hash and a salt as long as the hash.
 *
 * Implementations: everything with MessageType RAW, OAEP, key generation and
 * key export is WebCrypto (`crypto.subtle`, native code in every target
 * runtime). MessageType DIGEST needs a signature over a hash the caller
 * supplies, which WebCrypto cannot make: those go through _rsa-prehashed.ts and
 * _ecdsa-prehashed.ts (blinded BigInt; see their notes on timing).
 *
 * Functions take the key material as bytes (the Kms unwraps it) and the AWS
 * request fields as `unknown`, and throw the AWS error for each bad input.
 */
import { init, randomBytes } from "../engine/index.js";
import { jwkInteger } from "./_bigint.js";
import { ecdsaSignatureFromDer, ecdsaSignatureToDer } from "./_der.js";
import * as ecdsaDigest from "./_ecdsa-prehashed.js";
import * as rsaDigest from "./_rsa-prehashed.js";
import { InvalidCiphertextException, KMSInvalidSignatureException, ValidationException } from "./errors.js";
import { generateHmacKey } from "./hmac-keys.js";
import {
  type AsymmetricKeySpec,
  ECC_SPECS,
  OAEP_HASH,
  RSA_SPECS,
  type RsaKeySpec,
  SIGNING_ALGORITHMS,
  type SigningAlgorithmInfo,
  byteField,
  isEccSpec,
  isHmacSpec,
  isRsaSpec,
  parseDataKeyPairSpec,
  parseEncryptionAlgorithm,
  parseMessageType,
  parseSigningAlgorithm,
  rsaPlaintextLimit,
} from "./key-specs.js";
import type { DataKeyPairSpec, EncryptionAlgorithm, KeySpec, SigningAlgorithm } from "./types.js";

/** AWS Sign/Verify: Message is 1–4096 bytes; Verify's Signature 1–6144. */
export const MAX_SIGN_MESSAGE_BYTES = 4096;
const MAX_SIGNATURE_BYTES = 6144;
/** AWS Encrypt takes at most 4096 bytes; Decrypt's CiphertextBlob at most 6144. */
const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;

/** RSA public exponent F4 = 65537, as AWS uses. */
const PUBLIC_EXPONENT = new Uint8Array([1, 0, 1]);

export interface AsymmetricKeyPair {
  /** PKCS #8 DER. */
  privateKey: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
}

// ---------------------------------------------------------------------------
// WebCrypto plumbing.

/** TypeScript's DOM typings want ArrayBuffer-backed views; the bytes are the same. */
const source = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

type ImportAlgorithm = RsaHashedImportParams | EcKeyImportParams;

function keyAlgorithm(spec: AsymmetricKeySpec, name: string, hash = "SHA-256"): ImportAlgorithm {
  return isEccSpec(spec) ? { name, namedCurve: ECC_SPECS[spec].namedCurve } : { name, hash };
}

async function importKey(
  format: "pkcs8" | "spki",
  bytes: Uint8Array,
  spec: AsymmetricKeySpec,
  algorithm: ImportAlgorithm,
  usages: KeyUsage[],
  extractable = false,
): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey(format, source(bytes), algorithm, extractable, usages);
  } catch (cause) {
    const what = format === "pkcs8" ? "private key (PKCS #8)" : "public key (SubjectPublicKeyInfo)";
    throw new Error(`wasmkms: the stored ${what} is not a valid ${spec} key`, { cause });
  }
}

async function exportJwk(key: CryptoKey): Promise<JsonWebKey> {
  return crypto.subtle.exportKey("jwk", key);
}

// ---------------------------------------------------------------------------
// Key generation and public keys.

/** A fresh RSA (e = 65537) or NIST-curve key pair. */
export async function generateKeyPair(spec: AsymmetricKeySpec): Promise<AsymmetricKeyPair> {
  const params: RsaHashedKeyGenParams | EcKeyGenParams = isEccSpec(spec)
    ? { name: "ECDSA", namedCurve: ECC_SPECS[spec].namedCurve }
    : { name: "RSASSA-PKCS1-v1_5", modulusLength: RSA_SPECS[spec].modulusBits, publicExponent: PUBLIC_EXPONENT, hash: "SHA-256" };
  const pair = await crypto.subtle.generateKey(params, true, ["sign", "verify"]);
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.exportKey("pkcs8", pair.privateKey),
    crypto.subtle.exportKey("spki", pair.publicKey),
  ]);
  return { privateKey: new Uint8Array(privateKey), publicKey: new Uint8Array(publicKey) };
}

/** What a new key version stores: `material` (to be wrapped) and, for asymmetric keys, the public key. */
export interface GeneratedKeyMaterial {
  /** SYMMETRIC_DEFAULT: 32 random bytes; HMAC_N: N/8 random bytes; RSA/ECC: the PKCS #8 DER private key. */
  material: Uint8Array;
  /** RSA/ECC only: SubjectPublicKeyInfo DER. */
  publicKey?: Uint8Array;
}

/** Fresh key material for any supported key spec. */
export async function generateKeyMaterial(spec: KeySpec): Promise<GeneratedKeyMaterial> {
  if (spec === "SYMMETRIC_DEFAULT") return { material: randomBytes(32) };
  if (isHmacSpec(spec)) return { material: generateHmacKey(spec) };
  const pair = await generateKeyPair(spec);
  return { material: pair.privateKey, publicKey: pair.publicKey };
}

/**
 * GenerateDataKeyPair's key pair: `KeyPairSpec` checked (ValidationException
 * for values outside AWS's enum, UnsupportedOperationException for
 * ECC_SECG_P256K1, ECC_NIST_EDWARDS25519 and SM2). The Kms encrypts
 * PrivateKeyPlaintext under the KMS key for PrivateKeyCiphertextBlob.
 */
export async function generateDataKeyPair(
  KeyPairSpec: unknown,
): Promise<{ KeyPairSpec: DataKeyPairSpec; PrivateKeyPlaintext: Uint8Array; PublicKey: Uint8Array }> {
  const spec = parseDataKeyPairSpec(KeyPairSpec);
  const pair = await generateKeyPair(spec);
  return { KeyPairSpec: spec, PrivateKeyPlaintext: pair.privateKey, PublicKey: pair.publicKey };
}

/** The SubjectPublicKeyInfo DER of a PKCS #8 private key (e.g. to check or rebuild a stored public key). */
export async function publicKeyFromPrivateKey(spec: AsymmetricKeySpec, privateKey: Uint8Array): Promise<Uint8Array> {
  const name = isEccSpec(spec) ? "ECDSA" : "RSASSA-PKCS1-v1_5";
  const key = await importKey("pkcs8", privateKey, spec, keyAlgorithm(spec, name), ["sign"], true);
  const jwk = await exportJwk(key);
  const publicJwk: JsonWebKey = isEccSpec(spec)
    ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
    : { kty: jwk.kty, n: jwk.n, e: jwk.e };
  const pub = await crypto.subtle.importKey("jwk", publicJwk, keyAlgorithm(spec, name), true, ["verify"]);
  return new Uint8Array(await crypto.subtle.exportKey("spki", pub));
}

// ---------------------------------------------------------------------------
// Sign and Verify.

export interface SignInput {
  /** The KMS key's spec; anything but RSA/ECC makes every SigningAlgorithm incompatible. */
  keySpec: KeySpec;
  /** PKCS #8 DER (unwrapped key material). */
  privateKey: Uint8Array;
  Message: unknown;
  MessageType?: unknown;
  SigningAlgorithm: unknown;
}
export interface VerifyInput {
  keySpec: KeySpec;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
  Message: unknown;
  MessageType?: unknown;
  SigningAlgorithm: unknown;
  Signature: unknown;
}

interface SignatureRequest {
  spec: AsymmetricKeySpec;
  algorithm: SigningAlgorithm;
  info: SigningAlgorithmInfo;
  message: Uint8Array;
  digest: boolean;
}

/** The checks Sign and Verify share, in AWS's order (field validation, then key/algorithm compatibility). */
function signatureRequest(input: SignInput | VerifyInput): SignatureRequest {
  const message = byteField(input.Message, "message", 1, MAX_SIGN_MESSAGE_BYTES);
  const type = parseMessageType(input.MessageType);
  const algorithm = parseSigningAlgorithm(input.keySpec, input.SigningAlgorithm);
  const info = SIGNING_ALGORITHMS[algorithm];
  if (type === "DIGEST" && message.length !== info.hashBytes) {
    throw new ValidationException(
      `Digest is invalid length for algorithm ${algorithm}: a DIGEST message must be ${info.hashBytes} bytes, got ${message.length}`,
    );
  }
  // parseSigningAlgorithm accepted the algorithm, so the spec is RSA or ECC.
  return { spec: input.keySpec as AsymmetricKeySpec, algorithm, info, message, digest: type === "DIGEST" };
}

/** WebCrypto's parameters for sign/verify with a RAW message. */
function webCryptoSignParams(info: SigningAlgorithmInfo): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  if (info.scheme === "RSASSA-PSS") return { name: "RSA-PSS", saltLength: info.hashBytes };
  if (info.scheme === "ECDSA") return { name: "ECDSA", hash: info.hash };
  return { name: "RSASSA-PKCS1-v1_5" };
}

/** The WebCrypto algorithm name a key is imported under for `info`'s scheme. */
function importName(info: SigningAlgorithmInfo): string {
  return info.scheme === "RSASSA-PSS" ? "RSA-PSS" : info.scheme;
}

/**
 * Sign: a signature over `Message` (RAW, hashed here with the algorithm's hash)
 * or over the digest in `Message` (DIGEST, which must be exactly the hash's
 * length). ValidationException for a message outside 1–4096 bytes, a digest of
 * the wrong length or an unknown value; InvalidKeyUsageException when the
 * algorithm does not suit the key spec.
 */
export async function sign(input: SignInput): Promise<{ Signature: Uint8Array; SigningAlgorithm: SigningAlgorithm }> {
  const req = signatureRequest(input);
  const { spec, info } = req;
  await init();
  const key = await importKey("pkcs8", input.privateKey, spec, keyAlgorithm(spec, importName(info), info.hash), ["sign"], req.digest);
  let signature: Uint8Array;
  if (!req.digest) {
    signature = new Uint8Array(await crypto.subtle.sign(webCryptoSignParams(info), key, source(req.message)));
    if (isEccSpec(spec)) signature = ecdsaSignatureToDer(signature, ECC_SPECS[spec].fieldBytes);
  } else if (isEccSpec(spec)) {
    const { d } = await exportJwk(key);
    const p1363 = await ecdsaDigest.signDigest(ECC_SPECS[spec].namedCurve, jwkInteger(d), req.message);
    signature = ecdsaSignatureToDer(p1363, ECC_SPECS[spec].fieldBytes);
  } else {
    const numbers = rsaDigest.rsaPrivateFromJwk(await exportJwk(key));
    signature = rsaDigest.signDigest(numbers, info.scheme as rsaDigest.RsaSignatureScheme, info.hash, req.message);
  }
  return { Signature: signature, SigningAlgorithm: req.algorithm };
}

/**
 * Verify: `{ SignatureValid: true }`, or KMSInvalidSignatureException when the
 * signature does not match (AWS never answers SignatureValid: false). The
 * MessageType need not be the one used to sign. Input errors as for sign, plus
 * ValidationException for a Signature outside 1–6144 bytes.
 */
export async function verify(input: VerifyInput): Promise<{ SignatureValid: true; SigningAlgorithm: SigningAlgorithm }> {
  const req = signatureRequest(input);
  const signature = byteField(input.Signature, "signature", 1, MAX_SIGNATURE_BYTES);
  await init();
  if (!(await signatureMatches(req, input.publicKey, signature))) {
    throw new KMSInvalidSignatureException(
      `The signature is not valid for this message, key and signing algorithm (${req.algorithm})`,
    );
  }
  return { SignatureValid: true, SigningAlgorithm: req.algorithm };
}

/** WebCrypto verification; a runtime that throws on a malformed signature (rather than answering false) counts as invalid. */
async function webCryptoVerify(info: SigningAlgorithmInfo, key: CryptoKey, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify(webCryptoSignParams(info), key, source(signature), source(message));
  } catch {
    return false;
  }
}

async function signatureMatches(req: SignatureRequest, publicKey: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const { spec, info } = req;
  const key = await importKey("spki", publicKey, spec, keyAlgorithm(spec, importName(info), info.hash), ["verify"], true);
  if (isEccSpec(spec)) {
    const { namedCurve, fieldBytes } = ECC_SPECS[spec];
    const p1363 = ecdsaSignatureFromDer(signature, fieldBytes);
    if (!p1363) return false;
    if (!req.digest) return webCryptoVerify(info, key, p1363, req.message);
    const q = ecdsaDigest.ecPublicFromJwk(await exportJwk(key));
    return ecdsaDigest.verifyDigest(namedCurve, q.x, q.y, req.message, p1363);
  }
  if (!req.digest) return webCryptoVerify(info, key, signature, req.message);
  const numbers = rsaDigest.rsaPublicFromJwk(await exportJwk(key));
  return rsaDigest.verifyDigest(numbers, info.scheme as rsaDigest.RsaSignatureScheme, info.hash, req.message, signature);
}

// ---------------------------------------------------------------------------
// RSAES-OAEP Encrypt and Decrypt.

export interface RsaEncryptInput {
  keySpec: KeySpec;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
  Plaintext: unknown;
  EncryptionAlgorithm?: unknown;
}
export interface RsaDecryptInput {
  keySpec: KeySpec;
  /** PKCS #8 DER (unwrapped key material). */
  privateKey: Uint8Array;
  CiphertextBlob: unknown;
  EncryptionAlgorithm?: unknown;
}

function oaepAlgorithm(keySpec: KeySpec, value: unknown): { spec: RsaKeySpec; algorithm: "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" } {
  const algorithm = parseEncryptionAlgorithm(keySpec, value);
  // Only RSA specs accept the RSAES_OAEP_* algorithms; SYMMETRIC_DEFAULT is the Kms's own path.
  if (algorithm === "SYMMETRIC_DEFAULT" || !isRsaSpec(keySpec)) {
    throw new Error(`wasmkms: rsaEncrypt/rsaDecrypt called for a ${keySpec} key`);
  }
  return { spec: keySpec, algorithm };
}

/**
 * Encrypt with an RSA key: RSAES-OAEP (SHA-1 or SHA-256 for both the label hash
 * and MGF1, empty label). ValidationException for an empty plaintext or one
 * longer than AWS's limit for the key size and algorithm (see
 * rsaPlaintextLimit); InvalidKeyUsageException for a missing or non-OAEP
 * algorithm.
 */
export async function rsaEncrypt(
  input: RsaEncryptInput,
): Promise<{ CiphertextBlob: Uint8Array; EncryptionAlgorithm: EncryptionAlgorithm }> {
  const plaintext = byteField(input.Plaintext, "plaintext", 1, MAX_PLAINTEXT_BYTES);
  const { spec, algorithm } = oaepAlgorithm(input.keySpec, input.EncryptionAlgorithm);
  const limit = rsaPlaintextLimit(spec, algorithm);
  if (plaintext.length > limit) {
    throw new ValidationException(
      `Plaintext is too long: ${spec} with ${algorithm} encrypts at most ${limit} bytes, got ${plaintext.length}`,
    );
  }
  const key = await importKey("spki", input.publicKey, spec, keyAlgorithm(spec, "RSA-OAEP", OAEP_HASH[algorithm].hash), ["encrypt"]);
  const ciphertext = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, source(plaintext));
  return { CiphertextBlob: new Uint8Array(ciphertext), EncryptionAlgorithm: algorithm };
}

/**
 * Decrypt with an RSA key. InvalidCiphertextException when the ciphertext is
 * not the modulus length or fails OAEP decoding (wrong key, wrong algorithm,
 * tampering), without saying which; InvalidKeyUsageException for a missing or
 * non-OAEP algorithm.
 */
export async function rsaDecrypt(
  input: RsaDecryptInput,
): Promise<{ Plaintext: Uint8Array; EncryptionAlgorithm: EncryptionAlgorithm }> {
  const ciphertext = byteField(input.CiphertextBlob, "ciphertextBlob", 1, MAX_CIPHERTEXT_BYTES);
  const { spec, algorithm } = oaepAlgorithm(input.keySpec, input.EncryptionAlgorithm);
  const plaintext = await oaepDecrypt(spec, input.privateKey, algorithm, ciphertext);
  return { Plaintext: plaintext, EncryptionAlgorithm: algorithm };
}

/** RSAES-OAEP decryption; any failure is InvalidCiphertextException. Shared with import-material.ts. */
export async function oaepDecrypt(
  spec: RsaKeySpec,
  privateKey: Uint8Array,
  algorithm: keyof typeof OAEP_HASH,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  const key = await importKey("pkcs8", privateKey, spec, keyAlgorithm(spec, "RSA-OAEP", OAEP_HASH[algorithm].hash), ["decrypt"]);
  if (ciphertext.length !== RSA_SPECS[spec].modulusBits / 8) {
    throw new InvalidCiphertextException(`The ciphertext is not valid for ${spec} (${algorithm})`);
  }
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, key, source(ciphertext)));
  } catch {
    throw new InvalidCiphertextException(`The ciphertext is not valid for ${spec} (${algorithm})`);
  }
}
