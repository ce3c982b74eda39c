/**
 * Copies of stored records. Both stores keep one private copy of every record
 * and hand out fresh copies, so nothing a caller holds aliases stored state.
 *
 * What a record may contain is what JSON and the SQLite store keep exactly:
 * null, booleans, finite numbers, strings, arrays, plain objects and
 * Uint8Array. `copyIn` checks that on the way in (writes are rare) and
 * normalises: Buffer and other Uint8Array subclasses become plain Uint8Array,
 * and object properties whose value is `undefined` are dropped, as JSON drops
 * them. The other copiers are the read path and trust that their input came
 * through `copyIn`.
 *
 * Reads are hot (the Kms reads a key on every operation), so `copyKeyRecord`
 * copies each part of a KeyRecord at its own object-spread site: each site
 * then sees few object shapes and V8 clones them in one step, where a single
 * generic copier sees every shape and falls back to adding properties one by
 * one. Measured on a mix of key records: ~0.5 µs per record, against ~1 µs for
 * the generic copier and ~8 µs for `structuredClone`.
 */
import type { AliasRecord, KeyRecord } from "./key-store.js";

/**
 * Objects with this property are how the SQLite store writes a Uint8Array into
 * JSON, so plain objects in records may not use it as a property name.
 */
export const BYTES_MARKER = "$b64";

/** A checked, normalised deep copy of a value about to be stored. */
export function copyIn<T>(value: T, path = "record"): T {
  return checkedCopy(value, path) as T;
}

function checkedCopy(value: unknown, path: string): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      throw unstorable(path, String(value));
    case "object":
      break;
    default:
      throw unstorable(path, typeof value);
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) throw unstorable(`${path}[${i}]`, "undefined");
      out[i] = checkedCopy(value[i], `${path}[${i}]`);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw unstorable(path, `a ${proto?.constructor?.name ?? "non-plain object"}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === BYTES_MARKER || key === "__proto__") {
      throw new TypeError(`KeyStore: ${path} uses the reserved property name "${key}"`);
    }
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = checkedCopy(v, `${path}.${key}`);
  }
  return out;
}

function unstorable(path: string, what: string): TypeError {
  return new TypeError(
    `KeyStore: ${path} is ${what}; records hold only null, booleans, finite numbers, ` +
      "strings, arrays, plain objects and Uint8Array",
  );
}

/** A deep copy of any value that came through `copyIn`. */
export function copyOut<T>(value: T): T {
  return deepCopy(value) as T;
}

function deepCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return mapArray(value, deepCopy);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = deepCopy((value as Record<string, unknown>)[key]);
  return out;
}

/** A deep copy of a KeyRecord that came through `copyKeyRecordIn` (see the file comment). */
export function copyKeyRecord(record: KeyRecord): KeyRecord {
  const out = copyNested({ ...record }, SPECIALISED);
  out.metadata = copyMetadata(record.metadata);
  out.versions = mapArray(record.versions, copyVersion);
  out.policies = copyPolicies(record.policies);
  out.tags = mapArray(record.tags, copyTag);
  out.extra = copyExtra(record.extra);
  return out;
}

// One spread site per part of a KeyRecord: keep them separate functions.
const copyMetadata = <T extends object>(o: T): T => copyNested({ ...o });
const copyVersion = <T extends object>(o: T): T => copyNested({ ...o });
const copyPolicies = <T extends object>(o: T): T => copyNested({ ...o });
const copyTag = <T extends object>(o: T): T => copyNested({ ...o });
const copyExtra = <T extends object>(o: T): T => copyNested({ ...o });
const SPECIALISED: Record<string, true> = { metadata: true, versions: true, policies: true, tags: true, extra: true };

/** Replaces, in a fresh shallow copy, each object-valued property (bar `skip`) by a deep copy. */
function copyNested<T extends object>(shallow: T, skip?: Record<string, true>): T {
  const o = shallow as Record<string, unknown>;
  for (const key in o) {
    const v = o[key];
    if (typeof v === "object" && v !== null && !(skip !== undefined && key in skip)) o[key] = deepCopy(v);
  }
  return shallow;
}

/**
 * `copyIn` for a KeyRecord, after checking the parts the store and the read
 * path rely on (TypeScript checks the rest at compile time).
 */
export function copyKeyRecordIn(record: KeyRecord): KeyRecord {
  const r = record as unknown as Record<string, unknown>;
  const problem =
    typeof r !== "object" || r === null ? "is not an object"
    : typeof r.keyId !== "string" || r.keyId === "" ? "has no keyId"
    : !isObject(r.metadata) ? "metadata is not an object"
    : !Array.isArray(r.versions) || !r.versions.every(isObject) ? "versions is not an array of objects"
    : !isObject(r.policies) ? "policies is not an object"
    : !Array.isArray(r.tags) || !r.tags.every(isObject) ? "tags is not an array of objects"
    : !isObject(r.extra) ? "extra is not an object"
    : r.publicKey !== undefined && !(r.publicKey instanceof Uint8Array) ? "publicKey is not a Uint8Array"
    : undefined;
  if (problem) throw new TypeError(`KeyStore.putKey: the record ${problem}`);
  return copyIn(record, `key ${record.keyId}`);
}

/** `copyIn` for an AliasRecord, after checking its fields' types. */
export function copyAliasRecordIn(record: AliasRecord): AliasRecord {
  const r = record as unknown as Record<string, unknown> | null;
  if (
    typeof r?.aliasName !== "string" || r.aliasName === "" ||
    typeof r.targetKeyId !== "string" ||
    typeof r.creationDate !== "number" || typeof r.lastUpdatedDate !== "number"
  ) {
    throw new TypeError("KeyStore.putAlias: the record needs aliasName, targetKeyId, creationDate and lastUpdatedDate");
  }
  return copyIn(record, `alias ${record.aliasName}`);
}

function isObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function mapArray<T>(items: readonly T[], copy: (item: T) => T): T[] {
  const out = new Array<T>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = copy(items[i]);
  return out;
}
