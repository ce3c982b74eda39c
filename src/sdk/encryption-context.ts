/**
 * Encryption context encoding (framework/structures.md §Serialization;
 * message-header.md §AAD), all integers big-endian:
 *
 *   serialized  = ""                                         when empty
 *               = count:u16 ‖ { klen:u16 ‖ key ‖ vlen:u16 ‖ value }…
 *   header AAD  = len(serialized):u16 ‖ serialized
 *
 * Pairs are sorted by the UTF-8 bytes of their keys, with no duplicates.
 * Strings with unpaired UTF-16 surrogates are refused (UTF-8 cannot carry
 * them; TextEncoder would silently turn them into U+FFFD).
 */
import { EncryptionContextError, MalformedMessageError } from "./errors.js";
import type { EncryptionContext } from "./materials.js";
import { compareBytes } from "../byte-order.js";

/** The key under which signing suites store the verification key (base64 of the compressed point). */
export const PUBLIC_KEY_CONTEXT_KEY = "aws-crypto-public-key";
/** Keys with this prefix are reserved for the SDK; callers may not set them. */
export const RESERVED_PREFIX = "aws-crypto-";

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_U16 = 0xffff;

/** The prototype of context objects: frozen, empty, itself without a prototype. */
const CONTEXT_PROTOTYPE: object = Object.freeze(Object.create(null));

/**
 * A new, empty context object with no inherited members (so keys such as
 * "toString" or "__proto__" are plain own properties). Unlike
 * `Object.create(null)`, whose objects V8 keeps as slow dictionaries, this is
 * a fast object: several times cheaper to fill and read.
 */
function newContext(): Record<string, string> {
  return Object.create(CONTEXT_PROTOTYPE);
}

/** The empty context (frozen, so one object serves every caller). */
const EMPTY_CONTEXT: EncryptionContext = Object.freeze(newContext());

/** String.prototype.isWellFormed (ES2024) where the runtime has it, the regular expression otherwise. */
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function"
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !LONE_SURROGATE.test(s);

/** Validates a caller's context: a plain object of strings, no reserved keys. Returns a frozen copy. */
export function checkEncryptionContext(value: unknown, allowReserved = false): EncryptionContext {
  if (value === undefined || value === null) return EMPTY_CONTEXT;
  if (typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new EncryptionContextError("encryptionContext must be an object mapping strings to strings");
  }
  const source = value as Record<string, unknown>;
  const out = newContext();
  for (const k of Object.keys(source)) {
    const v = source[k];
    if (typeof v !== "string") throw new EncryptionContextError(`encryptionContext: the value of "${k}" must be a string`);
    if (!isWellFormed(k) || !isWellFormed(v)) {
      throw new EncryptionContextError("encryptionContext: keys and values must be well-formed Unicode (no unpaired surrogates)");
    }
    if (!allowReserved && k.startsWith(RESERVED_PREFIX)) {
      throw new EncryptionContextError(`encryptionContext: keys starting with "${RESERVED_PREFIX}" are reserved for the SDK ("${k}")`);
    }
    out[k] = v;
  }
  return Object.freeze(out);
}

type Pair = [key: Uint8Array, value: Uint8Array];

