/**
 * Caching materials manager (framework/caching-cmm.md): reuses a data key for
 * several messages so that encrypting many small messages does not cost one
 * KMS call each, within limits that bound how much one data key protects.
 *
 * Encryption materials:
 *   - bypass the cache (ask the backing manager every time) when the request
 *     has no plaintext length (e.g. a stream without `plaintextLength`) or its
 *     suite has an identity KDF;
 *   - otherwise look up the entry for (partition, suite, encryption context)
 *     (the spec's Appendix A identifiers) and reuse it if it is younger than
 *     `maxAge` and this message keeps it within `maxMessagesEncrypted` and
 *     `maxBytesEncrypted` (counting this message: with maxMessagesEncrypted =
 *     3 a data key encrypts exactly 3 messages; with maxBytesEncrypted = 100,
 *     messages of 40 bytes share a key two at a time). A message that would go
 *     over a limit retires the entry and gets fresh materials, which become
 *     the new entry; a message larger than maxBytesEncrypted by itself gets
 *     fresh materials that are never cached.
 *   - The limits are exact under concurrency: a message's use is counted
 *     synchronously when it is granted, and concurrent misses for one entry
 *     wait for ONE request to the backing manager (as many of them as the
 *     limits allow share its result; the next ones start the next entry).
 *   - For materials it will cache, the backing manager is asked with
 *     `plaintextLength` = maxBytesEncrypted (the spec's "Max Plaintext
 *     Length ... equal to its Limit Bytes"); bypassing requests go to it as
 *     they came.
 *
 * Signing suites (0x0578) are cached like the others, as in the spec and the
 * ESDKs: the cached materials carry one signing key, so the messages sharing a
 * data key also share a signing key pair (each message is still signed).
 *
 * Decryption materials are cached per (partition, suite, encrypted data keys,
 * encryption context), also for `maxAge` (identity-KDF suites excepted), and
 * concurrent misses coalesce the same way.
 *
 * Entry ids are the spec's SHA-512 digests, computed once per distinct
 * request and then found by an exact fingerprint of it (request-fingerprint.ts).
 * A cache hit is answered synchronously to `encrypt`/`decrypt`
 * (`encryptionMaterialsNow`/`decryptionMaterialsNow`), so a small message
 * with cached materials goes through without an await.
 *
 * Time comes from the injected `clock` (default: the system clock); an entry
 * expires once `clock.now() - created > maxAge` (ms). Failed requests are not
 * cached. Materials are immutable and may still be in use by messages in
 * flight when they leave the cache, so they are not wiped here; they go with
 * the garbage collector.
 */
import { randomBytes, sha512 } from "../engine/index.js";
import { type Clock, systemClock } from "../clock.js";
import { algorithmSuite, checkDecryptSuite, checkEncryptSuite, DEFAULT_SUITE_ID } from "./algorithm-suites.js";
import { DefaultMaterialsManager } from "./default-materials-manager.js";
import { serializeEncryptionContext } from "./encryption-context.js";
import { InvalidParameterError, KeyringError } from "./errors.js";
import { LruCache } from "./lru-cache.js";
import { decryptionFingerprint, encryptionFingerprint, FingerprintMemo } from "./request-fingerprint.js";
import { ByteWriter, concatBytes } from "./wire.js";
import type {
  DecryptionMaterials,
  DecryptionMaterialsRequest,
  EncryptedDataKey,
  EncryptionMaterials,
  EncryptionMaterialsRequest,
  Keyring,
  MaterialsManager,
} from "./materials.js";

/** The spec's default Limit Messages: 2^32. */
export const MAX_MESSAGES_PER_DATA_KEY = 2 ** 32;
/** Limit Bytes may be up to 2^63 − 1; here the largest exact integer, 2^53 − 1. */
export const MAX_BYTES_PER_DATA_KEY = Number.MAX_SAFE_INTEGER;

/** One cache slot: materials (or the request that will produce them) and their use so far. */
export interface CacheEntry {
  readonly kind: "encrypt" | "decrypt";
  /** Set once the backing manager has answered. */
  materials: EncryptionMaterials | DecryptionMaterials | undefined;
  /** The backing request while it is in flight. */
  pending: Promise<EncryptionMaterials | DecryptionMaterials> | undefined;
  /** When the materials arrived (clock ms); entries in flight do not age. */
  created: number;
  messagesEncrypted: number;
  bytesEncrypted: number;
}

