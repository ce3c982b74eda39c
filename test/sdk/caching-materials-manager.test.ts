/**
 * CachingMaterialsManager: the limits are exact (also under concurrency,
 * counting the GenerateDataKey calls KMS sees), entries expire on the
 * injected clock, concurrent misses coalesce, decryption materials are
 * cached, and the bypass rules of the spec hold (unknown length, identity KDF,
 * a message bigger than the byte limit).
 */
import { AlgorithmSuiteIdentifier } from "@aws-crypto/client-node";
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Kms, ManualClock } from "../../src/kms/index.js";
import {
  algorithmSuite,
  CachingMaterialsManager,
  decrypt,
  decryptionMaterials,
  type DecryptionMaterialsRequest,
  DefaultMaterialsManager,
  encrypt,
  encryptStream,
  InvalidParameterError,
  type Keyring,
  KmsKeyring,
  type KmsDataKeyOperations,
  MaterialsCache,
  type MaterialsManager,
  serializeEncryptionContext,
  withDecryptedDataKey,
} from "../../src/sdk/index.js";
import { bytesEqual, forbidClient, keyringPair, random, requireClient, runStream, utf8 } from "./helpers.js";

const kms = new Kms();
afterAll(() => kms.close());
const keyArn = (await kms.createKey({})).KeyMetadata.Arn;

/** A KmsKeyring whose KMS counts the calls per operation (and can fail the n-th GenerateDataKey). */
function countingKeyring(failGenerate?: (n: number) => boolean) {
  const count = { generateDataKey: 0, encrypt: 0, decrypt: 0 };
  const ops: KmsDataKeyOperations = {
    generateDataKey: async (r) => {
      count.generateDataKey++;
      await new Promise((res) => setTimeout(res, 1)); // a real round trip: concurrent callers overlap
      if (failGenerate?.(count.generateDataKey)) throw Object.assign(new Error("KMS is down"), { name: "KMSInternalException" });
      return kms.generateDataKey(r);
    },
    encrypt: async (r) => (count.encrypt++, kms.encrypt(r)),
    decrypt: async (r) => (count.decrypt++, kms.decrypt(r)),
  };
  return { keyring: new KmsKeyring({ kms: ops, keyIds: [keyArn] }), count };
}

/** The EDK ciphertext of a message, as a string: equal for messages sharing a data key. */
async function dataKeyOf(message: Uint8Array): Promise<string> {
  const { header } = await decrypt(new KmsKeyring({ kms, keyIds: [keyArn] }), message);
  return Buffer.from(header.encryptedDataKeys[0].ciphertext).toString("hex");
}

function tally(keys: string[]): number[] {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m.values()].sort((a, b) => b - a);
}

