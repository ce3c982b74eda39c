/**
 * One KMS key as the Kms holds it in memory: the store's record (parsed once,
 * kept current by the Kms's own writes) plus what is expensive to rebuild per
 * call: an `Aes256Gcm` per symmetric key version (key schedule and GHASH table
 * already in WebAssembly memory), the blob header of each version, and the
 * unwrapped material of HMAC and asymmetric keys.
 *
 * The record's `metadata` holds AWS KeyMetadata fields with times in
 * milliseconds; `extra` holds the rotation schedule, import commitment and grants.
 */
import { Aes256Gcm } from "../engine/index.js";
import type { KeyRecord, KeyVersionRecord } from "../store/key-store.js";
import type { GrantRecord } from "./grant-rules.js";
import { blobAad, blobHeader } from "./ciphertext-blob.js";
import { encodeEncryptionContext } from "./encryption-context.js";
import { uuidToBytes } from "./key-id.js";
import type { RootKey } from "./key-material.js";
import type { ExpirationModel, KeySpec, KeyState, KeyUsage, OriginType } from "./types.js";

/** KeyMetadata as stored: what cannot be derived, times in ms since the epoch. */
export interface StoredKeyMetadata {
  AWSAccountId: string;
  KeyId: string;
  Arn: string;
  CreationDate: number;
  Description: string;
  KeySpec: KeySpec;
  KeyUsage: KeyUsage;
  Origin: OriginType;
  KeyState: KeyState;
  DeletionDate?: number;
  PendingDeletionWindowInDays?: number;
  ValidTo?: number;
  ExpirationModel?: ExpirationModel;
}

export interface KeyExtra {
  /** Present while automatic rotation is enabled. */
  rotation?: { periodDays: number; next: number };
  /** RotateKeyOnDemand calls so far. */
  onDemandRotations?: number;
  /** Commitment to the imported material (RootKey.commitment), kept when the material is deleted. */
  importCommitment?: Uint8Array;
  /** Wrapping keys of outstanding import tokens, by token id: sealed PKCS #8 and expiry (ms). */
  importWrappingKeys?: Record<string, { validTo: number; sealed: Uint8Array }>;
  /** The key's grants, oldest first. */
  grants?: GrantRecord[];
}

export type VersionOrigin = "CREATE" | "IMPORT" | "AUTOMATIC" | "ON_DEMAND";

/** A symmetric key version ready to seal and open blobs. */
export interface SymmetricVersion {
  readonly version: number;
  readonly gcm: Aes256Gcm;
  /** The 21-byte blob header of this version. */
  readonly header: Uint8Array;
  /** header ‖ encoding of the empty context: the AAD of messages without a context. */
  readonly emptyContextAad: Uint8Array;
}

export class KeyEntry {
  readonly record: KeyRecord;
  readonly id: string;
  readonly arn: string;
  readonly idBytes: Uint8Array;
  /** Earliest clock time at which housekeeping (deletion, expiry, rotation) has work on this key. */
  nextEventAt = Number.POSITIVE_INFINITY;
  #symmetric = new Map<number, SymmetricVersion>();
  #current: SymmetricVersion | undefined;
  #material = new Map<number, Uint8Array>();

  constructor(record: KeyRecord) {
    this.record = record;
    this.id = record.keyId;
    this.idBytes = uuidToBytes(record.keyId);
    this.arn = (record.metadata as unknown as StoredKeyMetadata).Arn;
    this.changed();
  }

  get meta(): StoredKeyMetadata {
    return this.record.metadata as unknown as StoredKeyMetadata;
  }

  get extra(): KeyExtra {
    return this.record.extra as KeyExtra;
  }

  get state(): KeyState {
    return this.meta.KeyState;
  }

  get spec(): KeySpec {
    return this.meta.KeySpec;
  }

  /** The newest version (the one Encrypt uses), or undefined when the key has no material. */
  get newestVersion(): KeyVersionRecord | undefined {
    const v = this.record.versions;
    return v.length === 0 ? undefined : v[v.length - 1];
  }

  version(n: number): KeyVersionRecord | undefined {
    for (const v of this.record.versions) if (v.version === n) return v;
    return undefined;
  }

  /** The newest symmetric version, ready to seal. */
  current(root: RootKey): SymmetricVersion | undefined {
    if (this.#current) return this.#current;
    const newest = this.newestVersion;
    if (!newest) return undefined;
    this.#current = this.symmetric(root, newest.version);
    return this.#current;
  }

  /** Symmetric version `n`, unwrapped on first use; undefined when the key has no such version. */
  symmetric(root: RootKey, n: number): SymmetricVersion | undefined {
    const cached = this.#symmetric.get(n);
    if (cached) return cached;
    const material = this.#unwrap(root, n);
    if (!material) return undefined;
    const gcm = new Aes256Gcm(material);
    material.fill(0);
    const header = blobHeader(this.idBytes, n);
    const v: SymmetricVersion = { version: n, gcm, header, emptyContextAad: blobAad(header, encodeEncryptionContext(undefined)) };
    this.#symmetric.set(n, v);
    return v;
  }

  /** Unwrapped material of version `n` (HMAC key bytes, PKCS #8 private keys), cached. */
  material(root: RootKey, n: number): Uint8Array | undefined {
    const cached = this.#material.get(n);
    if (cached) return cached;
    const material = this.#unwrap(root, n);
    if (material) this.#material.set(n, material);
    return material;
  }

  #unwrap(root: RootKey, n: number): Uint8Array | undefined {
    const record = this.version(n);
    return record && root.unwrapMaterial(this.idBytes, n, record.wrapped, this.arn);
  }

  /**
   * Call after every change to the record: recomputes when housekeeping is next
   * due and drops cached material of versions the record no longer has.
   */
  changed(): void {
    const m = this.meta;
    let next = Number.POSITIVE_INFINITY;
    if (m.KeyState === "PendingDeletion" && m.DeletionDate !== undefined) next = m.DeletionDate;
    if (m.ValidTo !== undefined) next = Math.min(next, m.ValidTo);
    const rotation = this.extra.rotation;
    if (rotation && m.KeyState === "Enabled") next = Math.min(next, rotation.next);
    this.nextEventAt = next;
    const present = new Set(this.record.versions.map((v) => v.version));
    for (const [n, v] of this.#symmetric) {
      if (!present.has(n)) {
        v.gcm.destroy();
        this.#symmetric.delete(n);
      }
    }
    for (const [n, bytes] of this.#material) {
      if (!present.has(n)) {
        bytes.fill(0);
        this.#material.delete(n);
      }
    }
    this.#current = undefined;
  }

  /** Wipes every cached key (the entry is being dropped from the cache or the key deleted). */
  forget(): void {
    for (const v of this.#symmetric.values()) v.gcm.destroy();
    for (const bytes of this.#material.values()) bytes.fill(0);
    this.#symmetric.clear();
    this.#material.clear();
    this.#current = undefined;
  }
}
