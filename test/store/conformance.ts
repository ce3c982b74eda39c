/**
 * The KeyStore contract as a test suite, run against every implementation:
 * `keyStoreConformance("MemoryKeyStore", () => new MemoryKeyStore())`.
 * The suite closes each store it makes.
 */
import { describe, expect, it } from "vitest";
import type { AliasRecord, KeyRecord, KeyStore } from "../../src/store/key-store.js";
import { aliasRecord, bytes, closedAfterEach, keyRecord } from "./fixtures.js";
import { auditConformance } from "./audit-conformance.js";
import { transactionConformance } from "./transaction-conformance.js";

export type StoreFactory = () => KeyStore;

export function keyStoreConformance(name: string, makeStore: StoreFactory): void {
  describe(`${name} conformance`, () => {
    const open = closedAfterEach(makeStore);

    describe("keys", () => {
      it("stores, replaces and deletes records", () => {
        const store = open();
        expect(store.getKey("k1")).toBeUndefined();
        store.putKey(keyRecord("k1"));
        expect(store.getKey("k1")).toEqual(keyRecord("k1"));
        store.putKey(keyRecord("k1", 3));
        expect(store.getKey("k1")?.versions.map((v) => v.version)).toEqual([1, 2, 3]);
        store.deleteKey("k1");
        expect(store.getKey("k1")).toBeUndefined();
        store.deleteKey("k1"); // deleting what is absent is not an error
        expect(store.listKeyIds()).toEqual([]);
      });

      it("lists key ids in ascending order", () => {
        const store = open();
        const ids = ["b", "a-2", "C", "a", "a-10", "ä", "0", "z", "A"];
        for (const id of ids) store.putKey(keyRecord(id));
        expect(store.listKeyIds()).toEqual([...ids].sort());
        store.deleteKey("a");
        store.putKey(keyRecord("aa"));
        expect(store.listKeyIds()).toEqual(["0", "A", "C", "a-10", "a-2", "aa", "b", "z", "ä"]);
      });

      it("round-trips every storable value exactly", () => {
        const store = open();
        const record = keyRecord("k1", 2, {
          publicKey: Uint8Array.from({ length: 294 }, (_, i) => i & 0xff),
          metadata: {
            text: "ünïcödé ✓ 🔑 \u0000 \"quoted\" \\ \n",
            numbers: [0, -1, 1.5, -0.25, 2 ** 53 - 1, 1e-300, 1e300],
            flags: [true, false, null],
            nested: { deeper: { deepest: [[], {}, [bytes(1, 2)]] } },
            empty: "",
          },
          extra: {
            importState: { token: bytes(0, 255, 128), empty: new Uint8Array(0) },
            big: Uint8Array.from({ length: 65_536 }, (_, i) => (i * 31) & 0xff),
          },
        });
        store.putKey(record);
        const back = store.getKey("k1")!;
        expect(back).toEqual(record);
        expect(back.publicKey).toBeInstanceOf(Uint8Array);
        expect((back.extra.importState as { empty: Uint8Array }).empty).toEqual(new Uint8Array(0));
      });

      it("keeps only the bytes of a Uint8Array view and returns plain Uint8Arrays", () => {
        const store = open();
        const backing = Uint8Array.from({ length: 100 }, (_, i) => i);
        const record = keyRecord("k1");
        record.versions[0].wrapped = backing.subarray(10, 20);
        record.publicKey = Buffer.from([5, 6, 7]);
        store.putKey(record);
        const back = store.getKey("k1")!;
        expect(back.versions[0].wrapped).toEqual(Uint8Array.from({ length: 10 }, (_, i) => i + 10));
        expect(back.versions[0].wrapped.byteOffset).toBe(0);
        expect(back.versions[0].wrapped.buffer.byteLength).toBe(10);
        expect(Object.getPrototypeOf(back.publicKey)).toBe(Uint8Array.prototype);
      });

      it("drops properties whose value is undefined, as JSON does", () => {
        const store = open();
        store.putKey({ ...keyRecord("k1"), publicKey: undefined, metadata: { a: 1, b: undefined } });
        const back = store.getKey("k1")!;
        expect("publicKey" in back).toBe(false);
        expect(back.metadata).toEqual({ a: 1 });
        expect("b" in back.metadata).toBe(false);
      });

      it.each([
        ["a Date", { when: new Date(0) }],
        ["a Map", { m: new Map() }],
        ["NaN", { n: Number.NaN }],
        ["Infinity", { n: Number.POSITIVE_INFINITY }],
        ["a bigint", { n: 1n }],
        ["a function", { f: () => 1 }],
        ["a symbol", { s: Symbol("s") }],
        ["undefined in an array", { list: [1, undefined] }],
        ["a Uint16Array", { u: new Uint16Array(2) }],
        ["the reserved $b64 property", { $b64: "AAAA" }],
        ["a __proto__ property", JSON.parse('{"__proto__": {"polluted": true}}')],
      ])("refuses a record holding %s and stores nothing", (_what, metadata) => {
        const store = open();
        expect(() => store.putKey({ ...keyRecord("k1"), metadata })).toThrow(TypeError);
        expect(store.getKey("k1")).toBeUndefined();
        expect(store.listKeyIds()).toEqual([]);
      });

      it("refuses records of the wrong shape", () => {
        const store = open();
        const bad: unknown[] = [
          null,
          { ...keyRecord("k1"), keyId: "" },
          { ...keyRecord("k1"), keyId: 7 },
          { ...keyRecord("k1"), versions: {} },
          { ...keyRecord("k1"), versions: [1] },
          { ...keyRecord("k1"), metadata: [] },
          { ...keyRecord("k1"), tags: {} },
          { ...keyRecord("k1"), policies: null },
          { ...keyRecord("k1"), extra: "x" },
          { ...keyRecord("k1"), publicKey: [1, 2] },
        ];
        for (const record of bad) expect(() => store.putKey(record as KeyRecord)).toThrow(TypeError);
        expect(store.listKeyIds()).toEqual([]);
      });
    });

    describe("copies", () => {
      it("does not alias the record it was given", () => {
        const store = open();
        const record = keyRecord("k1");
        store.putKey(record);
        record.metadata.Description = "changed";
        record.versions[0].wrapped[0] = 99;
        record.versions.push({ ...record.versions[0], version: 2 });
        record.tags[0].TagValue = "changed";
        (record.metadata.EncryptionAlgorithms as string[]).push("X");
        expect(store.getKey("k1")).toEqual(keyRecord("k1"));
      });

      it("hands out fresh copies on every read", () => {
        const store = open();
        store.putKey(keyRecord("k1", 2, { publicKey: bytes(1, 2, 3) }));
        const a = store.getKey("k1")!;
        const b = store.getKey("k1")!;
        expect(a).not.toBe(b);
        a.metadata.KeyState = "Disabled";
        a.versions[0].wrapped.fill(0);
        a.versions.pop();
        a.publicKey![0] = 0;
        a.policies.default = "{}";
        a.tags.length = 0;
        (a.extra.rotation as { enabled: boolean }).enabled = true;
        (a.metadata.EncryptionAlgorithms as string[])[0] = "X";
        expect(b).toEqual(keyRecord("k1", 2, { publicKey: bytes(1, 2, 3) }));
        expect(store.getKey("k1")).toEqual(b);
      });

      it("copies aliases, alias listings and meta values both ways", () => {
        const store = open();
        const alias = aliasRecord("alias/a", "k1");
        store.putAlias(alias);
        alias.targetKeyId = "k2";
        store.getAlias("alias/a")!.targetKeyId = "k3";
        store.listAliases()[0].targetKeyId = "k4";
        expect(store.getAlias("alias/a")).toEqual(aliasRecord("alias/a", "k1"));

        const value = bytes(1, 2, 3);
        store.putMeta("m", value);
        value[0] = 9;
        store.getMeta("m")![1] = 9;
        expect(store.getMeta("m")).toEqual(bytes(1, 2, 3));
      });
    });

    describe("aliases", () => {
      it("stores, replaces, deletes and lists aliases sorted by name", () => {
        const store = open();
        expect(store.getAlias("alias/x")).toBeUndefined();
        for (const name of ["alias/b", "alias/a/z", "alias/A", "alias/a"]) store.putAlias(aliasRecord(name, `key-${name}`));
        expect(store.listAliases().map((a) => a.aliasName)).toEqual(["alias/A", "alias/a", "alias/a/z", "alias/b"]);
        store.putAlias({ ...aliasRecord("alias/a", "other"), lastUpdatedDate: 5 });
        expect(store.getAlias("alias/a")).toEqual({ ...aliasRecord("alias/a", "other"), lastUpdatedDate: 5 });
        store.deleteAlias("alias/a");
        store.deleteAlias("alias/never");
        expect(store.getAlias("alias/a")).toBeUndefined();
        expect(store.listAliases()).toEqual([
          aliasRecord("alias/A", "key-alias/A"),
          aliasRecord("alias/a/z", "key-alias/a/z"),
          aliasRecord("alias/b", "key-alias/b"),
        ]);
      });

      it("refuses alias records of the wrong shape", () => {
        const store = open();
        const bad: unknown[] = [
          null,
          { ...aliasRecord("alias/a", "k"), aliasName: "" },
          { ...aliasRecord("alias/a", "k"), targetKeyId: undefined },
          { ...aliasRecord("alias/a", "k"), creationDate: "today" },
          { aliasName: "alias/a", targetKeyId: "k" },
        ];
        for (const record of bad) expect(() => store.putAlias(record as AliasRecord)).toThrow(TypeError);
        expect(store.listAliases()).toEqual([]);
      });
    });

    describe("meta", () => {
      it("stores, replaces and deletes named byte strings", () => {
        const store = open();
        expect(store.getMeta("root-check")).toBeUndefined();
        store.putMeta("root-check", bytes(1, 2));
        store.putMeta("empty", new Uint8Array(0));
        store.putMeta("root-check", bytes(3));
        expect(store.getMeta("root-check")).toEqual(bytes(3));
        expect(store.getMeta("empty")).toEqual(new Uint8Array(0));
        store.deleteMeta("root-check");
        store.deleteMeta("never");
        expect(store.getMeta("root-check")).toBeUndefined();
      });

      it("refuses values that are not Uint8Array and empty names", () => {
        const store = open();
        expect(() => store.putMeta("m", "text" as unknown as Uint8Array)).toThrow(TypeError);
        expect(() => store.putMeta("m", [1] as unknown as Uint8Array)).toThrow(TypeError);
        expect(() => store.putMeta("", bytes(1))).toThrow(TypeError);
        expect(store.getMeta("m")).toBeUndefined();
      });
    });

    transactionConformance(open);
    auditConformance(open);

    describe("close", () => {
      it("makes every later call throw, and may be called twice", () => {
        const store = open();
        store.putKey(keyRecord("k1"));
        store.putAlias(aliasRecord("alias/a", "k1"));
        store.putMeta("m", bytes(1));
        store.appendAudit("line");
        store.close();
        store.close();
        const calls: [string, () => unknown][] = [
          ["transaction", () => store.transaction(() => 1)],
          ["getKey", () => store.getKey("k1")],
          ["putKey", () => store.putKey(keyRecord("k2"))],
          ["deleteKey", () => store.deleteKey("k1")],
          ["listKeyIds", () => store.listKeyIds()],
          ["getAlias", () => store.getAlias("alias/a")],
          ["putAlias", () => store.putAlias(aliasRecord("alias/b", "k1"))],
          ["deleteAlias", () => store.deleteAlias("alias/a")],
          ["listAliases", () => store.listAliases()],
          ["getMeta", () => store.getMeta("m")],
          ["putMeta", () => store.putMeta("m", bytes(1))],
          ["deleteMeta", () => store.deleteMeta("m")],
          ["appendAudit", () => store.appendAudit("line")],
          ["readAudit", () => store.readAudit()],
          ["auditCount", () => store.auditCount()],
        ];
        for (const [what, call] of calls) expect(call, what).toThrow(/closed/);
      });

      it("refuses to close inside a transaction", () => {
        const store = open();
        expect(() => store.transaction(() => store.close())).toThrow(/inside a transaction/);
        store.putMeta("still", bytes(1));
        expect(store.getMeta("still")).toEqual(bytes(1));
      });
    });
  });
}
