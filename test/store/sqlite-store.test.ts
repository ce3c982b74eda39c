import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

describe("SqliteKeyStore", () => {
  const open = closedAfterEach((path: string, options?: SqliteKeyStoreOptions) => new SqliteKeyStore(path, options));

  function fill(store: SqliteKeyStore) {
    store.transaction(() => {
      store.putKey(keyRecord("k1", 3, { publicKey: Uint8Array.of(1, 2, 3) }));
      store.putKey(keyRecord("k2"));
      store.putAlias(aliasRecord("alias/one", "k1"));
      store.putMeta("root-check", Uint8Array.of(9, 8, 7));
    });
  }
  function expectFilled(store: SqliteKeyStore) {
    expect(store.listKeyIds()).toEqual(["k1", "k2"]);
    expect(store.getKey("k1")).toEqual(keyRecord("k1", 3, { publicKey: Uint8Array.of(1, 2, 3) }));
    expect(store.getKey("k2")).toEqual(keyRecord("k2"));
    expect(store.listAliases()).toEqual([aliasRecord("alias/one", "k1")]);
    expect(store.getMeta("root-check")).toEqual(Uint8Array.of(9, 8, 7));
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
      expect(tables).toEqual(["aliases", "keys", "meta", "schema_version"]);
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
    live.transaction(() => live.putKey(keyRecord("k3", 2)));
    expect(() =>
      live.transaction(() => {
        live.putKey(keyRecord("k4"));
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
