/**
 * Where a Kms keeps its state. Implementations: MemoryKeyStore (portable) and
 * SqliteKeyStore (Node, better-sqlite3, WAL).
 *
 * The interface is synchronous (better-sqlite3 is, and so is memory), and all
 * writes of one KMS operation happen inside one `transaction(fn)`: either every
 * write of `fn` is visible afterwards or none is, even if the process dies
 * mid-way. Records are plain JSON-compatible objects plus Uint8Array blobs; the
 * store hands out copies, so callers may not mutate what they got and expect
 * the store to change, nor change a stored record by mutating a copy.
 *
 * Key material never reaches a store in the clear: `KeyVersionRecord.wrapped`
 * is the material sealed under the root key by the Kms (AES-256-GCM with
 * AAD = key id ‖ version); the store cannot read it.
 */

/** One version of a key's backing material. */
export interface KeyVersionRecord {
  /** 1, 2, 3 … in creation order; Encrypt uses the highest. */
  version: number;
  /** Key material wrapped under the root key (see key-material wrapping in src/kms). */
  wrapped: Uint8Array;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** "AUTOMATIC" | "ON_DEMAND" for rotations, "CREATE" / "IMPORT" for the first version. */
  origin: string;
}

/** Everything about one KMS key. `metadata` mirrors AWS KeyMetadata (times in ms). */
export interface KeyRecord {
  keyId: string;
  metadata: Record<string, unknown>;
  versions: KeyVersionRecord[];
  /** Policy name ("default") → JSON document. */
  policies: Record<string, string>;
  tags: { TagKey: string; TagValue: string }[];
  /** Public key (DER SubjectPublicKeyInfo) for asymmetric keys. */
  publicKey?: Uint8Array;
  /** Anything else an operation needs to keep (rotation schedule, import state, …). */
  extra: Record<string, unknown>;
}

export interface AliasRecord {
  /** "alias/…" */
  aliasName: string;
  targetKeyId: string;
  creationDate: number;
  lastUpdatedDate: number;
}

export interface KeyStore {
  /** Runs fn atomically (nested calls join the outer transaction). Returns fn's result; rethrows and rolls back on error. */
  transaction<T>(fn: () => T): T;

  getKey(keyId: string): KeyRecord | undefined;
  putKey(record: KeyRecord): void;
  deleteKey(keyId: string): void;
  /** All key ids, sorted ascending (pagination is the Kms's business). */
  listKeyIds(): string[];

  getAlias(aliasName: string): AliasRecord | undefined;
  putAlias(record: AliasRecord): void;
  deleteAlias(aliasName: string): void;
  /** All aliases, sorted by name. */
  listAliases(): AliasRecord[];

  /** Small named values: the root-key check value, import tokens, counters. */
  getMeta(name: string): Uint8Array | undefined;
  putMeta(name: string, value: Uint8Array): void;
  deleteMeta(name: string): void;

  /**
   * The audit log (src/audit): an append-only list of text lines. Each line
   * gets the next sequence number (0, 1, 2, …) and is written as part of the
   * surrounding transaction: a rollback takes it back, and the next append
   * reuses its number. The store does not read the lines.
   */
  appendAudit(line: string): void;
  /** The lines numbered `fromSequence` (default 0) and on, oldest first, at most `limit` (default: all). */
  readAudit(fromSequence?: number, limit?: number): string[];
  /** The sequence number the next appended line gets: the number of lines. */
  auditCount(): number;

  /** Flushes and releases resources; later calls throw. */
  close(): void;
}