describe("encryption materials", () => {
  it("maxMessagesEncrypted is exact under concurrency: 20 messages, 3 per key → 7 GenerateDataKey calls", async () => {
    const { keyring, count } = countingKeyring();
    const cmm = new CachingMaterialsManager({ keyring, maxAge: 60_000, maxMessagesEncrypted: 3 });
    const messages = await Promise.all(Array.from({ length: 20 }, () => encrypt(cmm, random(10), { encryptionContext: { a: "1" } })));
    expect(count.generateDataKey).toBe(7);
    expect(tally(await Promise.all(messages.map((m) => dataKeyOf(m.result))))).toEqual([3, 3, 3, 3, 3, 3, 2]);
    // Later messages go on filling the last key, then the next.
    await encrypt(cmm, random(10), { encryptionContext: { a: "1" } });
    expect(count.generateDataKey).toBe(7);
    await encrypt(cmm, random(10), { encryptionContext: { a: "1" } });
    expect(count.generateDataKey).toBe(8);
  });

  it("maxBytesEncrypted is exact: 40-byte messages pair up under 100 bytes, concurrently too; a larger message gets its own key, uncached", async () => {
    const { keyring, count } = countingKeyring();
    const cmm = new CachingMaterialsManager({ keyring, maxAge: 60_000, maxBytesEncrypted: 100 });
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => encrypt(cmm, random(40))));
    expect(count.generateDataKey).toBe(5);
    expect(tally(await Promise.all(concurrent.map((m) => dataKeyOf(m.result))))).toEqual([2, 2, 2, 2, 2]);

    const fresh = new CachingMaterialsManager({ keyring, maxAge: 60_000, maxBytesEncrypted: 100 });
    const before = count.generateDataKey;
    const m1 = await encrypt(fresh, random(40)); // new key (40)
    const m2 = await encrypt(fresh, random(40)); // hit (80)
    const big = await encrypt(fresh, random(101)); // over the limit by itself: fresh, never cached
    const m3 = await encrypt(fresh, random(20)); // hit (100: at the limit, allowed)
    const m4 = await encrypt(fresh, random(1)); // would make 101: new key
    expect(count.generateDataKey - before).toBe(3);
    const [k1, k2, kb, k3, k4] = await Promise.all([m1, m2, big, m3, m4].map((m) => dataKeyOf(m.result)));
    expect([k2, k3]).toEqual([k1, k1]);
    expect(new Set([k1, kb, k4]).size).toBe(3);
  });

  it("expires entries on the injected clock (age > maxAge); entries are per suite and context", async () => {
    const { keyring, count } = countingKeyring();
    const clock = new ManualClock();
    const cmm = new CachingMaterialsManager({ keyring, maxAge: 1000, clock });
    await encrypt(cmm, random(5), { encryptionContext: { x: "1", y: "2" } });
    clock.advance(1000);
    await encrypt(cmm, random(5), { encryptionContext: { y: "2", x: "1" } }); // same context, at exactly maxAge: still valid
    expect(count.generateDataKey).toBe(1);
    clock.advance(1);
    await encrypt(cmm, random(5), { encryptionContext: { x: "1", y: "2" } });
    expect(count.generateDataKey).toBe(2);
    await encrypt(cmm, random(5), { encryptionContext: { x: "1" } });
    await encrypt(cmm, random(5), { encryptionContext: { x: "1", y: "2" }, suite: 0x0578 });
    expect(count.generateDataKey).toBe(4);
    await encrypt(cmm, random(5), { encryptionContext: { x: "1", y: "2" }, suite: 0x0578 });
    expect(count.generateDataKey).toBe(4);
  });

  it("bypasses the cache without a plaintext length (streams without the hint), and caches with it", async () => {
    const { keyring, count } = countingKeyring();
    const cmm = new CachingMaterialsManager({ keyring, maxAge: 60_000 });
    for (let i = 0; i < 3; i++) expect((await runStream(encryptStream(cmm), [random(100)])).error).toBeUndefined();
    expect(count.generateDataKey).toBe(3);
    for (let i = 0; i < 3; i++) expect((await runStream(encryptStream(cmm, { plaintextLength: 100 }), [random(100)])).error).toBeUndefined();
    expect(count.generateDataKey).toBe(4);
  });

  it("asks the backing manager with plaintextLength = maxBytesEncrypted; shares entries only within a partition; LRU capacity", async () => {
    const { keyring, count } = countingKeyring();
    const seen: (number | undefined)[] = [];
    const inner = new DefaultMaterialsManager(keyring);
    const backing: MaterialsManager = {
      getEncryptionMaterials: (r) => (seen.push(r.plaintextLength), inner.getEncryptionMaterials(r)),
      decryptMaterials: (r) => inner.decryptMaterials(r),
    };
    const cache = new MaterialsCache(2);
    const a = new CachingMaterialsManager({ backingMaterialsManager: backing, cache, maxAge: 60_000, maxBytesEncrypted: 5000, partition: "p" });
    const b = new CachingMaterialsManager({ backingMaterialsManager: backing, cache, maxAge: 60_000, maxBytesEncrypted: 5000, partition: "p" });
    const c = new CachingMaterialsManager({ backingMaterialsManager: backing, cache, maxAge: 60_000, maxBytesEncrypted: 5000 });
    await encrypt(a, random(10));
    await encrypt(b, random(10));
    expect(count.generateDataKey).toBe(1);
    expect(seen).toEqual([5000]);
    await encrypt(c, random(10)); // its own partition
    expect(count.generateDataKey).toBe(2);
    await encrypt(a, random(10), { encryptionContext: { n: "2" } }); // a third entry: evicts a's first (least recently used)
    await encrypt(b, random(10));
    expect(count.generateDataKey).toBe(4);
  });

  it("does not cache failures; concurrent waiters share the failure, the next request tries again", async () => {
    const { keyring, count } = countingKeyring((n) => n === 1);
    const cmm = new CachingMaterialsManager({ keyring, maxAge: 60_000 });
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => encrypt(cmm, random(10))));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    expect(count.generateDataKey).toBe(1);
    await encrypt(cmm, random(10));
    await encrypt(cmm, random(10));
    expect(count.generateDataKey).toBe(2);
  });

  it("caches signing-suite materials (one key pair per data key); the messages verify in client-node", async () => {
    const { ours, theirs } = keyringPair();
    let calls = 0;
    const counted: Keyring = { onEncrypt: (m) => (calls++, ours.onEncrypt(m)), onDecrypt: (m, e) => ours.onDecrypt(m, e) };
    const cmm = new CachingMaterialsManager({ keyring: counted, maxAge: 60_000, maxMessagesEncrypted: 10 });
    const plaintexts = Array.from({ length: 4 }, (_, i) => random(100 * i));
    const messages = await Promise.all(plaintexts.map((p) => encrypt(cmm, p, { suite: 0x0578, encryptionContext: { s: "signed" } })));
    expect(calls).toBe(1);
    const keys = new Set(messages.map((m) => m.header.encryptionContext["aws-crypto-public-key"]));
    expect(keys.size).toBe(1);
    for (const [i, m] of messages.entries()) {
      expect(bytesEqual((await requireClient.decrypt(theirs, m.result)).plaintext, plaintexts[i])).toBe(true);
    }
  });

  it("validates its options", () => {
    const { keyring } = countingKeyring();
    const bad: object[] = [
      { keyring },
      { keyring, maxAge: 0 },
      { keyring, maxAge: Infinity },
      { maxAge: 1 },
      { keyring, backingMaterialsManager: new DefaultMaterialsManager(keyring), maxAge: 1 },
      { keyring, maxAge: 1, maxBytesEncrypted: 0 },
      { keyring, maxAge: 1, maxBytesEncrypted: 2 ** 53 },
      { keyring, maxAge: 1, maxMessagesEncrypted: 2 ** 32 + 1 },
      { keyring, maxAge: 1, partition: "" },
      { keyring, maxAge: 1, cache: "big" },
    ];
    for (const options of bad) expect(() => new CachingMaterialsManager(options as never), JSON.stringify(options)).toThrow(InvalidParameterError);
    expect(() => new MaterialsCache(0)).toThrow(RangeError);
  });
});

