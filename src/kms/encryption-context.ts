/**
 * Encryption context: string pairs bound to a ciphertext as additional
 * authenticated data (AAD). Decrypt must be given exactly the same pairs.
 *
 * Canonical encoding (what goes into the AAD), all integers unsigned 32-bit
 * big-endian:
 *
 *   count ‖ { len(key) ‖ key ‖ len(value) ‖ value } for each pair
 *
 * with keys and values as UTF-8 and the pairs sorted by the UTF-8 bytes of
 * their keys. Every field is length-prefixed, so no two different contexts
 * share an encoding: {"ab": "c"} and {"a": "bc"} differ. Sorting makes the
 * encoding independent of property order. An absent context and an empty one
 * encode alike (count 0), as AWS treats them alike. Strings with unpaired
 * UTF-16 surrogates are refused: UTF-8 cannot carry them (TextEncoder would
 * turn them into U+FFFD, making "\uD800" and "\uFFFD" collide).
 */
import { ValidationException } from "./errors.js";
import type { EncryptionContext } from "./types.js";
import { compareBytes } from "../byte-order.js";

const EMPTY = new Uint8Array(4);
const utf8 = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Validates an EncryptionContext parameter: absent, or a plain object whose
 * values are all strings. Returns the context (undefined when absent or empty).
 */
export function checkEncryptionContext(value: unknown, field: string): EncryptionContext | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ValidationException(`${field} must be a map of strings to strings`);
  }
  let n = 0;
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (typeof v !== "string") throw new ValidationException(`${field}: the value of "${k}" must be a string`);
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) {
      throw new ValidationException(`${field}: keys and values must be well-formed Unicode (no unpaired surrogates)`);
    }
    n++;
  }
  return n === 0 ? undefined : (value as EncryptionContext);
}

/** The canonical encoding of a (validated) context. */
export function encodeEncryptionContext(context: EncryptionContext | undefined): Uint8Array {
  if (context === undefined) return EMPTY;
  const pairs: [Uint8Array, Uint8Array][] = [];
  let size = 4;
  for (const k in context) {
    if (!Object.prototype.hasOwnProperty.call(context, k)) continue;
    const key = utf8.encode(k);
    const value = utf8.encode(context[k]);
    pairs.push([key, value]);
    size += 8 + key.length + value.length;
  }
  if (pairs.length === 0) return EMPTY;
  pairs.sort((x, y) => compareBytes(x[0], y[0]));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, pairs.length);
  let off = 4;
  for (const [key, value] of pairs) {
    view.setUint32(off, key.length);
    out.set(key, off + 4);
    off += 4 + key.length;
    view.setUint32(off, value.length);
    out.set(value, off + 4);
    off += 4 + value.length;
  }
  return out;
}
