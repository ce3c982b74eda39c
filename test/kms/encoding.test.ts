import { describe, expect, it } from "vitest";
import { BLOB_OVERHEAD, HEADER_LENGTH, blobHeader, parseBlob } from "../../src/kms/ciphertext-blob.js";
import { checkEncryptionContext, encodeEncryptionContext } from "../../src/kms/encryption-context.js";
import { isKeyId, keyArn, newKeyId, parseKeyReference, uuidFromBytes, uuidToBytes } from "../../src/kms/key-id.js";
import { RandomPool } from "../../src/kms/random-pool.js";
import { utf8 } from "./helpers.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("encryption context encoding", () => {
  it("is count, then length-prefixed UTF-8 keys and values", () => {
    expect(hex(encodeEncryptionContext({ a: "bc" }))).toBe("00000001" + "00000001" + "61" + "00000002" + "6263");
  });

  it("tells {ab: c} from {a: bc}", () => {
    expect(hex(encodeEncryptionContext({ ab: "c" }))).not.toBe(hex(encodeEncryptionContext({ a: "bc" })));
  });

  it("does not depend on property order", () => {
    expect(encodeEncryptionContext({ b: "2", a: "1", c: "3" })).toEqual(encodeEncryptionContext({ c: "3", a: "1", b: "2" }));
  });

  it("sorts by UTF-8 bytes, not UTF-16 code units", () => {
    // UTF-16 puts U+1F600 (D83D DE00) before U+FF5E; UTF-8 puts U+FF5E (EF BD 9E) before U+1F600 (F0 9F 98 80).
    const enc = encodeEncryptionContext({ "\u{1F600}": "x", "\uFF5E": "y" });
    const firstKey = enc.subarray(8, 8 + new DataView(enc.buffer).getUint32(4));
    expect(hex(firstKey)).toBe(hex(utf8("\uFF5E")));
  });

  it("encodes empty and absent contexts alike", () => {
    expect(encodeEncryptionContext(undefined)).toEqual(new Uint8Array(4));
    expect(checkEncryptionContext({}, "ctx")).toBeUndefined();
    expect(checkEncryptionContext(undefined, "ctx")).toBeUndefined();
  });

  it("keeps empty keys and values distinct from absent ones", () => {
    const a = hex(encodeEncryptionContext({ "": "" }));
    expect(a).toBe("00000001" + "00000000" + "00000000");
    expect(a).not.toBe(hex(encodeEncryptionContext(undefined)));
  });

  it("refuses non-string values and unpaired surrogates", () => {
    expect(() => checkEncryptionContext({ a: 1 }, "ctx")).toThrow(/must be a string/);
    expect(() => checkEncryptionContext([], "ctx")).toThrow(/map of strings/);
    expect(() => checkEncryptionContext("a=b", "ctx")).toThrow(/map of strings/);
    expect(() => checkEncryptionContext({ a: "\uD800" }, "ctx")).toThrow(/well-formed/);
    expect(() => checkEncryptionContext({ "\uDC00x": "v" }, "ctx")).toThrow(/well-formed/);
    expect(checkEncryptionContext({ a: "\u{1F600}" }, "ctx")).toEqual({ a: "\u{1F600}" });
  });
});

describe("ciphertext blob", () => {
  it("has a 21-byte header: format, key id, version", () => {
    const id = newKeyId();
    const h = blobHeader(uuidToBytes(id), 0x01020304);
    expect(h.length).toBe(HEADER_LENGTH);
    expect(h[0]).toBe(1);
    expect(uuidFromBytes(h, 1)).toBe(id);
    expect([...h.subarray(17)]).toEqual([1, 2, 3, 4]);
  });

  it("parses back what the header says and rejects short or unknown blobs", () => {
    const id = newKeyId();
    const blob = new Uint8Array(BLOB_OVERHEAD + 5);
    blob.set(blobHeader(uuidToBytes(id), 7));
    const p = parseBlob(blob);
    expect(p.keyId).toBe(id);
    expect(p.version).toBe(7);
    expect(p.iv.length).toBe(12);
    expect(p.sealed.length).toBe(5 + 16);
    expect(() => parseBlob(blob.subarray(0, BLOB_OVERHEAD))).toThrow(/too short/);
    const other = blob.slice();
    other[0] = 2;
    expect(() => parseBlob(other)).toThrow(/unknown format/);
  });
});

describe("key ids", () => {
  const scope = { account: "111122223333", region: "us-east-1" };

  it("makes version 4 UUIDs that round-trip through 16 bytes", () => {
    for (let i = 0; i < 100; i++) {
      const id = newKeyId();
      expect(isKeyId(id)).toBe(true);
      expect(id[14]).toBe("4");
      expect("89ab").toContain(id[19]);
      expect(uuidFromBytes(uuidToBytes(id), 0)).toBe(id);
    }
  });

  it("parses the four forms", () => {
    const id = newKeyId();
    expect(parseKeyReference(scope, id, "KeyId", true)).toEqual({ kind: "key", keyId: id });
    expect(parseKeyReference(scope, keyArn(scope, id), "KeyId", true)).toEqual({ kind: "key", keyId: id });
    expect(parseKeyReference(scope, "alias/a", "KeyId", true)).toEqual({ kind: "alias", aliasName: "alias/a" });
    expect(parseKeyReference(scope, "arn:aws:kms:us-east-1:111122223333:alias/a", "KeyId", true)).toEqual({
      kind: "alias",
      aliasName: "alias/a",
    });
  });

  it("refuses aliases where the operation does not take them, other scopes, and junk", () => {
    expect(() => parseKeyReference(scope, "alias/a", "KeyId", false)).toThrow(/not an alias/);
    expect(() => parseKeyReference(scope, `arn:aws:kms:eu-west-1:111122223333:key/${newKeyId()}`, "KeyId", true)).toThrow(
      /not in account/,
    );
    expect(() => parseKeyReference(scope, "arn:aws:kms:nonsense", "KeyId", true)).toThrow(/not a valid KMS key or alias ARN/);
    expect(() => parseKeyReference(scope, "not-a-key", "KeyId", true)).toThrow(/Invalid keyId/);
    expect(() => parseKeyReference(scope, "", "KeyId", true)).toThrow(/required/);
    expect(() => parseKeyReference(scope, "x".repeat(2049), "KeyId", true)).toThrow(/at most 2048/);
  });
});

describe("random pool", () => {
  it("never hands out the same bytes twice and wipes what it lent", () => {
    const pool = new RandomPool();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const a = hex(pool.take(16));
      expect(seen.has(a)).toBe(false);
      seen.add(a);
    }
    const view = pool.view(12);
    const copy = view.slice();
    expect(copy.some((b) => b !== 0)).toBe(true);
    pool.take(1);
    expect(view.every((b) => b === 0)).toBe(true);
    expect(pool.take(5000).length).toBe(5000);
  });
});
