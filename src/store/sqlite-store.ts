/**
 * SqliteKeyStore: a KeyStore in one SQLite file (Node only, better-sqlite3).
 *
 * - WAL journal; `transaction(fn)` is one SQLite transaction (BEGIN IMMEDIATE …
 *   COMMIT), nested calls are savepoints, so an inner throw undoes only the
 *   inner writes. A process killed at any moment leaves either all or none of
 *   a transaction's writes, and SQLite replays the WAL on the next open. The
 *   WAL is checkpointed small and often (WAL_CHECKPOINT_PAGES).
 * - `synchronous = FULL` by default: a transaction that returned survives power
 *   loss too, not only a killed process. Wrapped key material that is lost
 *   takes every ciphertext under it along, so this is the default; "NORMAL"
 *   is faster and still safe against a killed process.
 * - Tables: `schema_version` (one row), `keys` (key id → record as JSON),
 *   `aliases` (alias name → target key id, record as JSON), `meta` (name →
 *   BLOB), `audit` (rowid = sequence + 1 → line; schema 2). JSON encoding:
 *   sqlite-json.ts. A file of an older schema is brought up to date when
 *   opened, in one transaction.
 * - A read cache of parsed records (and of the audit line count) makes
 *   repeated reads cost what MemoryKeyStore's do. It is filled on reads, updated by this store's own
 *   writes and dropped whenever a transaction throws. It is only right while
 *   no one else writes the file, so by default the store takes the file for
 *   itself (`locking_mode = EXCLUSIVE`: a second opener, in this process or
 *   another, fails). `{ shared: true }` on every opener lets several share the
 *   file, without the cache.
 * - The file is created 0600 in a directory created 0700 (it holds wrapped
 *   key material; the WAL takes the file's permissions).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { AliasRecord, KeyRecord } from "./key-store.js";
import { recordFromJson, recordToJson } from "./sqlite-json.js";
import { SqliteAuditTable } from "./sqlite-audit.js";
import { type RecordTable, TableKeyStore } from "./table-key-store.js";

export interface SqliteKeyStoreOptions {
  /**
   * Let other connections (other SqliteKeyStores, other processes, the sqlite3
   * shell) open the file at the same time. Turns the read cache off, since
   * their writes would not reach it. Default false.
   */
  shared?: boolean;
  /** SQLite `synchronous` setting. Default "FULL". */
  synchronous?: "FULL" | "NORMAL";
  /** How long to wait for another connection's lock, in ms. Default 5000. */
  timeout?: number;
  /**
   * Audit lines appended outside a transaction (the records of calls that
   * changed nothing) are written this many at a time: when that many are
   * waiting, before the next transaction, and at close(). A crash loses the
   * ones not yet written (at most auditBatch − 1, all newer than any written
   * line, so the chain stays whole). Lines appended inside a transaction are
   * always written with it. Default 1: every line is written as appended.
   */
  auditBatch?: number;
}

/**
 * WAL pages after which a commit copies the WAL into the database file (a
 * checkpoint, with its fsyncs, inside that commit). SQLite's default is 1000
 * (4 MiB); a quarter of that, about three batches of audit lines, cost the
 * same or less in total and cut the longest commits from tens of ms (at
 * times over 100 ms on a busy disk) to a few: a commit blocks the event loop
 * and every request waiting on it.
 */
const WAL_CHECKPOINT_PAGES = 256;

/** The schema this code reads and writes. */
export const SQLITE_SCHEMA_VERSION = 2;

/** The first schema; a new file gets it and then every migration, so new and migrated files match. */
const SCHEMA_V1 = `
  CREATE TABLE schema_version (version INTEGER NOT NULL);
  CREATE TABLE keys (key_id TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE aliases (
    alias_name TEXT PRIMARY KEY,
    target_key_id TEXT NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX aliases_by_target ON aliases (target_key_id);
  CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
  INSERT INTO schema_version (version) VALUES (1);
`;

