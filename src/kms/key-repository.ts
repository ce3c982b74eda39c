/**
 * The Kms's view of its KeyStore: a cache of parsed keys (KeyEntry) and
 * aliases in front of the store, kept coherent by routing every write through
 * `write(fn)`, which runs `fn` in one store transaction. The cache is updated
 * as the writes happen; if the transaction fails, every key and alias it
 * touched is evicted, so the next read reloads the committed state.
 *
 * The cache assumes this Kms is the only writer of its store while it is open
 * (one process, one Kms per store).
 */
import type { AliasRecord, KeyRecord, KeyStore } from "../store/key-store.js";
import { KeyEntry } from "./key-entry.js";

const NO_ALIASES: readonly string[] = Object.freeze([]);

export class KeyRepository {
  readonly store: KeyStore;
  readonly #keys = new Map<string, KeyEntry>();
  readonly #aliases = new Map<string, AliasRecord>();
  #depth = 0;
  readonly #touchedKeys = new Set<string>();
  readonly #touchedAliases = new Set<string>();
  /** Entries removed from the cache during the current write; their keys are wiped when it ends. */
  readonly #dropped: KeyEntry[] = [];
  /** Key id → names of its aliases (kms:ResourceAliases), built on first use and dropped on every alias change. */
  #aliasNames: Map<string, readonly string[]> | undefined;

  constructor(store: KeyStore) {
    this.store = store;
  }

  /** The key with this id, or undefined. */
  get(keyId: string): KeyEntry | undefined {
    const cached = this.#keys.get(keyId);
    if (cached) return cached;
    const record = this.store.getKey(keyId);
    if (!record) return undefined;
    const entry = new KeyEntry(record);
    this.#keys.set(keyId, entry);
    return entry;
  }

  /** All key ids, ascending. */
  keyIds(): string[] {
    return this.store.listKeyIds();
  }

  alias(aliasName: string): AliasRecord | undefined {
    const cached = this.#aliases.get(aliasName);
    if (cached) return cached;
    const record = this.store.getAlias(aliasName);
    if (record) this.#aliases.set(aliasName, record);
    return record;
  }

  /** All aliases, by name. */
  aliases(): AliasRecord[] {
    return this.store.listAliases();
  }

  /** Names of the aliases that point to a key, sorted (an empty list when none). Callers must not modify it. */
  aliasNames(keyId: string): readonly string[] {
    if (!this.#aliasNames) {
      const index = new Map<string, string[]>();
      for (const a of this.store.listAliases()) {
        const names = index.get(a.targetKeyId);
        if (names) names.push(a.aliasName);
        else index.set(a.targetKeyId, [a.aliasName]);
      }
      this.#aliasNames = index;
    }
    return this.#aliasNames.get(keyId) ?? NO_ALIASES;
  }

  /** Runs fn in one store transaction (nested calls join the outer one). */
  write<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.#depth = 1;
    try {
      return this.store.transaction(fn);
    } catch (err) {
      for (const id of this.#touchedKeys) {
        this.#keys.get(id)?.forget();
        this.#keys.delete(id);
      }
      for (const name of this.#touchedAliases) this.#aliases.delete(name);
      if (this.#touchedAliases.size > 0) this.#aliasNames = undefined;
      throw err;
    } finally {
      this.#depth = 0;
      this.#touchedKeys.clear();
      this.#touchedAliases.clear();
      for (const entry of this.#dropped) entry.forget();
      this.#dropped.length = 0;
    }
  }

  #assertWriting(what: string): void {
    if (this.#depth === 0) throw new Error(`KeyRepository.${what} outside write()`);
  }

  /** Adds a new key. */
  insert(record: KeyRecord): KeyEntry {
    this.#assertWriting("insert");
    this.store.putKey(record);
    const entry = new KeyEntry(record);
    this.#keys.set(record.keyId, entry);
    this.#touchedKeys.add(record.keyId);
    return entry;
  }

  /**
   * Changes a key: `mutate` edits the entry's record in place, then the record is
   * stored. The entry is marked first, so a failure anywhere in the enclosing
   * write() evicts it rather than leaving a half-changed record in the cache.
   */
  update(entry: KeyEntry, mutate: (entry: KeyEntry) => void): void {
    this.#assertWriting("update");
    this.#touchedKeys.add(entry.id);
    mutate(entry);
    this.store.putKey(entry.record);
    entry.changed();
  }

  /** Deletes a key and every alias that points to it. */
  delete(entry: KeyEntry): void {
    this.#assertWriting("delete");
    for (const alias of this.store.listAliases()) {
      if (alias.targetKeyId === entry.id) this.deleteAlias(alias.aliasName);
    }
    this.store.deleteKey(entry.id);
    this.#keys.delete(entry.id);
    this.#touchedKeys.add(entry.id);
    this.#dropped.push(entry);
  }

  putAlias(record: AliasRecord): void {
    this.#assertWriting("putAlias");
    this.store.putAlias(record);
    this.#aliases.set(record.aliasName, record);
    this.#touchedAliases.add(record.aliasName);
    this.#aliasNames = undefined;
  }

  deleteAlias(aliasName: string): void {
    this.#assertWriting("deleteAlias");
    this.store.deleteAlias(aliasName);
    this.#aliases.delete(aliasName);
    this.#touchedAliases.add(aliasName);
    this.#aliasNames = undefined;
  }

  /** Wipes every cached key. */
  clear(): void {
    for (const entry of this.#keys.values()) entry.forget();
    this.#keys.clear();
    this.#aliases.clear();
    this.#aliasNames = undefined;
  }
}
