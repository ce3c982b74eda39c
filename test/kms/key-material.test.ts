// The root key, wrapped material at rest, durable stores and the Kms's cache
// staying true to its store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { Kms } from "../../src/kms/index.js";
import type { KeyRecord } from "../../src/store/key-store.js";
import { MemoryKeyStore } from "../../src/store/memory-store.js";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import { rejects, setup, source, symmetricKey, utf8 } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "wasmkms-kms-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("root key", () => {
  it("binds a store to the first root key and refuses any other, changing nothing", async () => {
    const { kms, store, rootKey } = setup();
    const { id } = await symmetricKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    const check = store.getMeta("root-key-check");
    const wrong = rootKey.slice();
    wrong[0] ^= 1;
    expect(() => new Kms({ store, rootKey: wrong })).toThrow(/root key does not match this key store/);
    expect(store.getMeta("root-key-check")).toEqual(check);
    const again = new Kms({ store, rootKey });
    expect((await again.decrypt({ CiphertextBlob })).Plaintext).toEqual(utf8("x"));
  });

  it("needs a root key for any store but a MemoryKeyStore", () => {
    const store = new SqliteKeyStore(join(dir, "no-root.db"));
    try {
      expect(() => new Kms({ store })).toThrow(/needs its rootKey/);
    } finally {
      store.close();
    }
    expect(() => new Kms({ store: new MemoryKeyStore() })).not.toThrow();
  });

  it("keeps only wrapped material in the store, bound to key and version", async () => {
    const { kms, store, rootKey } = setup();
    const { id } = await symmetricKey(kms);
    await kms.rotateKeyOnDemand({ KeyId: id });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("v2") });
    const record = store.getKey(id) as KeyRecord;
    expect(record.versions.map((v) => [v.version, v.wrapped.length, v.origin])).toEqual([
      [1, 60, "CREATE"],
      [2, 60, "ON_DEMAND"],
    ]);
    expect(record.versions[0].wrapped).not.toEqual(record.versions[1].wrapped);
    // Swapping the wrapped material of two versions makes the store unreadable, loudly.
    const swapped = { ...record, versions: [{ ...record.versions[1], version: 1 }, { ...record.versions[0], version: 2 }] };
    store.transaction(() => store.putKey(swapped));
    const fresh = new Kms({ store, rootKey });
    await expect(fresh.decrypt({ CiphertextBlob })).rejects.toThrow(/does not authenticate under the root key; the key store is damaged/);
  });
});

describe("SqliteKeyStore", () => {
  it("keeps keys, versions, aliases, tags, rotation schedules and deletion dates across reopening", async () => {
    const path = join(dir, "persist.db");
    const rootKey = crypto.getRandomValues(new Uint8Array(32));
    const clock = new ManualClock();
    let kms = new Kms({ store: new SqliteKeyStore(path), rootKey, clock });
    const { id } = await symmetricKey(kms, { Tags: [{ TagKey: "env", TagValue: "prod" }] });
    const gone = await symmetricKey(kms);
    const blobs = [(await kms.encrypt({ KeyId: id, Plaintext: utf8("one"), EncryptionContext: { n: "1" } })).CiphertextBlob];
    await kms.rotateKeyOnDemand({ KeyId: id });
    blobs.push((await kms.generateDataKey({ KeyId: id, NumberOfBytes: 3 })).CiphertextBlob);
    await kms.createAlias({ AliasName: "alias/kept", TargetKeyId: id });
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    await kms.scheduleKeyDeletion({ KeyId: gone.id, PendingWindowInDays: 7 });
    const mac = (await kms.createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
    const tag = (await kms.generateMac({ KeyId: mac, Message: utf8("m"), MacAlgorithm: "HMAC_SHA_256" })).Mac;
    const external = (await kms.createKey({ Origin: "EXTERNAL" })).KeyMetadata.KeyId;
    const params = await kms.getParametersForImport({ KeyId: external, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" });
    kms.close();

    kms = new Kms({ store: new SqliteKeyStore(path), rootKey, clock });
    expect((await kms.decrypt({ CiphertextBlob: blobs[0], EncryptionContext: { n: "1" } })).Plaintext).toEqual(utf8("one"));
    expect((await kms.decrypt({ CiphertextBlob: blobs[1] })).Plaintext.length).toBe(3);
    expect((await kms.describeKey({ KeyId: "alias/kept" })).KeyMetadata.KeyId).toBe(id);
    expect((await kms.listResourceTags({ KeyId: id })).Tags).toEqual([{ TagKey: "env", TagValue: "prod" }]);
    expect((await kms.verifyMac({ KeyId: mac, Message: utf8("m"), MacAlgorithm: "HMAC_SHA_256", Mac: tag })).MacValid).toBe(true);
    // The import token's wrapping key was kept in the store.
    const wrappingKey = await crypto.subtle.importKey("spki", source(params.PublicKey), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    const EncryptedKeyMaterial = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, wrappingKey, new Uint8Array(32)));
    await kms.importKeyMaterial({ KeyId: external, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" });
    expect((await kms.describeKey({ KeyId: external })).KeyMetadata.KeyState).toBe("Enabled");
    clock.advanceDays(91);
    expect(kms.sweep()).toEqual({ deleted: 1, rotated: 1, expired: 0 });
    expect((await kms.listKeyRotations({ KeyId: id })).Rotations.map((r) => r.RotationType)).toEqual(["ON_DEMAND", "AUTOMATIC"]);
    kms.close();

    const wrongRoot = crypto.getRandomValues(new Uint8Array(32));
    const store = new SqliteKeyStore(path);
    expect(() => new Kms({ store, rootKey: wrongRoot })).toThrow(/root key does not match/);
    store.close();
    kms = new Kms({ store: new SqliteKeyStore(path), rootKey, clock });
    expect((await kms.listKeys()).Keys.map((k) => k.KeyId).sort()).toEqual([id, mac, external].sort());
    await rejects(kms.describeKey({ KeyId: gone.id }), "NotFoundException");
    kms.close();
  });
});

describe("cache coherence", () => {
  it("a write that fails in the store leaves the Kms and the store as they were", async () => {
    const store = new MemoryKeyStore();
    let failNext = false;
    const putKey = store.putKey.bind(store);
    store.putKey = (record) => {
      putKey(record);
      if (failNext) {
        failNext = false;
        throw new Error("disk full");
      }
    };
    const { kms } = setup({ store });
    const { id } = await symmetricKey(kms);
    failNext = true;
    await expect(kms.disableKey({ KeyId: id })).rejects.toThrow(/disk full/);
    expect((await kms.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe("Enabled");
    expect((store.getKey(id)?.metadata as { KeyState: string }).KeyState).toBe("Enabled");
    failNext = true;
    await expect(kms.rotateKeyOnDemand({ KeyId: id })).rejects.toThrow(/disk full/);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    expect(new DataView(CiphertextBlob.buffer).getUint32(17)).toBe(1);
    expect((await kms.listKeyRotations({ KeyId: id })).Rotations).toEqual([]);
  });

  it("a failed CreateKey leaves no key behind", async () => {
    const store = new MemoryKeyStore();
    const { kms } = setup({ store });
    store.putKey = () => {
      throw new Error("read-only");
    };
    await expect(kms.createKey()).rejects.toThrow(/read-only/);
    expect(store.listKeyIds()).toEqual([]);
    expect((await kms.listKeys()).Keys).toEqual([]);
  });
});
