/**
 * The part of a KeyStore that does not depend on where records live: input
 * checks, copies in and out, sorted listings and the closed state. A store
 * supplies three name → record tables, a table of audit lines, and its own
 * `transaction` and `close`; MemoryKeyStore and SqliteKeyStore both do, so
 * they behave alike by construction.
 */
import type { AliasRecord, KeyRecord, KeyStore } from "./key-store.js";
import { copyAliasRecordIn, copyKeyRecord, copyKeyRecordIn, copyOut } from "./record-copy.js";

/**
 * Where a store keeps one kind of record. Values going in and coming out are
 * the store's private copies (already checked and copied by TableKeyStore):
 * a table must not hand them to anyone else.
 */
export interface RecordTable<V> {
  get(name: string): V | undefined;
  set(name: string, value: V): void;
  delete(name: string): void;
  /** Every name, ascending in UTF-16 code-unit order (JS's default sort); a fresh array. */
  sortedNames(): string[];
  /** Every value, in the order of `sortedNames()`. */
  sortedValues(): V[];
}

/** Where a store keeps its audit lines: numbered 0, 1, 2, … in append order. */
export interface AuditTable {
  append(line: string): void;
  /** Lines `from` … `from + limit - 1` (those that exist), a fresh array. */
  read(from: number, limit: number): string[];
  /** The number the next line gets. */
  count(): number;
}

export abstract class TableKeyStore implements KeyStore {
  #closed = false;

  protected constructor(
    private readonly keys: RecordTable<KeyRecord>,
    private readonly aliases: RecordTable<AliasRecord>,
    private readonly meta: RecordTable<Uint8Array>,
    private readonly audit: AuditTable,
  ) {}

  abstract transaction<T>(fn: () => T): T;
  abstract close(): void;

  getKey(keyId: string): KeyRecord | undefined {
    this.assertOpen();
    const record = this.keys.get(keyId);
    return record === undefined ? undefined : copyKeyRecord(record);
  }

  putKey(record: KeyRecord): void {
    this.assertOpen();
    const stored = copyKeyRecordIn(record);
    this.keys.set(stored.keyId, stored);
  }

  deleteKey(keyId: string): void {
    this.assertOpen();
    this.keys.delete(keyId);
  }

  listKeyIds(): string[] {
    this.assertOpen();
    return this.keys.sortedNames();
  }

  getAlias(aliasName: string): AliasRecord | undefined {
    this.assertOpen();
    const record = this.aliases.get(aliasName);
    return record === undefined ? undefined : copyOut(record);
  }

  putAlias(record: AliasRecord): void {
    this.assertOpen();
    const stored = copyAliasRecordIn(record);
    this.aliases.set(stored.aliasName, stored);
  }

  deleteAlias(aliasName: string): void {
    this.assertOpen();
    this.aliases.delete(aliasName);
  }

  listAliases(): AliasRecord[] {
    this.assertOpen();
    return this.aliases.sortedValues().map(copyOut);
  }

  getMeta(name: string): Uint8Array | undefined {
    this.assertOpen();
    return this.meta.get(name)?.slice();
  }

  putMeta(name: string, value: Uint8Array): void {
    this.assertOpen();
    if (typeof name !== "string" || name === "") throw new TypeError("KeyStore.putMeta: name must be a non-empty string");
    if (!(value instanceof Uint8Array)) throw new TypeError(`KeyStore.putMeta: the value of ${name} is not a Uint8Array`);
    this.meta.set(name, new Uint8Array(value));
  }

  deleteMeta(name: string): void {
    this.assertOpen();
    this.meta.delete(name);
  }

  appendAudit(line: string): void {
    this.assertOpen();
    if (typeof line !== "string" || line === "") throw new TypeError("KeyStore.appendAudit: line must be a non-empty string");
    this.audit.append(line);
  }

  readAudit(fromSequence = 0, limit = Number.POSITIVE_INFINITY): string[] {
    this.assertOpen();
    if (!Number.isInteger(fromSequence) || fromSequence < 0) {
      throw new TypeError(`KeyStore.readAudit: fromSequence must be an integer ≥ 0, got ${fromSequence}`);
    }
    if (!(limit >= 0) || (limit !== Number.POSITIVE_INFINITY && !Number.isInteger(limit))) {
      throw new TypeError(`KeyStore.readAudit: limit must be an integer ≥ 0, got ${limit}`);
    }
    return limit === 0 ? [] : this.audit.read(fromSequence, limit);
  }

  auditCount(): number {
    this.assertOpen();
    return this.audit.count();
  }

  /** Throws if the store is closed. Subclasses call it at the top of `transaction`. */
  protected assertOpen(): void {
    if (this.#closed) throw new Error(`${this.constructor.name}: the store is closed`);
  }

  /** Makes every later call throw; returns false if the store was closed already. */
  protected markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }
}