/** An LRU of cache entries; share one between managers with the same `partition` to share data keys. */
export class MaterialsCache extends LruCache<string, CacheEntry> {
  constructor(capacity = 1000) {
    super(capacity);
  }
}

export interface CachingMaterialsManagerOptions {
  /** The manager to ask on a miss (give this or `keyring`). */
  backingMaterialsManager?: MaterialsManager;
  /** A keyring, wrapped in a DefaultMaterialsManager (give this or `backingMaterialsManager`). */
  keyring?: Keyring;
  /** A MaterialsCache (to share), or the capacity of a new one (default 1000 entries). */
  cache?: MaterialsCache | number;
  /** Longest use of one data key, in ms (required, > 0). */
  maxAge: number;
  /** Most plaintext bytes one data key may encrypt (default 2^53 − 1). */
  maxBytesEncrypted?: number;
  /** Most messages one data key may encrypt (default 2^32). */
  maxMessagesEncrypted?: number;
  /** Managers sharing a cache share entries only if their partitions are equal (default: unique to this manager). */
  partition?: string;
  clock?: Clock;
}

function limit(value: unknown, max: number, name: string): number {
  if (value === undefined) return max;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidParameterError(`CachingMaterialsManager: ${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

const utf8 = new TextEncoder();
const ZERO_64 = new Uint8Array(64);

/** A Map key for a 64-byte digest. */
function digestKey(digest: Uint8Array): string {
  return String.fromCharCode.apply(null, digest as unknown as number[]);
}

/** An EDK as serialized in the header (message-header.md, Encrypted Data Key Entries). */
function serializeEdk(edk: EncryptedDataKey): Uint8Array {
  const id = utf8.encode(edk.providerId);
  const w = new ByteWriter(new Uint8Array(6 + id.length + edk.providerInfo.length + edk.ciphertext.length));
  return w.lengthPrefixed(id).lengthPrefixed(edk.providerInfo).lengthPrefixed(edk.ciphertext).bytes;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export class CachingMaterialsManager implements MaterialsManager {
  readonly backingMaterialsManager: MaterialsManager;
  readonly cache: MaterialsCache;
  readonly maxAge: number;
  readonly maxBytesEncrypted: number;
  readonly maxMessagesEncrypted: number;
  readonly partition: string;
  readonly #clock: Clock;
  readonly #partitionHash: Uint8Array;
  /** Recent encryption requests' entry ids, by an exact fingerprint of suite and context (saves 3 SHA-512s per message). */
  readonly #encryptionIds = new FingerprintMemo(256);
  /** Likewise for decryption requests, by suite, EDKs and context (saves 2 + #EDKs SHA-512s and two serializations per message). */
  readonly #decryptionIds = new FingerprintMemo(256);

  constructor(options: CachingMaterialsManagerOptions) {
    const o = options ?? ({} as CachingMaterialsManagerOptions);
    if (o.backingMaterialsManager && o.keyring) throw new InvalidParameterError("CachingMaterialsManager: give backingMaterialsManager or keyring, not both");
    if (o.backingMaterialsManager) {
      if (typeof o.backingMaterialsManager.getEncryptionMaterials !== "function" || typeof o.backingMaterialsManager.decryptMaterials !== "function") {
        throw new InvalidParameterError("CachingMaterialsManager: backingMaterialsManager is not a MaterialsManager");
      }
      this.backingMaterialsManager = o.backingMaterialsManager;
    } else if (o.keyring) {
      this.backingMaterialsManager = new DefaultMaterialsManager(o.keyring);
    } else {
      throw new InvalidParameterError("CachingMaterialsManager needs a backingMaterialsManager or a keyring");
    }
    if (typeof o.maxAge !== "number" || !(o.maxAge > 0) || !Number.isFinite(o.maxAge)) {
      throw new InvalidParameterError(`CachingMaterialsManager: maxAge (ms) is required and must be > 0, got ${String(o.maxAge)}`);
    }
    this.maxAge = o.maxAge;
    this.maxBytesEncrypted = limit(o.maxBytesEncrypted, MAX_BYTES_PER_DATA_KEY, "maxBytesEncrypted");
    this.maxMessagesEncrypted = limit(o.maxMessagesEncrypted, MAX_MESSAGES_PER_DATA_KEY, "maxMessagesEncrypted");
    if (o.cache instanceof MaterialsCache) this.cache = o.cache;
    else if (o.cache === undefined || typeof o.cache === "number") this.cache = new MaterialsCache(o.cache);
    else throw new InvalidParameterError("CachingMaterialsManager: cache must be a MaterialsCache or a capacity");
    if (o.partition !== undefined && (typeof o.partition !== "string" || o.partition === "")) {
      throw new InvalidParameterError("CachingMaterialsManager: partition must be a non-empty string");
    }
    this.partition = o.partition ?? Array.from(randomBytes(16), (b) => b.toString(16).padStart(2, "0")).join("");
    this.#partitionHash = sha512(utf8.encode(this.partition));
    this.#clock = o.clock ?? systemClock;
  }

  getEncryptionMaterials(request: EncryptionMaterialsRequest): Promise<EncryptionMaterials> {
    try {
      const materials = this.encryptionMaterialsNow(request);
      return Promise.resolve(materials);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * `getEncryptionMaterials`, answering synchronously when a live cache entry
   * has the materials (the hot path of many small messages: no promise), and
   * with a promise otherwise. Throws synchronously on an invalid request.
   * @internal
   */
  encryptionMaterialsNow(request: EncryptionMaterialsRequest): EncryptionMaterials | Promise<EncryptionMaterials> {
    const length = request.plaintextLength;
    const suite = algorithmSuite(request.suiteId ?? DEFAULT_SUITE_ID);
    if (length === undefined || suite.kdf === "identity") return this.backingMaterialsManager.getEncryptionMaterials(request);
    if (!Number.isSafeInteger(length) || length < 0) throw new InvalidParameterError(`plaintextLength must be a non-negative integer, got ${length}`);
    checkEncryptSuite(suite, request.commitmentPolicy);
    // Too big for any entry: fresh materials for this message alone, never cached.
    if (length > this.maxBytesEncrypted) return this.backingMaterialsManager.getEncryptionMaterials(request);
    const key = this.#encryptionKey(request);
    let entry = this.#live(key, "encrypt");
    if (entry && (entry.messagesEncrypted + 1 > this.maxMessagesEncrypted || entry.bytesEncrypted + length > this.maxBytesEncrypted)) {
      this.cache.delete(key); // used up: retire it
      entry = undefined;
    }
    if (entry) {
      entry.messagesEncrypted += 1;
      entry.bytesEncrypted += length;
      return (entry.materials ?? entry.pending!) as EncryptionMaterials | Promise<EncryptionMaterials>;
    }
    const backing = (): Promise<EncryptionMaterials> =>
      this.backingMaterialsManager.getEncryptionMaterials({
        encryptionContext: request.encryptionContext,
        commitmentPolicy: request.commitmentPolicy,
        ...(request.suiteId === undefined ? {} : { suiteId: request.suiteId }),
        plaintextLength: this.maxBytesEncrypted,
      });
    return this.#fill(key, "encrypt", backing, { messagesEncrypted: 1, bytesEncrypted: length }) as Promise<EncryptionMaterials>;
  }

  decryptMaterials(request: DecryptionMaterialsRequest): Promise<DecryptionMaterials> {
    try {
      return Promise.resolve(this.decryptionMaterialsNow(request));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * `decryptMaterials`, answering synchronously when a live cache entry has
   * the materials, and with a promise otherwise. Throws synchronously on an
   * invalid request.
   * @internal
   */
  decryptionMaterialsNow(request: DecryptionMaterialsRequest): DecryptionMaterials | Promise<DecryptionMaterials> {
    if (request.suite.kdf === "identity") return this.backingMaterialsManager.decryptMaterials(request);
    checkDecryptSuite(request.suite, request.commitmentPolicy);
    const key = this.#decryptionKey(request);
    const entry = this.#live(key, "decrypt");
    if (entry) return (entry.materials ?? entry.pending!) as DecryptionMaterials | Promise<DecryptionMaterials>;
    return this.#fill(key, "decrypt", () => this.backingMaterialsManager.decryptMaterials(request), {
      messagesEncrypted: 0,
      bytesEncrypted: 0,
    }) as Promise<DecryptionMaterials>;
  }

  /** The entry for `key` if it is of this kind and not expired (expired ones are removed). */
  #live(key: string, kind: CacheEntry["kind"]): CacheEntry | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    if (entry.kind !== kind || (entry.materials && this.#clock.now() - entry.created > this.maxAge)) {
      this.cache.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Starts the backing request for a new entry; concurrent callers find the entry and wait for the same request. */
  async #fill(
    key: string,
    kind: CacheEntry["kind"],
    fetch: () => Promise<EncryptionMaterials | DecryptionMaterials>,
    use: { messagesEncrypted: number; bytesEncrypted: number },
  ): Promise<EncryptionMaterials | DecryptionMaterials> {
    const entry: CacheEntry = { kind, materials: undefined, pending: undefined, created: 0, ...use };
    entry.pending = (async () => {
      const materials = await fetch();
      if (!materials?.plaintextDataKey) throw new KeyringError("CachingMaterialsManager: the backing materials manager returned no data key");
      return materials;
    })();
    this.cache.set(key, entry);
    try {
      const materials = await entry.pending;
      entry.materials = materials;
      entry.created = this.#clock.now();
      return materials;
    } catch (e) {
      if (this.cache.peek(key) === entry) this.cache.delete(key);
      throw e;
    } finally {
      entry.pending = undefined;
    }
  }

  /** Appendix A, encryption materials: SHA512(SHA512(partition) ‖ 0x01 ‖ suite ‖ SHA512(context)), or 0x00 without a suite. */
  #encryptionKey(request: EncryptionMaterialsRequest): string {
    if (!encryptionFingerprint(request)) return this.#computeEncryptionKey(request); // malformed or huge: no shortcut
    let id = this.#encryptionIds.get();
    if (id === undefined) this.#encryptionIds.set((id = this.#computeEncryptionKey(request)));
    return id;
  }

  #computeEncryptionKey(request: EncryptionMaterialsRequest): string {
    const suite = request.suiteId === undefined ? Uint8Array.of(0) : Uint8Array.of(1, request.suiteId >> 8, request.suiteId & 0xff);
    const context = sha512(serializeEncryptionContext(request.encryptionContext));
    return digestKey(sha512(concatBytes([this.#partitionHash, suite, context])));
  }

  /** Appendix A, decryption materials (below), remembered by fingerprint like the encryption ids. */
  #decryptionKey(request: DecryptionMaterialsRequest): string {
    if (!decryptionFingerprint(request)) return this.#computeDecryptionKey(request);
    let id = this.#decryptionIds.get();
    if (id === undefined) this.#decryptionIds.set((id = this.#computeDecryptionKey(request)));
    return id;
  }

  /** SHA512(SHA512(partition) ‖ suite ‖ sorted SHA512(EDK)… ‖ 64 zero bytes ‖ SHA512(context)). */
  #computeDecryptionKey(request: DecryptionMaterialsRequest): string {
    const id = request.suite.id;
    const edks = request.encryptedDataKeys.map((e) => sha512(serializeEdk(e))).sort(compareBytes);
    const context = sha512(serializeEncryptionContext(request.encryptionContext));
    return digestKey(sha512(concatBytes([this.#partitionHash, Uint8Array.of(id >> 8, id & 0xff), ...edks, ZERO_64, context])));
  }
}

/**
 * The answer of `cmm.getEncryptionMaterials(request)`: synchronous when `cmm`
 * is a CachingMaterialsManager (whose method is not overridden) with the
 * materials cached, else a promise.
 */
export function encryptionMaterialsNow(cmm: MaterialsManager, request: EncryptionMaterialsRequest): EncryptionMaterials | Promise<EncryptionMaterials> {
  if (cmm instanceof CachingMaterialsManager && cmm.getEncryptionMaterials === CachingMaterialsManager.prototype.getEncryptionMaterials) {
    return cmm.encryptionMaterialsNow(request);
  }
  return cmm.getEncryptionMaterials(request);
}

/** The answer of `cmm.decryptMaterials(request)`, synchronous on a CachingMaterialsManager's cache hit. */
export function decryptionMaterialsNow(cmm: MaterialsManager, request: DecryptionMaterialsRequest): DecryptionMaterials | Promise<DecryptionMaterials> {
  if (cmm instanceof CachingMaterialsManager && cmm.decryptMaterials === CachingMaterialsManager.prototype.decryptMaterials) {
    return cmm.decryptionMaterialsNow(request);
  }
  return cmm.decryptMaterials(request);
}