/** Migrations: MIGRATIONS[v] takes a file from schema v to v + 1. */
const MIGRATIONS: Record<number, string> = {
  // 2: the audit log. Rows are appended with rowid = max + 1 (no AUTOINCREMENT),
  // so a rolled-back append leaves no gap: line n is rowid n + 1.
  1: `
    CREATE TABLE audit (sequence INTEGER PRIMARY KEY, line TEXT NOT NULL);
    UPDATE schema_version SET version = 2;
  `,
};

/** How one kind of record maps onto a table's columns. */
interface TableLayout<V> {
  table: string;
  nameColumn: string;
  valueColumns: string[];
  toRow(value: V): unknown[];
  fromRow(row: unknown[]): V;
}

const keysLayout: TableLayout<KeyRecord> = {
  table: "keys",
  nameColumn: "key_id",
  valueColumns: ["record"],
  toRow: (record) => [recordToJson(record)],
  fromRow: ([json]) => recordFromJson(json as string),
};

const aliasesLayout: TableLayout<AliasRecord> = {
  table: "aliases",
  nameColumn: "alias_name",
  valueColumns: ["target_key_id", "record"],
  toRow: (record) => [record.targetKeyId, recordToJson(record)],
  fromRow: ([, json]) => recordFromJson(json as string),
};

const metaLayout: TableLayout<Uint8Array> = {
  table: "meta",
  nameColumn: "name",
  valueColumns: ["value"],
  toRow: (value) => [value],
  fromRow: ([blob]) => new Uint8Array(blob as Uint8Array),
};

class SqliteTable<V> implements RecordTable<V> {
  readonly #layout: TableLayout<V>;
  readonly #cache: Map<string, V> | undefined;
  readonly #get: Database.Statement<[string], unknown[]>;
  readonly #set: Database.Statement<unknown[]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #names: Database.Statement<[], string>;
  readonly #all: Database.Statement<[], unknown[]>;

  constructor(db: Database.Database, layout: TableLayout<V>, cache: boolean) {
    const { table, nameColumn: name, valueColumns: cols } = layout;
    this.#layout = layout;
    this.#cache = cache ? new Map() : undefined;
    this.#get = db.prepare<[string], unknown[]>(`SELECT ${cols} FROM ${table} WHERE ${name} = ?`).raw();
    this.#set = db.prepare(`INSERT OR REPLACE INTO ${table} (${name}, ${cols}) VALUES (?${", ?".repeat(cols.length)})`);
    this.#delete = db.prepare(`DELETE FROM ${table} WHERE ${name} = ?`);
    this.#names = db.prepare<[], string>(`SELECT ${name} FROM ${table}`).pluck();
    this.#all = db.prepare<[], unknown[]>(`SELECT ${name}, ${cols} FROM ${table}`).raw();
  }

  get(name: string): V | undefined {
    const cached = this.#cache?.get(name);
    if (cached !== undefined) return cached;
    const row = this.#get.get(name);
    if (row === undefined) return undefined;
    const value = this.#layout.fromRow(row);
    this.#cache?.set(name, value);
    return value;
  }

  set(name: string, value: V): void {
    this.#set.run(name, ...this.#layout.toRow(value));
    this.#cache?.set(name, value);
  }

  delete(name: string): void {
    this.#delete.run(name);
    this.#cache?.delete(name);
  }

  sortedNames(): string[] {
    return this.#names.all().sort();
  }

