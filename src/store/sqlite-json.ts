/**
 * How SqliteKeyStore writes records as JSON text (Node only: uses Buffer for
 * base64). A Uint8Array anywhere in a record becomes `{"$b64": "<base64>"}`;
 * `copyIn` (record-copy.ts) refuses plain objects with a "$b64" property, so
 * the marker cannot be confused with data. Everything else in a stored record
 * is already JSON (null, booleans, finite numbers, strings, arrays, plain
 * objects), so a record survives the round trip exactly.
 *
 * Both directions walk the value themselves rather than pass a replacer or
 * reviver to JSON: V8 calls those for every value, which made reading a
 * record about 3× slower.
 */
import { Buffer } from "node:buffer";
import { BYTES_MARKER } from "./record-copy.js";

export function recordToJson(record: unknown): string {
  return JSON.stringify(markBytes(record));
}

export function recordFromJson<T>(text: string): T {
  return unmarkBytes(JSON.parse(text)) as T;
}

/** A copy of `value` with each Uint8Array replaced by its marker object. */
function markBytes(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) {
    return { [BYTES_MARKER]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  }
  if (Array.isArray(value)) return value.map(markBytes);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = markBytes((value as Record<string, unknown>)[key]);
  return out;
}

/** Replaces, in place, each marker object in freshly parsed JSON by its Uint8Array. */
function unmarkBytes(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unmarkBytes(value[i]);
    return value;
  }
  const object = value as Record<string, unknown>;
  const b64 = object[BYTES_MARKER];
  // Copy out of Buffer's shared pool into a plain Uint8Array of its own.
  if (typeof b64 === "string") return new Uint8Array(Buffer.from(b64, "base64"));
  for (const key in object) object[key] = unmarkBytes(object[key]);
  return object;
}
