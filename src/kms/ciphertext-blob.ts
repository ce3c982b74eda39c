/**
 * The ciphertext blob of symmetric encryption (Encrypt, GenerateDataKey*,
 * the private key of GenerateDataKeyPair), our own versioned layout:
 *
 *   offset  size  field
 *        0     1  format (0x01)
 *        1    16  key id (the UUID's 16 bytes)
 *       17     4  key version, unsigned big-endian (1, 2, … in rotation order)
 *       21    12  IV (random per message)
 *       33     n  AES-256-GCM ciphertext (n ≥ 1)
 *     33+n    16  GCM tag
 *
 * The first 21 bytes (the header) are authenticated: the GCM AAD is
 * header ‖ canonical encryption context (see encryption-context.ts), so a
 * blob moved to another key, version or context fails to open. Nothing in a
 * blob is secret; it holds no ARN, account or region.
 */
import type { Aes256Gcm } from "../engine/index.js";
import { InvalidCiphertextException } from "./errors.js";
import { uuidFromBytes } from "./key-id.js";

export const BLOB_FORMAT_V1 = 0x01;
export const HEADER_LENGTH = 21;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;
/** Bytes a blob adds to its plaintext. */
export const BLOB_OVERHEAD = HEADER_LENGTH + IV_LENGTH + TAG_LENGTH;

/** The 21-byte header of blobs made with one key version. */
export function blobHeader(keyIdBytes: Uint8Array, version: number): Uint8Array {
  const h = new Uint8Array(HEADER_LENGTH);
  h[0] = BLOB_FORMAT_V1;
  h.set(keyIdBytes, 1);
  new DataView(h.buffer).setUint32(17, version);
  return h;
}

/** AAD for a header and an encoded encryption context. */
export function blobAad(header: Uint8Array, context: Uint8Array): Uint8Array {
  const aad = new Uint8Array(header.length + context.length);
  aad.set(header);
  aad.set(context, header.length);
  return aad;
}

/** Seals `plaintext` into a blob. `aad` must start with `header`; `iv` is 12 fresh random bytes. */
export function sealBlob(gcm: Aes256Gcm, header: Uint8Array, aad: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const sealed = gcm.seal(iv, plaintext, aad);
  const out = new Uint8Array(HEADER_LENGTH + IV_LENGTH + sealed.length);
  out.set(header);
  out.set(iv, HEADER_LENGTH);
  out.set(sealed, HEADER_LENGTH + IV_LENGTH);
  return out;
}

export interface ParsedBlob {
  keyId: string;
  version: number;
  header: Uint8Array;
  iv: Uint8Array;
  /** ciphertext ‖ tag */
  sealed: Uint8Array;
}

/** Splits a blob into its fields; anything that is not a well-formed v1 blob is InvalidCiphertextException. */
export function parseBlob(blob: Uint8Array): ParsedBlob {
  if (blob.length < BLOB_OVERHEAD + 1) {
    throw new InvalidCiphertextException(`The ciphertext is not a valid wasmkms ciphertext blob: ${blob.length} bytes is too short`);
  }
  if (blob[0] !== BLOB_FORMAT_V1) {
    throw new InvalidCiphertextException(`The ciphertext is not a valid wasmkms ciphertext blob: unknown format ${blob[0]}`);
  }
  const version = ((blob[17] << 24) | (blob[18] << 16) | (blob[19] << 8) | blob[20]) >>> 0;
  return {
    keyId: uuidFromBytes(blob, 1),
    version,
    header: blob.subarray(0, HEADER_LENGTH),
    iv: blob.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH),
    sealed: blob.subarray(HEADER_LENGTH + IV_LENGTH),
  };
}