  sortedValues(): V[] {
    const rows = this.#all.all().map((row) => [row[0] as string, row] as const);
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return rows.map(([name, row]) => this.#cache?.get(name) ?? this.#layout.fromRow(row.slice(1)));
  }

  dropCache(): void {
    this.#cache?.clear();
  }
}

export class SqliteKeyStore extends TableKeyStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #tables: { dropCache(): void }[];
  readonly #audit: SqliteAuditTable;
  readonly #run: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(path: string, options: SqliteKeyStoreOptions = {}) {
    const db = openDatabase(path, options);
    const cache = !options.shared;
    const keys = new SqliteTable(db, keysLayout, cache);
    const aliases = new SqliteTable(db, aliasesLayout, cache);
    const meta = new SqliteTable(db, metaLayout, cache);
    const audit = new SqliteAuditTable(db, cache, options.auditBatch ?? 1);
    super(keys, aliases, meta, audit);
    this.path = path;
    this.#db = db;
    this.#tables = [keys, aliases, meta, audit];
    this.#audit = audit;
    this.#run = db.transaction((fn: () => unknown) => fn());
  }

  transaction<T>(fn: () => T): T {
    this.assertOpen();
    // Waiting audit lines are older than anything fn may append: written first, on their own.
    if (!this.#db.inTransaction) this.#audit.flush();
    try {
      return this.#run.immediate(fn) as T;
    } catch (error) {
      // Some writes of fn (or all, if COMMIT itself failed) did not happen.
      for (const table of this.#tables) table.dropCache();
      throw error;
    }
  }

  /**
   * Writes audit lines that are waiting for their batch (see auditBatch) now.
   * Does nothing inside a transaction or after close().
   */
  flushAudit(): void {
    if (this.#db.open && !this.#db.inTransaction) this.#audit.flush();
  }

  /** Checkpoints the WAL into the database file and closes it. Calling it again does nothing. */
  close(): void {
    if (this.#db.open && this.#db.inTransaction) throw new Error("SqliteKeyStore: close() inside a transaction");
    if (this.#db.open) this.#audit.flush();
    if (!this.markClosed()) return;
    for (const table of this.#tables) table.dropCache();
    try {
      this.#db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      this.#db.close();
    }
  }
}

/** Opens (creating if need be) the file, sets it up and brings the schema up to date. */
function openDatabase(path: string, options: SqliteKeyStoreOptions): Database.Database {
  const inMemory = path === ":memory:" || path === "";
  if (!inMemory) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, "a", 0o600));
  }
  const db = new Database(path, { timeout: options.timeout ?? 5000 });
  try {
    if (!options.shared) db.pragma("locking_mode = EXCLUSIVE");
    const journal = db.pragma("journal_mode = WAL", { simple: true });
    if (!inMemory && journal !== "wal") throw new Error(`could not switch to WAL (journal_mode is ${journal})`);
    const synchronous = options.synchronous ?? "FULL";
    if (synchronous !== "FULL" && synchronous !== "NORMAL") throw new Error(`unknown synchronous setting ${synchronous}`);
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.transaction(() => migrate(db)).immediate();
    return db;
  } catch (error) {
    db.close();
    const message = error instanceof Error ? error.message : String(error);
    const busy = (error as { code?: string }).code === "SQLITE_BUSY";
    throw new Error(
      busy
        ? `SqliteKeyStore: ${path} is in use by another connection (a SqliteKeyStore keeps its file ` +
            "to itself unless every opener passes { shared: true })"
        : `SqliteKeyStore: cannot open ${path}: ${message}`,
      { cause: error },
    );
  }
}

function migrate(db: Database.Database): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (!tables.includes("schema_version")) {
    if (tables.length > 0) throw new Error("the file is an SQLite database but not a wasmkms key store");
    db.exec(SCHEMA_V1);
  }
  const readVersion = () => db.prepare("SELECT max(version) FROM schema_version").pluck().get() as number | null;
  let version = readVersion();
  while (version !== null && version < SQLITE_SCHEMA_VERSION && MIGRATIONS[version] !== undefined) {
    db.exec(MIGRATIONS[version]);
    version = readVersion();
  }
  if (version !== SQLITE_SCHEMA_VERSION) {
    throw new Error(
      version !== null && version > SQLITE_SCHEMA_VERSION
        ? `its schema version ${version} is newer than this wasmkms supports (${SQLITE_SCHEMA_VERSION})`
        : `unknown schema version ${version}`,
    );
  }
}
