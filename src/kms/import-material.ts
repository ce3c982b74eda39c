/**
 * Importing key material (AWS GetParametersForImport / ImportKeyMaterial) into
 * SYMMETRIC_DEFAULT keys of origin EXTERNAL: the wrapping key pair, the import
 * token, and unwrapping the caller's EncryptedKeyMaterial.
 *
 * Flow, as the Kms uses it:
 * 1. GetParametersForImport → `createImportParameters()`: a fresh RSA wrapping
 *    key pair and an import token valid for 24 hours. The Kms returns
 *    PublicKey, ImportToken and ParametersValidTo, and keeps
 *    `wrappingPrivateKey` (wrapped under its root key, like all key material)
 *    under `tokenId` until the token expires or is used.
 * 2. ImportKeyMaterial → `openImportToken()` checks the token's integrity, its
 *    key and its age, and names the wrapping key to fetch; then
 *    `unwrapKeyMaterial()` decrypts the material with it (RSAES-OAEP with the
 *    token's algorithm) and checks it is 256 bits.
 *
 * Token layout (opaque to callers; all integers big-endian):
 *   version 0x01 ‖ token id (16 random bytes) ‖ wrapping algorithm (1 byte) ‖
 *   wrapping key spec (1 byte) ‖ valid-to (ms since epoch, 8 bytes) ‖
 *   key id length (1 byte) ‖ key id (UTF-8) ‖ HMAC-SHA-256 of all before, under
 *   the token key (32 bytes).
 * The MAC makes the fields tamper-proof, so a token cannot be moved to another
 * key or have its expiry extended; `deriveImportTokenKey()` derives the token
 * key from the root key so tokens survive a restart of a durable store.
 *
 * Wrapping algorithms: RSAES_OAEP_SHA_256 and RSAES_OAEP_SHA_1 (wrapping key
 * RSA_2048, RSA_3072 or RSA_4096). RSA_AES_KEY_WRAP_SHA_1/256 (needs AES key
 * wrap with padding, RFC 5649, which WebCrypto lacks), the deprecated
 * RSAES_PKCS1_V1_5, and SM2 are UnsupportedOperationException.
 */
import type { Clock } from "../clock.js";
import { hkdf, hmac, init, randomBytes } from "../engine/index.js";
import { constantTimeEqual } from "./_constant-time.js";
import { generateKeyPair, oaepDecrypt } from "./asymmetric.js";
import {
  ExpiredImportTokenException,
  IncorrectKeyMaterialException,
  InvalidImportTokenException,
  UnsupportedOperationException,
} from "./errors.js";
import { type RsaKeySpec, byteField, enumValue } from "./key-specs.js";

export type ImportWrappingAlgorithm = "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256";
export type ImportWrappingKeySpec = RsaKeySpec;

/** AWS: "Each public key and import token set is valid for 24 hours." */
export const IMPORT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** SYMMETRIC_DEFAULT imported material is exactly 256 bits. */
export const IMPORTED_KEY_MATERIAL_BYTES = 32;

const WRAPPING_ALGORITHM_ENUM = [
  "RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1",
  "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE",
] as const;
const WRAPPING_KEY_SPEC_ENUM = ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"] as const;

// One-byte codes in the token; 0 is never used.
const ALGORITHM_CODES: readonly ImportWrappingAlgorithm[] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
const KEY_SPEC_CODES: readonly ImportWrappingKeySpec[] = ["RSA_2048", "RSA_3072", "RSA_4096"];

const VERSION = 1;
const TOKEN_ID_BYTES = 16;
const MAC_BYTES = 32;
/** version, token id, algorithm, key spec, valid-to, key id length. */
const FIXED_HEADER = 1 + TOKEN_ID_BYTES + 1 + 1 + 8 + 1;
const MIN_TOKEN_KEY_BYTES = 32;

/** The import-token MAC key, derived from the Kms root key (HKDF-SHA-256, RFC 5869). */
export function deriveImportTokenKey(rootKey: Uint8Array): Uint8Array {
  return hkdf("sha256", rootKey, undefined, new TextEncoder().encode("wasmkms import-token MAC key v1"), 32);
}