function encodePairs(pairs: Pair[]): Uint8Array {
  if (pairs.length === 0) return new Uint8Array(0);
  if (pairs.length > MAX_U16) throw new EncryptionContextError(`encryptionContext has too many pairs (${pairs.length} > ${MAX_U16})`);
  let size = 2;
  for (const [k, v] of pairs) {
    if (k.length > MAX_U16 || v.length > MAX_U16) throw new EncryptionContextError("encryptionContext: a key or value exceeds 65,535 UTF-8 bytes");
    size += 4 + k.length + v.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint16(0, pairs.length);
  let p = 2;
  for (const [k, v] of pairs) {
    view.setUint16(p, k.length);
    out.set(k, p + 2);
    p += 2 + k.length;
    view.setUint16(p, v.length);
    out.set(v, p + 2);
    p += 2 + v.length;
  }
  return out;
}

function utf8Pairs(context: EncryptionContext): Pair[] {
  return Object.entries(context).map(([k, v]) => [utf8.encode(k), utf8.encode(v)]);
}

/** The spec's serialization (sorted by UTF-8 key bytes; empty context → empty bytes). */
export function serializeEncryptionContext(context: EncryptionContext): Uint8Array {
  return encodePairs(utf8Pairs(context).sort((a, b) => compareBytes(a[0], b[0])));
}

/**
 * The serialization in `String.prototype.localeCompare` key order, which the
 * ESDK for JavaScript's raw keyrings use by default (their `utf8Sorting:
 * false`) for the keyring AAD. Returns undefined when it equals the spec's
 * order, which is the case for most contexts.
 */
export function serializeEncryptionContextLocaleOrder(context: EncryptionContext): Uint8Array | undefined {
  const keys = Object.keys(context);
  const spec = keys.slice().sort((a, b) => compareBytes(utf8.encode(a), utf8.encode(b)));
  const locale = keys.slice().sort((a, b) => a.localeCompare(b));
  if (spec.every((k, i) => k === locale[i])) return undefined;
  return encodePairs(locale.map((k) => [utf8.encode(k), utf8.encode(context[k])]));
}

/** The header's AAD field: u16 length ‖ serialization. */
export function serializeHeaderAad(context: EncryptionContext): Uint8Array {
  const body = serializeEncryptionContext(context);
  if (body.length > MAX_U16) throw new EncryptionContextError(`the serialized encryptionContext is ${body.length} bytes; at most 65,535 fit in the header`);
  const out = new Uint8Array(2 + body.length);
  new DataView(out.buffer).setUint16(0, body.length);
  out.set(body, 2);
  return out;
}

/**
 * Parses a serialized context (the header AAD without its length prefix).
 * Refuses a zero count in a non-empty field, truncated or trailing bytes,
 * invalid UTF-8 and duplicate keys. Key order is not checked (the header tag
 * authenticates the bytes as they are).
 */
export function parseEncryptionContext(bytes: Uint8Array): EncryptionContext {
  if (bytes.length === 0) return EMPTY_CONTEXT;
  // Messages in a row often carry the same context: the (frozen) result for the same bytes is reused.
  if (bytes.length === lastParsed.bytes.length && equalBytes(bytes, lastParsed.bytes)) return lastParsed.context;
  const context = parseContextBytes(bytes);
  if (bytes.length <= 1024) lastParsed = { bytes: bytes.slice(), context };
  return context;
}

/** The last context parsed (up to 1 KiB serialized) and its bytes (an own copy). */
let lastParsed: { readonly bytes: Uint8Array; readonly context: EncryptionContext } = { bytes: new Uint8Array(0), context: EMPTY_CONTEXT };

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function parseContextBytes(bytes: Uint8Array): EncryptionContext {
  if (bytes.length < 2) throw malformedContext("truncated");
  const out = newContext();
  const count = (bytes[0] << 8) | bytes[1];
  if (count === 0) throw malformedContext("a non-empty field with a pair count of 0");
  let p = 2;
  for (let i = 0; i < count; i++) {
    let key = "";
    for (let half = 0; half < 2; half++) {
      if (p + 2 > bytes.length) throw malformedContext("truncated");
      const end = p + 2 + ((bytes[p] << 8) | bytes[p + 1]);
      if (end > bytes.length) throw malformedContext("truncated");
      let s: string;
      try {
        s = utf8Strict.decode(bytes.subarray(p + 2, end));
      } catch {
        throw malformedContext("invalid UTF-8");
      }
      p = end;
      if (half === 0) {
        key = s;
      } else {
        if (Object.hasOwn(out, key)) throw malformedContext(`duplicate key "${key}"`);
        out[key] = s;
      }
    }
  }
  if (p !== bytes.length) throw malformedContext(`${bytes.length - p} bytes after the last pair`);
  return Object.freeze(out);
}

function malformedContext(why: string): MalformedMessageError {
  return new MalformedMessageError(`malformed encryption context in the header: ${why}`);
}
