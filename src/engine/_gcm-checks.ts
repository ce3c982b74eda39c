/**
 * Argument checks of Aes256Gcm (aes256gcm.ts): the WebAssembly side trusts its
 * inputs, so IVs, tag lengths, data lengths, keys, key options and the room
 * in callers' output arrays are checked here (SP 800-38D §5.2.1).
 */
import { bytes, exactLength, integer, optionalBytes } from "./validate.js";
import { engine } from "./wasm.js";

/** Tag lengths allowed by SP 800-38D §5.2.1.2. */
const TAG_LENGTHS = [16, 15, 14, 13, 12, 8, 4];
/** SP 800-38D §5.2.1.1: at most 2^39 − 256 bits of plaintext per invocation. */
export const GCM_MAX_PLAINTEXT = 2 ** 36 - 32;

export function tagLengthOf(value: unknown, where: string): number {
  if (value === 16) return 16;
  integer(value, 4, 16, where, "tagLength");
  if (!TAG_LENGTHS.includes(value as number)) {
    throw new RangeError(`${where}: tagLength must be one of ${TAG_LENGTHS.join(", ")}, got ${value}`);
  }
  return value as number;
}

/** Checks a message's IV (at least 1 byte) and its AAD (optional); returns the AAD, empty when undefined. */
export function checkIvAndAad(iv: unknown, aad: unknown, where: string): Uint8Array {
  if (bytes(iv, where, "iv").length === 0) throw new RangeError(`${where}: iv must be at least 1 byte, got 0`);
  return optionalBytes(aad, where, "aad");
}

/** Checks that `output` (already a Uint8Array) has room for `size` bytes from `offset`. */
export function checkRoom(output: Uint8Array, offset: number, size: number, where: string): void {
  integer(offset, 0, output.length, where, "offset");
  if (output.length - offset < size) {
    throw new RangeError(`${where}: output needs ${size} bytes from offset ${offset}, has ${output.length - offset}`);
  }
}

export function checkLength(total: number, where: string): void {
  if (total > GCM_MAX_PLAINTEXT) {
    throw new RangeError(`${where}: GCM allows at most ${GCM_MAX_PLAINTEXT} bytes of data per IV (SP 800-38D §5.2.1.1), got ${total}`);
  }
}

/** Options of `new Aes256Gcm(key, options)` and `rekey(key, options)`. */
export interface Aes256GcmOptions {
  /** Up to seven 12-byte IVs the key will seal or open with next (each prepared for one message). */
  readonly ivs?: readonly Uint8Array[];
}

export function checkOptions(options: Aes256GcmOptions | undefined, where: string): readonly Uint8Array[] | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) throw new TypeError(`${where}: options must be an object`);
  const ivs = options.ivs;
  if (ivs === undefined) return undefined;
  if (!Array.isArray(ivs)) throw new TypeError(`${where}: ivs must be an array of Uint8Array`);
  // The spare blocks of the key-setup AES batch (assembly/gcm.ts PRESET_MAX).
  const max = engine().PRESET_MAX;
  if (ivs.length > max) throw new RangeError(`${where}: at most ${max} ivs can be prepared, got ${ivs.length}`);
  for (const iv of ivs) exactLength(bytes(iv, where, "each of ivs"), 12, where, "each of ivs");
  return ivs;
}

export function checkKey(key: unknown, where: string): Uint8Array {
  const k = bytes(key, where, "key");
  exactLength(k, 32, where, "key");
  return k;
}