function checkTokenKey(tokenKey: Uint8Array): void {
  if (!(tokenKey instanceof Uint8Array) || tokenKey.length < MIN_TOKEN_KEY_BYTES) {
    throw new TypeError(`import tokens: tokenKey must be a Uint8Array of at least ${MIN_TOKEN_KEY_BYTES} bytes`);
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface ImportParametersInput {
  /** The KMS key (its key id) the material will be imported into. */
  keyId: string;
  WrappingAlgorithm: unknown;
  WrappingKeySpec: unknown;
  clock: Clock;
  /** From deriveImportTokenKey(rootKey). */
  tokenKey: Uint8Array;
}

export interface ImportParameters {
  /** SubjectPublicKeyInfo DER of the wrapping key. */
  PublicKey: Uint8Array;
  ImportToken: Uint8Array;
  ParametersValidTo: Date;
  /** Hex; the Kms keeps `wrappingPrivateKey` under this id. */
  tokenId: string;
  /** PKCS #8 DER of the wrapping key: secret, store it wrapped under the root key. */
  wrappingPrivateKey: Uint8Array;
  WrappingAlgorithm: ImportWrappingAlgorithm;
  WrappingKeySpec: ImportWrappingKeySpec;
}

/** Checks GetParametersForImport's WrappingAlgorithm and WrappingKeySpec. */
export function parseWrappingParameters(
  algorithm: unknown,
  keySpec: unknown,
): { WrappingAlgorithm: ImportWrappingAlgorithm; WrappingKeySpec: ImportWrappingKeySpec } {
  const alg = enumValue(algorithm, WRAPPING_ALGORITHM_ENUM, "wrappingAlgorithm");
  const spec = enumValue(keySpec, WRAPPING_KEY_SPEC_ENUM, "wrappingKeySpec");
  if (alg !== "RSAES_OAEP_SHA_1" && alg !== "RSAES_OAEP_SHA_256") {
    throw new UnsupportedOperationException(
      `WrappingAlgorithm ${alg} is not supported by wasmkms; use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1`,
    );
  }
  if (spec === "SM2") throw new UnsupportedOperationException("WrappingKeySpec SM2 is not supported by wasmkms");
  return { WrappingAlgorithm: alg, WrappingKeySpec: spec };
}

/**
 * GetParametersForImport: a new RSA wrapping key pair and an import token for
 * `keyId`, valid for 24 hours from `clock.now()`. ValidationException for
 * values outside AWS's enums; UnsupportedOperationException for the wrapping
 * algorithms and key specs wasmkms does not implement.
 */
export async function createImportParameters(input: ImportParametersInput): Promise<ImportParameters> {
  const params = parseWrappingParameters(input.WrappingAlgorithm, input.WrappingKeySpec);
  checkTokenKey(input.tokenKey);
  const keyId = new TextEncoder().encode(input.keyId);
  if (keyId.length === 0 || keyId.length > 255) throw new TypeError("import tokens: keyId must be 1–255 bytes of UTF-8");
  await init();
  const pair = await generateKeyPair(params.WrappingKeySpec);
  const tokenId = randomBytes(TOKEN_ID_BYTES);
  const validTo = input.clock.now() + IMPORT_TOKEN_LIFETIME_MS;

  const body = new Uint8Array(FIXED_HEADER + keyId.length);
  const view = new DataView(body.buffer);
  body[0] = VERSION;
  body.set(tokenId, 1);
  let at = 1 + TOKEN_ID_BYTES;
  body[at++] = ALGORITHM_CODES.indexOf(params.WrappingAlgorithm) + 1;
  body[at++] = KEY_SPEC_CODES.indexOf(params.WrappingKeySpec) + 1;
  view.setBigUint64(at, BigInt(validTo));
  at += 8;
  body[at++] = keyId.length;
  body.set(keyId, at);

  const token = new Uint8Array(body.length + MAC_BYTES);
  token.set(body);
  token.set(hmac("sha256", input.tokenKey, body), body.length);
  return {
    PublicKey: pair.publicKey,
    ImportToken: token,
    ParametersValidTo: new Date(validTo),
    tokenId: toHex(tokenId),
    wrappingPrivateKey: pair.privateKey,
    ...params,
  };
}

export interface OpenImportTokenInput {
  ImportToken: unknown;
  /** The key id of the KMS key named in the ImportKeyMaterial request. */
  keyId: string;
  clock: Clock;
  tokenKey: Uint8Array;
}

export interface OpenedImportToken {
  /** Hex; look up the wrapping private key with it (InvalidImportTokenException if the Kms has none). */
  tokenId: string;
  WrappingAlgorithm: ImportWrappingAlgorithm;
  WrappingKeySpec: ImportWrappingKeySpec;
  /** Milliseconds since the epoch. */
  validTo: number;
}

function invalidToken(why: string): never {
  throw new InvalidImportTokenException(`The import token is invalid: ${why}`);
}

/**
 * Checks an ImportKeyMaterial request's token: InvalidImportTokenException if
 * it is malformed, was not made with this token key, or belongs to another KMS
 * key; ExpiredImportTokenException once `clock.now()` reaches its valid-to time.
 */
export async function openImportToken(input: OpenImportTokenInput): Promise<OpenedImportToken> {
  const token = byteField(input.ImportToken, "importToken", 1, 6144);
  checkTokenKey(input.tokenKey);
  await init();
  if (token.length < FIXED_HEADER + 1 + MAC_BYTES || token[0] !== VERSION) invalidToken("unrecognised format");
  const body = token.subarray(0, token.length - MAC_BYTES);
  const expectedMac = hmac("sha256", input.tokenKey, body);
  if (!constantTimeEqual(expectedMac, token.subarray(body.length))) invalidToken("it was not issued by this KMS");

  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 1 + TOKEN_ID_BYTES;
  const algorithm = ALGORITHM_CODES[body[at++] - 1];
  const keySpec = KEY_SPEC_CODES[body[at++] - 1];
  const validTo = Number(view.getBigUint64(at));
  at += 8;
  const keyIdLength = body[at++];
  if (!algorithm || !keySpec || at + keyIdLength !== body.length) invalidToken("unrecognised format");
  const keyId = new TextDecoder().decode(body.subarray(at));
  if (keyId !== input.keyId) invalidToken("it is associated with a different KMS key");
  if (input.clock.now() >= validTo) {
    throw new ExpiredImportTokenException(
      `The import token expired at ${new Date(validTo).toISOString()}; call GetParametersForImport for a new one`,
    );
  }
  return { tokenId: toHex(body.subarray(1, 1 + TOKEN_ID_BYTES)), WrappingAlgorithm: algorithm, WrappingKeySpec: keySpec, validTo };
}

export interface UnwrapKeyMaterialInput {
  token: OpenedImportToken;
  /** The PKCS #8 wrapping private key the Kms kept under token.tokenId. */
  wrappingPrivateKey: Uint8Array;
  EncryptedKeyMaterial: unknown;
}

/**
 * ImportKeyMaterial's decryption: the 32 bytes of AES-256 material.
 * InvalidCiphertextException when the EncryptedKeyMaterial does not decrypt
 * under the wrapping key and algorithm (AWS: "could not decrypt the encrypted
 * (wrapped) key material"); IncorrectKeyMaterialException when it decrypts to
 * anything but 256 bits.
 */
export async function unwrapKeyMaterial(input: UnwrapKeyMaterialInput): Promise<Uint8Array> {
  const wrapped = byteField(input.EncryptedKeyMaterial, "encryptedKeyMaterial", 1, 6144);
  const { WrappingKeySpec, WrappingAlgorithm } = input.token;
  const material = await oaepDecrypt(WrappingKeySpec, input.wrappingPrivateKey, WrappingAlgorithm, wrapped);
  if (material.length !== IMPORTED_KEY_MATERIAL_BYTES) {
    const got = material.length;
    material.fill(0);
    throw new IncorrectKeyMaterialException(
      `Imported key material for SYMMETRIC_DEFAULT keys must be ${IMPORTED_KEY_MATERIAL_BYTES} bytes (256 bits), got ${got}`,
    );
  }
  return material;
}

/**
 * Reimport into a key that already had material: AWS accepts only the same
 * material. Compares without early exit; IncorrectKeyMaterialException if they differ.
 */
export function checkReimportedMaterial(previous: Uint8Array, incoming: Uint8Array): void {
  if (!constantTimeEqual(previous, incoming)) {
    throw new IncorrectKeyMaterialException("The key material is not the key material previously imported into this KMS key");
  }
}
