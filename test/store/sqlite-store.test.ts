import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteKeyStore, type SqliteKeyStoreOptions, SQLITE_SCHEMA_VERSION } from "../../src/store/sqlite-store.js";
import { keyStoreConformance } from "./conformance.js";
import { aliasRecord, closedAfterEach, keyRecord } from "./fixtures.js";

const root = mkdtempSync(join(tmpdir(), "wasmkms-sqlite-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(root, `db-${++counter}`, "keys.sqlite");

keyStoreConformance("SqliteKeyStore", () => new SqliteKeyStore(freshPath()));
keyStoreConformance("SqliteKeyStore (shared, uncached)", () => new SqliteKeyStore(freshPath(), { shared: true }));
keyStoreConformance("SqliteKeyStore (audit lines in batches of 3)", () => new SqliteKeyStore(freshPath(), { auditBatch: 3 }));

describe("SqliteKeyStore", () => {
  const open = closedAfterEach((path: string, options?: SqliteKeyStoreOptions) => new SqliteKeyStore(path, options));

  function fill(store: SqliteKeyStore) {
    store.transaction(() => {
      store.putKey(keyRecord("k1", 3, { publicKey: Uint8Array.of(1, 2, 3) }));
      store.putKey(keyRecord("k2"));
      store.putAlias(aliasRecord("alias/one", "k1"));
      store.putMeta("root-check", Uint8Array.of(9, 8, 7));
      store.appendAudit("audit 0");
      store.appendAudit("audit 1");
    });
  }
  function expectFilled(store: SqliteKeyStore) {
    expect(store.listKeyIds()).toEqual(["k1", "k2"]);
    expect(store.getKey("k1")).toEqual(keyRecord("k1", 3, { publicKey: Uint8Array.of(1, 2, 3) }));
    expect(store.getKey("k2")).toEqual(keyRecord("k2"));
    expect(store.listAliases()).toEqual([aliasRecord("alias/one", "k1")]);
    expect(store.getMeta("root-check")).toEqual(Uint8Array.of(9, 8, 7));
    expect(store.readAudit()).toEqual(["audit 0", "audit 1"]);
    expect(store.auditCount()).toBe(2);
  }

  it("creates missing directories, a 0600 file in WAL mode and the schema", () => {
    const path = freshPath();
    const store = open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    store.putMeta("m", Uint8Array.of(1));
    store.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.prepare("SELECT version FROM schema_version").pluck().all()).toEqual([SQLITE_SCHEMA_VERSION]);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(["aliases", "audit", "keys", "meta", "schema_version"]);
    } finally {
      db.close();
    }
  });

  it("keeps everything across close and reopen", () => {
    const path = freshPath();
    const first = open(path);
    fill(first);
    first.close();
    expect(existsSync(`${path}-wal`)).toBe(false); // close() checkpointed the WAL into the file
    expectFilled(open(path));
  });

  it("recovers committed transactions from the WAL of a process that never closed", () => {
    const path = freshPath();
    const live = open(path);
    fill(live);
    live.transaction(() => {
      live.putKey(keyRecord("k3", 2));
      live.appendAudit("audit k3");
    });
    expect(() =>
      live.transaction(() => {
        live.putKey(keyRecord("k4"));
        live.appendAudit("audit k4");
        throw new Error("abort");
      }),
    ).toThrow("abort");
    // Copying the file and its WAL while the store is open is what a crash leaves behind.
    const crashed = join(root, `crash-${++counter}`);
    const copy = join(crashed, "keys.sqlite");
    mkdirSync(crashed);
    copyFileSync(path, copy);
    copyFileSync(`${path}-wal`, `${copy}-wal`);
    expect(statSync(`${copy}-wal`).size).toBeGreaterThan(0);
    const recovered = open(copy);
    expect(recovered.listKeyIds()).toEqual(["k1", "k2", "k3"]);
    expect(recovered.getKey("k3")).toEqual(keyRecord("k3", 2));
    expect(recovered.getMeta("root-check")).toEqual(Uint8Array.of(9, 8, 7));
    expect(recovered.readAudit()).toEqual(["audit 0", "audit 1", "audit k3"]);
  });

  it("keeps the file to itself unless every opener shares it", () => {
    const path = freshPath();
    const owner = open(path);
    owner.putMeta("m", Uint8Array.of(1));
    expect(() => new SqliteKeyStore(path, { timeout: 50 })).toThrow(/in use by another connection/);
    expect(() => new SqliteKeyStore(path, { timeout: 50, shared: true })).toThrow(/in use/);
    owner.close();

    const a = open(path, { shared: true });
    const b = open(path, { shared: true });
    expect(b.getMeta("m")).toEqual(Uint8Array.of(1));
    a.putKey(keyRecord("k1"));
    expect(b.getKey("k1")).toEqual(keyRecord("k1"));
    b.putKey(keyRecord("k1", 2));
    expect(a.getKey("k1")?.versions).toHaveLength(2); // no stale cache in shared mode
    a.appendAudit("from a");
    expect(b.auditCount()).toBe(1);
    b.appendAudit("from b");
    expect(a.auditCount()).toBe(2);
    expect(a.readAudit()).toEqual(["from a", "from b"]);
  });

  it("writes audit lines appended outside transactions in batches, and all of them by close()", () => {
    const path = freshPath();
    const store = open(path, { auditBatch: 3 });
    const written = () => {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        return db.prepare("SELECT line FROM audit ORDER BY sequence").pluck().all();
      } finally {
        db.close();
      }
    };
    store.close();
    // Shared, so that the test can look into the file while the store has it open.
    const batched = open(path, { auditBatch: 3, shared: true });
    batched.appendAudit("a");
    batched.appendAudit("b");
    expect(batched.auditCount()).toBe(2);
    expect(batched.readAudit()).toEqual(["a", "b"]);
    expect(batched.readAudit(1, 5)).toEqual(["b"]);
    expect(written()).toEqual([]);
    batched.appendAudit("c"); // the third: the batch is written
    expect(written()).toEqual(["a", "b", "c"]);
    batched.appendAudit("d");
    expect(written()).toEqual(["a", "b", "c"]);
    expect(batched.readAudit(2)).toEqual(["c", "d"]);
    // A transaction writes the waiting lines first, then its own with it.
    batched.transaction(() => {
      batched.putMeta("m", Uint8Array.of(1));
      batched.appendAudit("e");
    });
    expect(written()).toEqual(["a", "b", "c", "d", "e"]);
    batched.appendAudit("f");
    expect(() =>
      batched.transaction(() => {
        batched.appendAudit("lost");
        throw new Error("abort");
      }),
    ).toThrow("abort");
    expect(written()).toEqual(["a", "b", "c", "d", "e", "f"]);
    batched.appendAudit("g");
    batched.close();
    expect(written()).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect(() => new SqliteKeyStore(freshPath(), { auditBatch: 0 })).toThrow(/auditBatch/);
  });

  it("brings a schema 1 file up to date, keeping its records", () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    // A key store as wasmkms wrote it before the audit log (schema 1).
    const v1 = new Database(path);
    v1.pragma("journal_mode = WAL");
    v1.exec(`
      CREATE TABLE schema_version (version INTEGER NOT NULL);
      CREATE TABLE keys (key_id TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE aliases (alias_name TEXT PRIMARY KEY, target_key_id TEXT NOT NULL, record TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX aliases_by_target ON aliases (target_key_id);
      CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
      INSERT INTO schema_version (version) VALUES (1);
    `);
    v1.close();
    const writer = open(path);
    expect(writer.auditCount()).toBe(0);
    writer.transaction(() => {
      writer.putKey(keyRecord("k1"));
      writer.appendAudit("first");
    });
    writer.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare("SELECT version FROM schema_version").pluck().all()).toEqual([2]);
      expect(db.prepare("SELECT sequence, line FROM audit").raw().all()).toEqual([[1, "first"]]);
    } finally {
      db.close();
    }
    const reopened = open(path);
    expect(reopened.getKey("k1")).toEqual(keyRecord("k1"));
    expect(reopened.readAudit()).toEqual(["first"]);
  });

  it("refuses a database that is not a key store, or of a newer schema", () => {
    const foreign = freshPath();
    open(foreign).close();
    const db = new Database(foreign);
    db.exec("DROP TABLE schema_version");
    db.close();
    expect(() => new SqliteKeyStore(foreign)).toThrow(/not a wasmkms key store/);

    const newer = freshPath();
    open(newer).close();
    const db2 = new Database(newer);
    db2.exec(`UPDATE schema_version SET version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db2.close();
    expect(() => new SqliteKeyStore(newer)).toThrow(/newer than this wasmkms supports/);
    // A failed open leaves the file usable by others.
    new Database(newer).close();
  });

  it("refuses a file that is not an SQLite database", () => {
    const path = freshPath();
    open(path).close();
    writeFileSync(path, "not a database, just some text that is long enough to have a header ".repeat(10));
    expect(() => new SqliteKeyStore(path)).toThrow(/cannot open/);
  });

  it("serves repeated reads from its cache and still sees its own later writes", () => {
    const path = freshPath();
    const store = open(path);
    fill(store);
    const first = store.getKey("k1");
    store.putKey(keyRecord("k1", 4));
    expect(store.getKey("k1")?.versions).toHaveLength(4);
    store.deleteKey("k1");
    expect(store.getKey("k1")).toBeUndefined();
    expect(first?.versions).toHaveLength(3);
  });

  it("works on an in-memory database", () => {
    const store = open(":memory:");
    fill(store);
    expectFilled(store);
  });
});
