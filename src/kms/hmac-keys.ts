/**
 * HMAC KMS keys (HMAC_224/256/384/512): key generation, GenerateMac and
 * VerifyMac, as AWS KMS defines them (RFC 2104 HMACs; the MAC algorithm is
 * fixed by the key spec; messages of 1–4096 bytes).
 *
 * All four (HMAC-SHA-224/256/384/512) run on the constant-time WebAssembly
 * engine. VerifyMac recomputes the tag and compares it without early exit.
 */
import { type HashAlgorithm, hmac, init, randomBytes } from "../engine/index.js";
import { constantTimeEqual } from "./_constant-time.js";
import { KMSInvalidMacException } from "./errors.js";
import { type HmacKeySpec, HMAC_SPECS, byteField, parseMacAlgorithm } from "./key-specs.js";
import type { KeySpec, MacAlgorithm } from "./types.js";

/** AWS GenerateMac/VerifyMac: Message is 1–4096 bytes. */
export const MAX_MAC_MESSAGE_BYTES = 4096;
/** AWS VerifyMac: Mac is 1–6144 bytes. */
const MAX_MAC_BYTES = 6144;

/** Fresh key material for an HMAC key: N bits for HMAC_N (28, 32, 48 or 64 bytes). */
export function generateHmacKey(spec: HmacKeySpec): Uint8Array {
  return randomBytes(HMAC_SPECS[spec].keyBytes);
}

export interface GenerateMacInput {
  /** The KMS key's spec; anything but HMAC_* makes every MacAlgorithm incompatible. */
  keySpec: KeySpec;
  /** The key material (unwrapped). */
  key: Uint8Array;
  Message: unknown;
  MacAlgorithm: unknown;
}
export interface VerifyMacInput extends GenerateMacInput {
  Mac: unknown;
}

/** The engine's hash for each MAC algorithm. */
const ENGINE_HASH: Readonly<Record<MacAlgorithm, HashAlgorithm>> = {
  HMAC_SHA_224: "sha224",
  HMAC_SHA_256: "sha256",
  HMAC_SHA_384: "sha384",
  HMAC_SHA_512: "sha512",
};

function computeMac(algorithm: MacAlgorithm, key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(ENGINE_HASH[algorithm], key, message);
}

/**
 * GenerateMac: the HMAC of `Message` under `key`.
 * ValidationException for a message outside 1–4096 bytes or an unknown
 * algorithm; InvalidKeyUsageException when the algorithm is not the key spec's.
 */
export async function generateMac(input: GenerateMacInput): Promise<{ Mac: Uint8Array; MacAlgorithm: MacAlgorithm }> {
  const message = byteField(input.Message, "message", 1, MAX_MAC_MESSAGE_BYTES);
  const algorithm = parseMacAlgorithm(input.keySpec, input.MacAlgorithm);
  await init();
  return { Mac: computeMac(algorithm, input.key, message), MacAlgorithm: algorithm };
}

/**
 * VerifyMac: `{ MacValid: true }` when `Mac` is the HMAC of `Message` under
 * `key`; otherwise KMSInvalidMacException (AWS never answers MacValid: false).
 * Same input errors as generateMac, plus ValidationException for a Mac outside
 * 1–6144 bytes.
 */
export async function verifyMac(input: VerifyMacInput): Promise<{ MacValid: true; MacAlgorithm: MacAlgorithm }> {
  const message = byteField(input.Message, "message", 1, MAX_MAC_MESSAGE_BYTES);
  const mac = byteField(input.Mac, "mac", 1, MAX_MAC_BYTES);
  const algorithm = parseMacAlgorithm(input.keySpec, input.MacAlgorithm);
  await init();
  const expected = computeMac(algorithm, input.key, message);
  const valid = constantTimeEqual(expected, mac);
  expected.fill(0);
  if (!valid) throw new KMSInvalidMacException("The MAC does not match the message, key and MAC algorithm");
  return { MacValid: true, MacAlgorithm: algorithm };
}
