/**
 * Exact fingerprints of materials requests, to remember their cache ids.
 *
 * The caching materials manager's entry ids are SHA-512 digests over the
 * serialized suite, encryption context and (for decryption) encrypted data
 * keys (caching-cmm.md, Appendix A): several engine calls and serializations
 * per message. A fingerprint lists the same inputs without hashing them, so
 * the id of a request seen before is found by a lookup.
 *
 * Exact: every string and byte string is length-prefixed and written as its
 * UTF-16 code units or bytes, so different requests never share a
 * fingerprint. It is written into one scratch array; a FingerprintMemo finds
 * a remembered value by a 32-bit FNV-1a hash of it and then compares every
 * unit, so no string is built per request.
 * Synchronous use only: write a fingerprint, then `get` (and `set` on a miss)
 * before writing another.
 */
import { LruCache } from "./lru-cache.js";
import type { DecryptionMaterialsRequest, EncryptionMaterialsRequest } from "./materials.js";

/** Longer fingerprints (many or large EDKs, a huge context) are not made: the caller computes the id. */
const MAX_UNITS = 16 * 1024;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// The scratch, as 16-bit units to write and as 32-bit words (two units each) to hash and compare.
const scratch = new ArrayBuffer(2 * MAX_UNITS);
const units = new Uint16Array(scratch);
const words = new Int32Array(scratch);
let n = 0;

/** false when the fingerprint would be too long. */
function put(v: number): boolean {
  if (n >= MAX_UNITS) return false;
  units[n++] = v;
  return true;
}

function putLength(length: number): boolean {
  return put(length >>> 16) && put(length & 0xffff);
}

function putString(s: unknown): boolean {
  if (typeof s !== "string" || n + 2 + s.length > MAX_UNITS) return false;
  putLength(s.length);
  let at = n; // a local: module variables are slower to update in a loop
  for (let i = 0; i < s.length; i++) units[at++] = s.charCodeAt(i);
  n = at;
  return true;
}

function putBytes(b: unknown): boolean {
  if (!(b instanceof Uint8Array) || n + 2 + b.length > MAX_UNITS) return false;
  putLength(b.length);
  units.set(b, n); // widens each byte to a unit
  n += b.length;
  return true;
}

/** Pads to whole words; returns the word count. */
function wordCount(): number {
  if (n & 1) units[n] = 0;
  return (n + 1) >> 1;
}

/** FNV-1a over the words of the fingerprint just written. */
function hashWords(count: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < count; i++) h = Math.imul(h ^ words[i], FNV_PRIME);
  return h;
}

/** The context's pairs in its own key order (the same context in another order is another fingerprint, never a wrong id). */
function putContext(context: unknown): boolean {
  if (context === null || typeof context !== "object") return false;
  const keys = Object.keys(context);
  if (!putLength(keys.length)) return false;
  for (const k of keys) if (!putString(k) || !putString((context as Record<string, unknown>)[k])) return false;
  return true;
}

/** Writes the fingerprint of suite and context; false for a malformed or very large request. */
export function encryptionFingerprint(request: EncryptionMaterialsRequest): boolean {
  n = 0;
  const id = request.suiteId;
  if (id !== undefined && typeof id !== "number") return false;
  return put(id === undefined ? 0 : 1) && put(id ?? 0) && putContext(request.encryptionContext);
}

/** Writes the fingerprint of suite, encrypted data keys and context; false for a malformed or very large request. */
export function decryptionFingerprint(request: DecryptionMaterialsRequest): boolean {
  n = 0;
  const edks = request.encryptedDataKeys;
  let ok = typeof request.suite?.id === "number" && put(request.suite.id) && Array.isArray(edks) && putLength(edks.length);
  for (let i = 0; ok && i < edks.length; i++) {
    const e = edks[i];
    ok = e != null && putString(e.providerId) && putBytes(e.providerInfo) && putBytes(e.ciphertext);
  }
  return ok && putContext(request.encryptionContext);
}

interface Remembered {
  /** The fingerprint's length in units, and its words. */
  readonly length: number;
  readonly words: Int32Array;
  readonly value: string;
}

/** Values by fingerprint, least recently used dropped beyond `capacity` (a hash collision just replaces the older). */
export class FingerprintMemo {
  readonly #slots: LruCache<number, Remembered>;

  constructor(capacity: number) {
    this.#slots = new LruCache(capacity);
  }

  /** The value remembered for the fingerprint just written, if any. */
  get(): string | undefined {
    const count = wordCount();
    const slot = this.#slots.get(hashWords(count));
    if (!slot || slot.length !== n) return undefined;
    const w = slot.words;
    for (let i = 0; i < count; i++) if (w[i] !== words[i]) return undefined;
    return slot.value;
  }

  /** Remembers `value` for the fingerprint just written. */
  set(value: string): void {
    const count = wordCount();
    this.#slots.set(hashWords(count), { length: n, words: words.slice(0, count), value });
  }
}
