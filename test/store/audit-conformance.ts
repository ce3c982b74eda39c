/**
 * The audit-line part of the KeyStore conformance suite (conformance.ts):
 * numbering, reads by sequence, input checks, and appends as part of
 * transactions (commit, rollback, nesting).
 */
import { describe, expect, it } from "vitest";
import type { KeyStore } from "../../src/store/key-store.js";
import { bytes, keyRecord } from "./fixtures.js";

export function auditConformance(open: () => KeyStore): void {
  describe("audit lines", () => {
    it("numbers lines 0, 1, 2, … and reads them back from any sequence", () => {
      const store = open();
      expect(store.auditCount()).toBe(0);
      expect(store.readAudit()).toEqual([]);
      const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
      for (const line of lines) store.appendAudit(line);
      expect(store.auditCount()).toBe(25);
      expect(store.readAudit()).toEqual(lines);
      expect(store.readAudit(0)).toEqual(lines);
      expect(store.readAudit(10)).toEqual(lines.slice(10));
      expect(store.readAudit(10, 3)).toEqual(["line 10", "line 11", "line 12"]);
      expect(store.readAudit(24, 100)).toEqual(["line 24"]);
      expect(store.readAudit(25)).toEqual([]);
      expect(store.readAudit(1000, 5)).toEqual([]);
      expect(store.readAudit(3, 0)).toEqual([]);
    });

    it("keeps every line exactly, however long and whatever it holds", () => {
      const store = open();
      const lines = ['["ünïcödé ✓ 🔑",{"a":"\\u0000\\n"}]', "x".repeat(200_000), " leading and trailing spaces ", "\\", "0"];
      for (const line of lines) store.appendAudit(line);
      expect(store.readAudit()).toEqual(lines);
    });

    it("hands out fresh arrays", () => {
      const store = open();
      store.appendAudit("a");
      const read = store.readAudit();
      read.push("b");
      read[0] = "changed";
      expect(store.readAudit()).toEqual(["a"]);
    });

    it("refuses lines that are not non-empty strings, and bad ranges", () => {
      const store = open();
      for (const bad of ["", 7, null, undefined, bytes(1), { line: "x" }]) {
        expect(() => store.appendAudit(bad as string), String(bad)).toThrow(TypeError);
      }
      expect(store.auditCount()).toBe(0);
      for (const [from, limit] of [[-1, 1], [1.5, 1], [0, -1], [0, 2.5], [Number.NaN, 1], [0, Number.NaN]]) {
        expect(() => store.readAudit(from, limit), `${from}, ${limit}`).toThrow(TypeError);
      }
    });

    it("commits lines with the other writes of a transaction", () => {
      const store = open();
      store.transaction(() => {
        store.putKey(keyRecord("k1"));
        store.appendAudit("created k1");
        store.appendAudit("described k1");
        expect(store.auditCount()).toBe(2);
        expect(store.readAudit()).toEqual(["created k1", "described k1"]);
      });
      expect(store.readAudit()).toEqual(["created k1", "described k1"]);
      expect(store.getKey("k1")).toEqual(keyRecord("k1"));
    });

    it("takes lines back with the rest of a transaction that throws, and reuses their numbers", () => {
      const store = open();
      store.appendAudit("before");
      expect(() =>
        store.transaction(() => {
          store.putKey(keyRecord("k1"));
          store.appendAudit("lost 1");
          store.appendAudit("lost 2");
          throw new Error("abort");
        }),
      ).toThrow("abort");
      expect(store.auditCount()).toBe(1);
      expect(store.readAudit()).toEqual(["before"]);
      expect(store.getKey("k1")).toBeUndefined();
      store.appendAudit("after");
      expect(store.auditCount()).toBe(2);
      expect(store.readAudit(1)).toEqual(["after"]);
    });

    it("undoes only the lines of a nested transaction that throws, if the outer one catches it", () => {
      const store = open();
      store.transaction(() => {
        store.appendAudit("outer 1");
        expect(() =>
          store.transaction(() => {
            store.appendAudit("inner");
            store.putMeta("m", bytes(1));
            throw new Error("inner");
          }),
        ).toThrow("inner");
        expect(store.auditCount()).toBe(1);
        store.appendAudit("outer 2");
      });
      expect(store.readAudit()).toEqual(["outer 1", "outer 2"]);
      expect(store.getMeta("m")).toBeUndefined();
    });

    it("takes back a nested transaction's lines when the outer one throws", () => {
      const store = open();
      expect(() =>
        store.transaction(() => {
          store.transaction(() => store.appendAudit("inner"));
          store.appendAudit("outer");
          throw new Error("outer");
        }),
      ).toThrow("outer");
      expect(store.auditCount()).toBe(0);
      expect(store.readAudit()).toEqual([]);
    });
  });
}
