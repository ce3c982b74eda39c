import { describe, expect, it } from "vitest";
import { MemoryKeyStore } from "../../src/store/index.js";
import { keyStoreConformance } from "./conformance.js";
import { keyRecord } from "./fixtures.js";

keyStoreConformance("MemoryKeyStore", () => new MemoryKeyStore());

describe("MemoryKeyStore", () => {
  it("keeps separate stores separate", () => {
    const a = new MemoryKeyStore();
    const b = new MemoryKeyStore();
    a.putKey(keyRecord("k1"));
    expect(b.getKey("k1")).toBeUndefined();
    expect(b.listKeyIds()).toEqual([]);
  });

  it("uses no Node-only API", async () => {
    const { readFile } = await import("node:fs/promises");
    for (const file of ["memory-store.ts", "table-key-store.ts", "record-copy.ts", "key-store.ts", "index.ts"]) {
      const source = await readFile(new URL(`../../src/store/${file}`, import.meta.url), "utf8");
      const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/from "node:|\bBuffer\b|\bprocess\.|require\(/);
    }
  });
});