describe("messages sharing cached materials", () => {
  it("get fresh message IDs and keys, and headers right for each frame length and context", async () => {
    const { ours, theirs } = keyringPair();
    const cmm = new CachingMaterialsManager({ keyring: ours, maxAge: 60_000 });
    const plaintext = random(3000);
    const ids = new Set<string>();
    const tags = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const frameLength = [4096, 1000, 64][i % 3];
      const encryptionContext = { tenant: i % 2 ? "a" : "b" };
      const { result, header } = await encrypt(cmm, plaintext, { frameLength, encryptionContext });
      expect(header.frameLength).toBe(frameLength);
      ids.add(Buffer.from(header.messageId).toString("hex"));
      tags.add(Buffer.from(header.headerAuthTag).toString("hex"));
      if (i < 6) {
        const back = await requireClient.decrypt(theirs, result);
        expect(bytesEqual(back.plaintext, plaintext)).toBe(true);
        expect(back.messageHeader.encryptionContext).toMatchObject(encryptionContext);
        expect(back.messageHeader.frameLength).toBe(frameLength);
      }
      expect(bytesEqual((await decrypt(cmm, result)).plaintext, plaintext)).toBe(true);
    }
    expect(ids.size).toBe(300);
    expect(tags.size).toBe(300);
  });
});

