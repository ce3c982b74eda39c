/**
 * The audit log in a KeyStore: it survives reopening a SqliteKeyStore, its
 * records commit and roll back with the transaction around them, and the
 * chain goes on from what was committed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { AuditLog, storeAuditSink } from "../../src/audit/index.js";
import { ManualClock } from "../../src/clock.js";
import type { KeyStore } from "../../src/store/key-store.js";
import { MemoryKeyStore } from "../../src/store/memory-store.js";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import { keyRecord } from "../store/fixtures.js";
import { ARN_A, ARN_B, KEY_USER, T0, counterRandom, input } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "wasmkms-audit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const HOUR = 3_600_000;
const freshPath = () => join(dir, `db-${++counter}`, "keys.sqlite");

const opened: KeyStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});
function track<S extends KeyStore>(store: S): S {
  opened.push(store);
  return store;
}

const stores: [string, () => KeyStore][] = [
  ["MemoryKeyStore", () => track(new MemoryKeyStore())],
  ["SqliteKeyStore", () => track(new SqliteKeyStore(freshPath()))],
  ["SqliteKeyStore (shared)", () => track(new SqliteKeyStore(freshPath(), { shared: true }))],
  ["SqliteKeyStore (audit batches of 8)", () => track(new SqliteKeyStore(freshPath(), { auditBatch: 8 }))],
];

describe.each(stores)("audit log in a %s", (_name, makeStore) => {
  it("commits a record with the writes of its transaction", () => {
    const store = makeStore();
    const log = new AuditLog(storeAuditSink(store));
    store.transaction(() => {
      store.putKey(keyRecord("k1"));
      log.record(input({ operation: "CreateKey", readOnly: false }));
    });
    expect(store.auditCount()).toBe(1);
    expect(log.query()).toHaveLength(1);
    expect(log.verify()).toEqual({ ok: true, count: 1 });
  });

  it("loses a record with the rest of a transaction that rolls back, and chains on from the last committed one", () => {
    const store = makeStore();
    const log = new AuditLog(storeAuditSink(store), { random: counterRandom() });
    const first = log.record(input({}, 0));
    expect(() =>
      store.transaction(() => {
        store.putKey(keyRecord("k1"));
        log.record(input({ operation: "Decrypt", keyArns: [ARN_B] }, 1));
        log.record(input({ operation: "Decrypt", keyArns: [ARN_B] }, 2));
        throw new Error("the operation failed after recording");
      }),
    ).toThrow("failed");
    expect(store.getKey("k1")).toBeUndefined();
    expect(store.auditCount()).toBe(1);
    expect(log.size).toBe(1);
    expect(log.query({ keyId: ARN_B })).toEqual([]);
    expect(log.lastUse(ARN_B)).toBeUndefined();
    expect(log.lastUse(ARN_A)?.time).toEqual(new Date(first.eventTime));
    const next = log.record(input({ operation: "GenerateDataKey" }, 3));
    expect(next.sequence).toBe(1);
    expect(next.previousHash).toBe(first.hash);
    expect(log.verify()).toEqual({ ok: true, count: 2 });
    expect(log.query().map((e) => e.eventName)).toEqual(["Encrypt", "GenerateDataKey"]);
  });

  it("does not bill a key whose CreateKey record rolled back, nor stop billing on a rolled-back deletion", () => {
    const store = makeStore();
    const clock = new ManualClock(T0 + HOUR);
    const log = new AuditLog(storeAuditSink(store), { random: counterRandom(), clock });
    log.record(input({ operation: "CreateKey", keyArns: [ARN_A], readOnly: false }, 0));
    expect(() =>
      store.transaction(() => {
        log.record(input({ operation: "CreateKey", keyArns: [ARN_B], readOnly: false }, 1));
        log.record(input({ operation: "ScheduleKeyDeletion", keyArns: [ARN_A], readOnly: false }, 2));
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    const report = log.usage();
    expect(report.byKey[ARN_B]).toBeUndefined();
    expect(report.byKey[ARN_A].keyMonths).toBeCloseTo(1 / 730, 9);
  });

  it("loses only the records of a nested transaction that rolls back", () => {
    const store = makeStore();
    const log = new AuditLog(storeAuditSink(store), { random: counterRandom() });
    store.transaction(() => {
      log.record(input({ operation: "Encrypt" }, 0));
      expect(() =>
        store.transaction(() => {
          log.record(input({ operation: "Decrypt", principal: KEY_USER }, 1));
          throw new Error("inner");
        }),
      ).toThrow("inner");
      log.record(input({ operation: "GenerateDataKey" }, 2));
    });
    expect(log.query().map((e) => [e.sequence, e.eventName])).toEqual([
      [0, "Encrypt"],
      [1, "GenerateDataKey"],
    ]);
    expect(log.query({ principal: KEY_USER })).toEqual([]);
    expect(log.verify()).toEqual({ ok: true, count: 2 });
  });

  it("is read back by a new log on the same store", () => {
    const store = makeStore();
    const log = new AuditLog(storeAuditSink(store), { random: counterRandom() });
    for (let i = 0; i < 20; i++) log.record(input({ operation: i % 3 ? "Encrypt" : "Decrypt", keyArns: [i % 2 ? ARN_A : ARN_B] }, i));
    const again = new AuditLog(storeAuditSink(store));
    expect(again.query()).toEqual(log.query());
    expect(again.head()).toEqual(log.head());
    expect(again.lastUse(ARN_A)).toEqual(log.lastUse(ARN_A));
  });
});

describe("audit log in a SqliteKeyStore file", () => {
  it.each([1, 16])("survives closing and reopening the store, and goes on where it stopped (auditBatch %i)", (auditBatch) => {
    const path = freshPath();
    const first = new SqliteKeyStore(path, { auditBatch });
    const log = new AuditLog(storeAuditSink(first), { random: counterRandom() });
    const events = [
      log.record(input({ operation: "CreateKey", readOnly: false, request: { Description: "café ✓", Policy: '{"Version":"2012-10-17"}' } }, 0)),
      log.record(input({ operation: "Encrypt", request: { KeyId: ARN_A, EncryptionContext: { "ünï": "🔑" } } }, 1000)),
      log.record(input({ operation: "Decrypt", principal: KEY_USER, error: { name: "AccessDeniedException", message: "no" } }, 2000)),
    ];
    first.close();

    const second = track(new SqliteKeyStore(path));
    const reopened = new AuditLog(storeAuditSink(second), { random: counterRandom() });
    expect(reopened.verify()).toEqual({ ok: true, count: 3 });
    expect(reopened.query()).toEqual(events);
    expect(reopened.query({ errorCode: "AccessDeniedException" })).toEqual([events[2]]);
    expect(reopened.lastUse(ARN_A)).toMatchObject({ operation: "Encrypt", eventId: events[1].eventID });
    const next = reopened.record(input({ operation: "GenerateDataKey" }, 3000));
    expect(next).toMatchObject({ sequence: 3, previousHash: events[2].hash });
    expect(reopened.verify()).toEqual({ ok: true, count: 4 });
  });

  it("lets verify find rows changed or deleted in the file", () => {
    const path = freshPath();
    const store = new SqliteKeyStore(path);
    const log = new AuditLog(storeAuditSink(store));
    for (let i = 0; i < 6; i++) log.record(input({}, i));
    store.close();

    const db = new Database(path);
    db.prepare("UPDATE audit SET line = replace(line, '\"Encrypt\"', '\"Decrypt\"') WHERE sequence = 3").run();
    db.close();
    const tampered = track(new SqliteKeyStore(path));
    expect(new AuditLog(storeAuditSink(tampered)).verify()).toMatchObject({ ok: false, index: 2, reason: expect.stringMatching(/record 2 was modified/) });
    tampered.close();
    opened.length = 0;

    const db2 = new Database(path);
    db2.prepare("DELETE FROM audit WHERE sequence = 3").run();
    db2.prepare("UPDATE audit SET line = replace(line, '\"Decrypt\"', '\"Encrypt\"')").run();
    db2.close();
    const deleted = track(new SqliteKeyStore(path));
    expect(new AuditLog(storeAuditSink(deleted)).verify()).toMatchObject({ ok: false, index: 2, reason: expect.stringMatching(/record 2 is missing/) });
  });

  it("takes in records another log appended to a shared file", () => {
    const path = freshPath();
    const a = track(new SqliteKeyStore(path, { shared: true }));
    const b = track(new SqliteKeyStore(path, { shared: true }));
    const logA = new AuditLog(storeAuditSink(a), { random: counterRandom() });
    const logB = new AuditLog(storeAuditSink(b), { random: counterRandom() });
    logA.record(input({ operation: "Encrypt" }, 0));
    const fromB = logB.record(input({ operation: "Decrypt" }, 1));
    expect(fromB.sequence).toBe(1);
    const fromA = logA.record(input({ operation: "GenerateDataKey" }, 2));
    expect(fromA).toMatchObject({ sequence: 2, previousHash: fromB.hash });
    expect(logA.query().map((e) => e.eventName)).toEqual(["Encrypt", "Decrypt", "GenerateDataKey"]);
    expect(logB.verify()).toEqual({ ok: true, count: 3 });
  });
});

describe.each(stores)("audit log in a %s, read back from the store", (_name, makeStore) => {
  it("finds a key's earlier use again when the transaction of a later use rolls back", () => {
    const store = makeStore();
    const log = new AuditLog(storeAuditSink(store), { random: counterRandom() });
    const first = log.record(input({}, 0));
    log.record(input({ operation: "CreateKey", readOnly: false }, 1));
    expect(() =>
      store.transaction(() => {
        log.record(input({ operation: "GenerateDataKey" }, 2));
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    expect(log.lastUse(ARN_A)).toEqual({ time: new Date(first.eventTime), operation: "Encrypt", eventId: first.eventID, requestId: first.requestID });
    expect(log.size).toBe(2);
  });

  it("answers query, usage, lastUse and verify over more records than one page", () => {
    const store = makeStore();
    const log = new AuditLog(storeAuditSink(store), { random: counterRandom() });
    const N = 2500;
    store.transaction(() => {
      for (let i = 0; i < N; i++) log.record(input({ operation: i % 2 === 0 ? "Encrypt" : "Decrypt", keyArns: [i % 5 === 0 ? ARN_B : ARN_A] }, i));
    });
    const reopened = new AuditLog(storeAuditSink(store));
    expect(reopened.size).toBe(N);
    expect(reopened.head()).toEqual(log.head());
    expect(reopened.verify(log.head())).toEqual({ ok: true, count: N });
    expect(reopened.query({ eventName: "Decrypt" })).toHaveLength(N / 2);
    expect(reopened.query({ keyId: ARN_B }).map((e) => e.sequence)).toEqual(Array.from({ length: N / 5 }, (_, i) => 5 * i));
    expect(reopened.query({ from: T0 + 2000, limit: 3 }).map((e) => e.sequence)).toEqual([2000, 2001, 2002]);
    expect(reopened.lastUse(ARN_B)).toMatchObject({ time: new Date(T0 + 2495), operation: "Decrypt" });
    expect(reopened.lastUse(ARN_A)).toMatchObject({ time: new Date(T0 + 2499), operation: "Decrypt" });
    const usage = reopened.usage({ from: T0, to: T0 + N });
    expect(usage.requests).toBe(N);
    expect(usage.byOperation).toEqual({ Encrypt: N / 2, Decrypt: N / 2 });
    expect(usage.byKey[ARN_B].requests).toBe(N / 5);
  });
});
