/**
 * The transaction part of the KeyStore conformance suite (conformance.ts):
 * commit, rollback of every kind of write, reads of a transaction's own
 * writes, nesting, and async functions.
 */
import { describe, expect, it } from "vitest";
import type { KeyStore } from "../../src/store/key-store.js";
import { aliasRecord, bytes, keyRecord } from "./fixtures.js";

export function transactionConformance(open: () => KeyStore): void {
  describe("transactions", () => {
    /** Writes one of everything, so a rollback has something to undo in every table. */
    function seed(store: KeyStore) {
      store.putKey(keyRecord("k1"));
      store.putKey(keyRecord("k2"));
      store.putAlias(aliasRecord("alias/one", "k1"));
      store.putMeta("counter", bytes(1));
    }
    function snapshot(store: KeyStore) {
      return {
        keyIds: store.listKeyIds(),
        keys: store.listKeyIds().map((id) => store.getKey(id)),
        aliases: store.listAliases(),
        counter: store.getMeta("counter"),
        other: store.getMeta("other"),
      };
    }
    function writeEverything(store: KeyStore) {
      store.putKey(keyRecord("k1", 2)); // replace
      store.deleteKey("k2"); // delete
      store.putKey(keyRecord("k0")); // insert
      store.putAlias(aliasRecord("alias/one", "k0"));
      store.putAlias(aliasRecord("alias/two", "k0"));
      store.putMeta("counter", bytes(2));
      store.putMeta("other", bytes(3));
      store.deleteAlias("alias/one");
    }

    it("commits every write and returns fn's result", () => {
      const store = open();
      seed(store);
      expect(store.transaction(() => (writeEverything(store), 42))).toBe(42);
      expect(snapshot(store)).toEqual({
        keyIds: ["k0", "k1"],
        keys: [keyRecord("k0"), keyRecord("k1", 2)],
        aliases: [aliasRecord("alias/two", "k0")],
        counter: bytes(2),
        other: bytes(3),
      });
    });

    it("lets reads inside a transaction see its writes", () => {
      const store = open();
      seed(store);
      store.transaction(() => {
        writeEverything(store);
        expect(store.getKey("k1")?.versions).toHaveLength(2);
        expect(store.getKey("k2")).toBeUndefined();
        expect(store.listKeyIds()).toEqual(["k0", "k1"]);
        expect(store.getMeta("counter")).toEqual(bytes(2));
        expect(store.listAliases().map((a) => a.aliasName)).toEqual(["alias/two"]);
      });
    });

    it("rolls every write back when fn throws, and rethrows the same error", () => {
      const store = open();
      seed(store);
      store.getKey("k1"); // warm any read cache, so the rollback must undo it too
      const before = snapshot(store);
      const boom = new Error("boom");
      let caught: unknown;
      try {
        store.transaction(() => {
          writeEverything(store);
          throw boom;
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBe(boom);
      expect(snapshot(store)).toEqual(before);
      store.putKey(keyRecord("k3")); // and the store keeps working
      expect(store.listKeyIds()).toEqual(["k1", "k2", "k3"]);
    });

    it("undoes a second write to the same name back to the value before the transaction", () => {
      const store = open();
      seed(store);
      expect(() =>
        store.transaction(() => {
          store.putKey(keyRecord("k1", 2));
          store.putKey(keyRecord("k1", 3));
          store.deleteKey("k1");
          store.putMeta("counter", bytes(7));
          store.deleteMeta("counter");
          throw new Error("undo");
        }),
      ).toThrow("undo");
      expect(store.getKey("k1")).toEqual(keyRecord("k1"));
      expect(store.getMeta("counter")).toEqual(bytes(1));
    });

    it("joins nested transactions: an outer throw undoes the inner writes", () => {
      const store = open();
      seed(store);
      const before = snapshot(store);
      expect(() =>
        store.transaction(() => {
          store.putMeta("counter", bytes(5));
          expect(store.transaction(() => (writeEverything(store), "inner"))).toBe("inner");
          throw new Error("outer");
        }),
      ).toThrow("outer");
      expect(snapshot(store)).toEqual(before);
    });

    it("undoes only a nested transaction that throws, if the outer one catches it", () => {
      const store = open();
      seed(store);
      store.transaction(() => {
        store.putKey(keyRecord("k3"));
        expect(() =>
          store.transaction(() => {
            writeEverything(store);
            store.transaction(() => store.putKey(keyRecord("k9")));
            throw new Error("inner");
          }),
        ).toThrow("inner");
        expect(store.getKey("k9")).toBeUndefined();
        store.putMeta("other", bytes(8));
      });
      expect(snapshot(store)).toEqual({
        keyIds: ["k1", "k2", "k3"],
        keys: [keyRecord("k1"), keyRecord("k2"), keyRecord("k3")],
        aliases: [aliasRecord("alias/one", "k1")],
        counter: bytes(1),
        other: bytes(8),
      });
    });

    it("refuses an async fn and rolls back what it wrote before its first await", async () => {
      const store = open();
      seed(store);
      let promise: Promise<void> | undefined;
      expect(() =>
        store.transaction(() => {
          store.putMeta("counter", bytes(9));
          promise = (async () => {})();
          return promise;
        }),
      ).toThrow(TypeError);
      await promise;
      expect(store.getMeta("counter")).toEqual(bytes(1));
    });

    it("rolls back a failed write (a refused record) with the rest of the transaction", () => {
      const store = open();
      seed(store);
      expect(() =>
        store.transaction(() => {
          store.putMeta("counter", bytes(4));
          store.putKey({ ...keyRecord("k5"), metadata: { when: new Date() } });
        }),
      ).toThrow(TypeError);
      expect(store.getMeta("counter")).toEqual(bytes(1));
      expect(store.getKey("k5")).toBeUndefined();
    });
  });

}