describe("decryption materials", () => {
  it("one Decrypt call for concurrent and repeated decryptions of a message until maxAge; another message is another entry", async () => {
    const { keyring, count } = countingKeyring();
    const clock = new ManualClock();
    const cmm = new CachingMaterialsManager({ keyring, maxAge: 500, clock });
    const plaintext = random(3000);
    const { result } = await encrypt(keyring, plaintext, { encryptionContext: { d: "1" } });
    const opened = await Promise.all(Array.from({ length: 6 }, () => decrypt(cmm, result)));
    for (const o of opened) expect(bytesEqual(o.plaintext, plaintext)).toBe(true);
    expect(count.decrypt).toBe(1);
    clock.advance(500);
    await decrypt(cmm, result);
    expect(count.decrypt).toBe(1);
    clock.advance(1);
    await decrypt(cmm, result);
    expect(count.decrypt).toBe(2);
    const other = await encrypt(keyring, plaintext, { encryptionContext: { d: "1" } });
    await decrypt(cmm, other.result);
    expect(count.decrypt).toBe(3);
  });

  it("entry ids are the spec's (Appendix A), remembered exactly: a byte or a field boundary apart is another entry", async () => {
    const requests: DecryptionMaterialsRequest[] = [];
    const backing: MaterialsManager = {
      getEncryptionMaterials: () => Promise.reject(new Error("unused")),
      decryptMaterials: async (r) => (requests.push(r), withDecryptedDataKey(decryptionMaterials(r.suite, r.encryptionContext), random(32))),
    };
    const cmm = new CachingMaterialsManager({ backingMaterialsManager: backing, maxAge: 60_000, partition: "p" });
    const suite = algorithmSuite(0x0478);
    const edk = (providerId: string, info: number[], ciphertext: number[]) => ({ providerId, providerInfo: Uint8Array.from(info), ciphertext: Uint8Array.from(ciphertext) });
    const ask = (encryptionContext: Record<string, string>, ...encryptedDataKeys: ReturnType<typeof edk>[]) =>
      cmm.decryptMaterials({ suite, commitmentPolicy: "REQUIRE_ENCRYPT_REQUIRE_DECRYPT", encryptionContext, encryptedDataKeys });
    const base = edk("ab", [1, 2], [3, 4, 5]);
    const variants: [Record<string, string>, ReturnType<typeof edk>[]][] = [
      [{ a: "bc" }, [base]],
      [{ ab: "c" }, [base]], // the context's boundary moved
      [{ a: "bc" }, [edk("a", [0x62, 1, 2], [3, 4, 5])]], // an EDK field boundary moved
      [{ a: "bc" }, [edk("ab", [1, 2, 3], [4, 5])]],
      [{ a: "bc" }, [edk("ab", [1, 2], [3, 4, 6])]], // one byte
      [{ a: "bc" }, [base, base]],
    ];
    for (const [context, edks] of variants) for (let i = 0; i < 3; i++) await ask(context, ...edks);
    expect(requests.length).toBe(variants.length);
    // The same context in another key order, and the EDKs in another order, are the same entry (the spec sorts both).
    await ask({ y: "2", x: "1" }, base, edk("z", [], []));
    await ask({ x: "1", y: "2" }, edk("z", [], []), base);
    expect(requests.length).toBe(variants.length + 1);
    const sha512 = (...parts: Uint8Array[]) => new Uint8Array(createHash("sha512").update(Buffer.concat(parts)).digest());
    const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
    const prefixed = (b: Uint8Array) => Buffer.concat([u16(b.length), b]);
    const specId = (context: Record<string, string>, edks: ReturnType<typeof edk>[]) => {
      const hashes = edks.map((e) => sha512(prefixed(utf8(e.providerId)), prefixed(e.providerInfo), prefixed(e.ciphertext))).sort(Buffer.compare);
      const digest = sha512(sha512(utf8("p")), u16(0x0478), ...hashes, new Uint8Array(64), sha512(serializeEncryptionContext(context)));
      return Buffer.from(digest).toString("latin1");
    };
    const expected = [...variants.map(([c, e]) => specId(c, e)), specId({ x: "1", y: "2" }, [base, edk("z", [], [])])];
    expect([...cmm.cache.keys()].sort()).toEqual(expected.sort());
  });

  it("does not cache identity-KDF suites (v1 0x0078); caches v1 HKDF suites (0x0178)", async () => {
    const { ours, theirs } = keyringPair();
    let calls = 0;
    const counted: Keyring = { onEncrypt: (m) => ours.onEncrypt(m), onDecrypt: (m, e) => (calls++, ours.onDecrypt(m, e)) };
    const cmm = new CachingMaterialsManager({ keyring: counted, maxAge: 60_000 });
    const policy = { commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" } as const;
    const plaintext = random(50);
    const identity = await forbidClient.encrypt(theirs, plaintext, { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16 });
    await decrypt(cmm, identity.result, policy);
    await decrypt(cmm, identity.result, policy);
    expect(calls).toBe(2);
    const hkdf = await forbidClient.encrypt(theirs, plaintext, { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256 });
    await decrypt(cmm, hkdf.result, policy);
    expect(bytesEqual((await decrypt(cmm, hkdf.result, policy)).plaintext, plaintext)).toBe(true);
    expect(calls).toBe(3);
    // The policy is still enforced on a cache hit.
    await expect(decrypt(cmm, hkdf.result)).rejects.toMatchObject({ name: "CommitmentPolicyError" });
  });
});
