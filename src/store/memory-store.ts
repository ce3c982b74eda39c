/**
 * MemoryKeyStore: a KeyStore in plain Maps, for tests, short-lived processes
 * and runtimes without a file system. Portable (no Node APIs). State lives
 * only as long as the object.
 *
 * Transactions keep an undo journal: every write inside one first records the
 * value it replaces, and a throw replays the journal backwards to where the
 * transaction began. A nested transaction marks its own starting point, so
 * when it throws only its writes are undone and the outer one may catch the
 * error and go on (the savepoint behaviour SqliteKeyStore gets from SQLite).
 * Audit lines live in an array; an append journals the length before it.
 */
import type { AliasRecord, KeyRecord } from "./key-store.js";
import { type AuditTable, type RecordTable, TableKeyStore } from "./table-key-store.js";

/** What a journal entry undoes: a table that can put back what a name held. */
interface Restorable {
  restore(name: string, prior: unknown): void;
}

interface UndoEntry {
  table: Restorable;
  name: string;
  /** The value before the write; undefined if the name was absent. (For audit lines: the line count before.) */
  prior: unknown;
}

/** The journal of the running transaction; `entries` is undefined outside one. */
interface Journal {
  entries: UndoEntry[] | undefined;
}

class MemoryTable<V> implements RecordTable<V>, Restorable {
  readonly #map = new Map<string, V>();
  readonly #journal: Journal;
  /** sortedNames() result, kept until a name is added or removed. */
  #sorted: string[] | undefined;

  constructor(journal: Journal) {
    this.#journal = journal;
  }

  get(name: string): V | undefined {
    return this.#map.get(name);
  }

  set(name: string, value: V): void {
    this.#record(name);
    this.restore(name, value);
  }

  delete(name: string): void {
    if (!this.#map.has(name)) return;
    this.#record(name);
    this.restore(name, undefined);
  }

  sortedNames(): string[] {
    this.#sorted ??= [...this.#map.keys()].sort();
    return this.#sorted.slice();
  }

  sortedValues(): V[] {
    return this.sortedNames().map((name) => this.#map.get(name)!);
  }

  /** Sets or (for undefined) removes a value without journaling it. */
  restore(name: string, value: V | undefined): void {
    if (value === undefined) {
      if (this.#map.delete(name)) this.#sorted = undefined;
    } else {
      if (!this.#map.has(name)) this.#sorted = undefined;
      this.#map.set(name, value);
    }
  }

  clear(): void {
    this.#map.clear();
    this.#sorted = undefined;
  }

  #record(name: string): void {
    this.#journal.entries?.push({ table: this, name, prior: this.#map.get(name) });
  }
}

/** Audit lines in an array; an append inside a transaction journals the length before it. */
class MemoryAuditLines implements AuditTable, Restorable {
  readonly #lines: string[] = [];
  readonly #journal: Journal;

  constructor(journal: Journal) {
    this.#journal = journal;
  }

  append(line: string): void {
    this.#journal.entries?.push({ table: this, name: "", prior: this.#lines.length });
    this.#lines.push(line);
  }

  read(from: number, limit: number): string[] {
    return this.#lines.slice(from, from + limit);
  }

  count(): number {
    return this.#lines.length;
  }

  restore(_name: string, prior: unknown): void {
    this.#lines.length = prior as number;
  }

  clear(): void {
    this.#lines.length = 0;
  }
}

export class MemoryKeyStore extends TableKeyStore {
  readonly #journal: Journal;
  readonly #tables: { clear(): void }[];

  constructor() {
    const journal: Journal = { entries: undefined };
    const keys = new MemoryTable<KeyRecord>(journal);
    const aliases = new MemoryTable<AliasRecord>(journal);
    const meta = new MemoryTable<Uint8Array>(journal);
    const audit = new MemoryAuditLines(journal);
    super(keys, aliases, meta, audit);
    this.#journal = journal;
    this.#tables = [keys, aliases, meta, audit];
  }

  transaction<T>(fn: () => T): T {
    this.assertOpen();
    const outermost = this.#journal.entries === undefined;
    const entries = (this.#journal.entries ??= []);
    const start = entries.length;
    try {
      const result = fn();
      if (isThenable(result)) {
        throw new TypeError("KeyStore.transaction: fn returned a promise; transactions are synchronous");
      }
      return result;
    } catch (error) {
      for (let i = entries.length - 1; i >= start; i--) entries[i].table.restore(entries[i].name, entries[i].prior);
      entries.length = start;
      throw error;
    } finally {
      if (outermost) this.#journal.entries = undefined;
    }
  }

  close(): void {
    if (this.#journal.entries !== undefined) throw new Error("MemoryKeyStore: close() inside a transaction");
    if (this.markClosed()) for (const table of this.#tables) table.clear();
  }
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
