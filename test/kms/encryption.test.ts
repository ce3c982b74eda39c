import { describe, expect, it } from "vitest";
import { Kms } from "../../src/kms/index.js";
import { rejects, setup, symmetricKey, utf8 } from "./helpers.js";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("Encrypt and Decrypt", () => {
  it("round-trips with and without KeyId, in every KeyId form", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms);
    await kms.createAlias({ AliasName: "alias/app", TargetKeyId: id });
    for (const KeyId of [id, arn, "alias/app", "arn:aws:kms:us-east-1:111122223333:alias/app"]) {
      const enc = await kms.encrypt({ KeyId, Plaintext: utf8("secret") });
      expect(enc.KeyId).toBe(arn);
      expect(enc.EncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
      expect(enc.CiphertextBlob.length).toBe(6 + 49);
      const dec = await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob });
      expect(dec).toEqual({ KeyId: arn, Plaintext: utf8("secret"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
      const named = await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, KeyId, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
      expect(text(named.Plaintext)).toBe("secret");
    }
  });

  it("takes 1 to 4096 bytes of plaintext and uses a fresh IV each time", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const big = crypto.getRandomValues(new Uint8Array(4096));
    const enc = await kms.encrypt({ KeyId: id, Plaintext: big });
    expect((await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob })).Plaintext).toEqual(big);
    await rejects(kms.encrypt({ KeyId: id, Plaintext: new Uint8Array(4097) }), "ValidationException");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: new Uint8Array(0) }), "ValidationException");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: "text" as never }), "ValidationException");
    const a = await kms.encrypt({ KeyId: id, Plaintext: utf8("same") });
    const b = await kms.encrypt({ KeyId: id, Plaintext: utf8("same") });
    expect(a.CiphertextBlob).not.toEqual(b.CiphertextBlob);
  });

  it("refuses algorithms and keys that do not fit", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }), "InvalidKeyUsageException");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionAlgorithm: "ROT13" as never }), "ValidationException");
    const mac = (await kms.createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
    await rejects(kms.encrypt({ KeyId: mac, Plaintext: utf8("x") }), "InvalidKeyUsageException", /GENERATE_VERIFY_MAC/);
    await rejects(kms.generateDataKey({ KeyId: mac, KeySpec: "AES_256" }), "InvalidKeyUsageException");
    const enc = await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    await rejects(kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: "RSAES_OAEP_SHA_1" }), "InvalidKeyUsageException");
  });
});

describe("encryption context", () => {
  async function keyAndBlob(context?: Record<string, string>) {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("data"), EncryptionContext: context });
    return { kms, id, CiphertextBlob };
  }

  it("must match exactly to decrypt", async () => {
    const { kms, CiphertextBlob } = await keyAndBlob({ purpose: "test", tenant: "7" });
    const ok = await kms.decrypt({ CiphertextBlob, EncryptionContext: { tenant: "7", purpose: "test" } });
    expect(text(ok.Plaintext)).toBe("data");
    const wrong: (Record<string, string> | undefined)[] = [
      undefined,
      {},
      { purpose: "test" },
      { purpose: "test", tenant: "8" },
      { Purpose: "test", tenant: "7" },
      { purpose: "test", tenant: "7", x: "" },
    ];
    for (const EncryptionContext of wrong) {
      await rejects(kms.decrypt({ CiphertextBlob, EncryptionContext }), "InvalidCiphertextException", /encryption context/);
    }
  });

  it('keeps {"ab":"c"} and {"a":"bc"} apart', async () => {
    const { kms, CiphertextBlob } = await keyAndBlob({ ab: "c" });
    await rejects(kms.decrypt({ CiphertextBlob, EncryptionContext: { a: "bc" } }), "InvalidCiphertextException");
    expect(text((await kms.decrypt({ CiphertextBlob, EncryptionContext: { ab: "c" } })).Plaintext)).toBe("data");
  });

  it("handles unicode keys and values", async () => {
    const context = { "clé": "välue", "鍵": "値", "emoji 😀": "🔑" };
    const { kms, CiphertextBlob } = await keyAndBlob(context);
    expect(text((await kms.decrypt({ CiphertextBlob, EncryptionContext: { ...context } })).Plaintext)).toBe("data");
    await rejects(kms.decrypt({ CiphertextBlob, EncryptionContext: { ...context, "鍵": "値 " } }), "InvalidCiphertextException");
    await rejects(kms.decrypt({ CiphertextBlob, EncryptionContext: { ...context, "clé": "va\u0308lue" } }), "InvalidCiphertextException");
  });

  it("treats an empty context like an absent one", async () => {
    const { kms, CiphertextBlob } = await keyAndBlob({});
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe("data");
    const other = await keyAndBlob(undefined);
    expect(text((await other.kms.decrypt({ CiphertextBlob: other.CiphertextBlob, EncryptionContext: {} })).Plaintext)).toBe("data");
    await rejects(other.kms.decrypt({ CiphertextBlob: other.CiphertextBlob, EncryptionContext: { "": "" } }), "InvalidCiphertextException");
  });

  it("refuses malformed contexts", async () => {
    const { kms, id } = await keyAndBlob();
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { a: 1 } as never }), "ValidationException");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { a: "\uD800" } }), "ValidationException");
  });
});

describe("ciphertext integrity", () => {
  it("fails every single-bit flip and every truncation cleanly", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.rotateKeyOnDemand({ KeyId: id }); // version 2 exists, version 1 too: version flips to 1 must still fail
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("attack at dawn"), EncryptionContext: { k: "v" } });
    for (let i = 0; i < CiphertextBlob.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = CiphertextBlob.slice();
        bad[i] ^= bit;
        await rejects(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: { k: "v" } }), "InvalidCiphertextException");
      }
    }
    for (const n of [1, 20, 33, 49, CiphertextBlob.length - 1]) {
      await rejects(kms.decrypt({ CiphertextBlob: CiphertextBlob.subarray(0, n) }), "InvalidCiphertextException");
    }
    const longer = new Uint8Array(CiphertextBlob.length + 1);
    longer.set(CiphertextBlob);
    await rejects(kms.decrypt({ CiphertextBlob: longer, EncryptionContext: { k: "v" } }), "InvalidCiphertextException");
    await rejects(kms.decrypt({ CiphertextBlob: new Uint8Array(0) }), "ValidationException");
    await rejects(kms.decrypt({ CiphertextBlob: new Uint8Array(6145) }), "ValidationException");
    const first = CiphertextBlob.slice();
    first[17] = 0; first[18] = 0; first[19] = 0; first[20] = 1; // version 2 → 1
    await rejects(kms.decrypt({ CiphertextBlob: first, EncryptionContext: { k: "v" } }), "InvalidCiphertextException");
  });

  it("fails cleanly in another Kms, even with the same store contents elsewhere", async () => {
    const a = setup();
    const b = setup();
    const key = await symmetricKey(a.kms);
    const otherKey = await symmetricKey(b.kms);
    const { CiphertextBlob } = await a.kms.encrypt({ KeyId: key.id, Plaintext: utf8("x") });
    await rejects(b.kms.decrypt({ CiphertextBlob }), "InvalidCiphertextException", /names no key here/);
    await rejects(b.kms.decrypt({ CiphertextBlob, KeyId: otherKey.id }), "InvalidCiphertextException");
    await rejects(b.kms.decrypt({ CiphertextBlob, KeyId: key.id }), "NotFoundException");
  });

  it("names the key that made the blob when a different KeyId is given", async () => {
    const { kms } = setup();
    const k1 = await symmetricKey(kms);
    const k2 = await symmetricKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: k1.id, Plaintext: utf8("x") });
    const err = await rejects(kms.decrypt({ CiphertextBlob, KeyId: k2.arn }), "IncorrectKeyException");
    expect(err.message).toContain(k1.arn);
    const mac = (await kms.createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
    await rejects(kms.decrypt({ CiphertextBlob, KeyId: mac }), "InvalidKeyUsageException");
  });

  it("reports the key state of the blob's key", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    await kms.disableKey({ KeyId: id });
    await rejects(kms.decrypt({ CiphertextBlob }), "DisabledException", new RegExp(`${arn} is disabled`));
    await kms.enableKey({ KeyId: id });
    await kms.scheduleKeyDeletion({ KeyId: id });
    await rejects(kms.decrypt({ CiphertextBlob }), "KMSInvalidStateException", /pending deletion/);
  });

  it("cannot decrypt after the key is deleted", async () => {
    const { kms, clock } = setup();
    const { id } = await symmetricKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    await kms.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    clock.advanceDays(7);
    await rejects(kms.decrypt({ CiphertextBlob }), "InvalidCiphertextException");
  });
});

describe("ReEncrypt", () => {
  it("moves a ciphertext to another key and context", async () => {
    const { kms } = setup();
    const src = await symmetricKey(kms);
    const dst = await symmetricKey(kms);
    await kms.createAlias({ AliasName: "alias/dst", TargetKeyId: dst.id });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: src.id, Plaintext: utf8("move me"), EncryptionContext: { a: "1" } });
    const re = await kms.reEncrypt({
      CiphertextBlob,
      SourceEncryptionContext: { a: "1" },
      DestinationKeyId: "alias/dst",
      DestinationEncryptionContext: { b: "2" },
    });
    expect(re.SourceKeyId).toBe(src.arn);
    expect(re.KeyId).toBe(dst.arn);
    expect(re.SourceEncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
    expect(re.DestinationEncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
    const dec = await kms.decrypt({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { b: "2" } });
    expect(dec.KeyId).toBe(dst.arn);
    expect(text(dec.Plaintext)).toBe("move me");
  });

  it("checks the source context, the source key and the destination", async () => {
    const { kms } = setup();
    const src = await symmetricKey(kms);
    const dst = await symmetricKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: src.id, Plaintext: utf8("x"), EncryptionContext: { a: "1" } });
    await rejects(kms.reEncrypt({ CiphertextBlob, DestinationKeyId: dst.id }), "InvalidCiphertextException");
    await rejects(kms.reEncrypt({ CiphertextBlob, SourceEncryptionContext: { a: "1" }, SourceKeyId: dst.id, DestinationKeyId: dst.id }), "IncorrectKeyException");
    await rejects(kms.reEncrypt({ CiphertextBlob, SourceEncryptionContext: { a: "1" } } as never), "ValidationException");
    await kms.disableKey({ KeyId: dst.id });
    await rejects(kms.reEncrypt({ CiphertextBlob, SourceEncryptionContext: { a: "1" }, DestinationKeyId: dst.id }), "DisabledException");
    // Re-encrypting under the same key with a new context is allowed.
    const same = await kms.reEncrypt({ CiphertextBlob, SourceEncryptionContext: { a: "1" }, DestinationKeyId: src.id });
    expect(text((await kms.decrypt({ CiphertextBlob: same.CiphertextBlob })).Plaintext)).toBe("x");
  });
});

describe("GenerateDataKey", () => {
  it("returns a data key and its encrypted copy", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms);
    const dk = await kms.generateDataKey({ KeyId: id, KeySpec: "AES_256", EncryptionContext: { file: "a.txt" } });
    expect(dk.KeyId).toBe(arn);
    expect(dk.Plaintext.length).toBe(32);
    const dec = await kms.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { file: "a.txt" } });
    expect(dec.Plaintext).toEqual(dk.Plaintext);
    expect((await kms.generateDataKey({ KeyId: id, KeySpec: "AES_128" })).Plaintext.length).toBe(16);
    for (const n of [1, 64, 1024]) expect((await kms.generateDataKey({ KeyId: id, NumberOfBytes: n })).Plaintext.length).toBe(n);
    const keys = new Set<string>();
    for (let i = 0; i < 100; i++) keys.add(Array.from((await kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" })).Plaintext).join());
    expect(keys.size).toBe(100);
  });

  it("needs exactly one of KeySpec and NumberOfBytes", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await rejects(kms.generateDataKey({ KeyId: id }), "ValidationException", /either/);
    await rejects(kms.generateDataKey({ KeyId: id, KeySpec: "AES_256", NumberOfBytes: 32 }), "ValidationException", /not both/);
    await rejects(kms.generateDataKey({ KeyId: id, NumberOfBytes: 0 }), "ValidationException");
    await rejects(kms.generateDataKey({ KeyId: id, NumberOfBytes: 1025 }), "ValidationException");
    await rejects(kms.generateDataKey({ KeyId: id, KeySpec: "AES_512" as never }), "ValidationException");
  });

  it("has a WithoutPlaintext form", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms);
    const dk = await kms.generateDataKeyWithoutPlaintext({ KeyId: id, NumberOfBytes: 48 });
    expect(Object.keys(dk).sort()).toEqual(["CiphertextBlob", "KeyId"]);
    expect(dk.KeyId).toBe(arn);
    expect((await kms.decrypt({ CiphertextBlob: dk.CiphertextBlob })).Plaintext.length).toBe(48);
  });
});

describe("GenerateRandom", () => {
  it("returns 1 to 1024 random bytes", async () => {
    const { kms } = setup();
    expect((await kms.generateRandom({ NumberOfBytes: 1 })).Plaintext.length).toBe(1);
    const a = (await kms.generateRandom({ NumberOfBytes: 1024 })).Plaintext;
    const b = (await kms.generateRandom({ NumberOfBytes: 1024 })).Plaintext;
    expect(a).not.toEqual(b);
    await rejects(kms.generateRandom({}), "ValidationException");
    await rejects(kms.generateRandom({ NumberOfBytes: 1025 }), "ValidationException");
  });
});

describe("symmetric keys across a rotation", () => {
  it("decrypts every version's blobs after rotations and a clock jump", async () => {
    const { kms, clock } = setup();
    const { id } = await symmetricKey(kms);
    const blobs: Uint8Array[] = [];
    blobs.push((await kms.encrypt({ KeyId: id, Plaintext: utf8("v1") })).CiphertextBlob);
    await kms.rotateKeyOnDemand({ KeyId: id });
    blobs.push((await kms.encrypt({ KeyId: id, Plaintext: utf8("v2") })).CiphertextBlob);
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    clock.advanceDays(91);
    blobs.push((await kms.encrypt({ KeyId: id, Plaintext: utf8("v3") })).CiphertextBlob);
    const versions = blobs.map((b) => new DataView(b.buffer).getUint32(17));
    expect(versions).toEqual([1, 2, 3]);
    for (const [i, b] of blobs.entries()) expect(text((await kms.decrypt({ CiphertextBlob: b })).Plaintext)).toBe(`v${i + 1}`);
  });
});

it("a Kms with default options works on its own", async () => {
  const kms = new Kms();
  const { KeyMetadata } = await kms.createKey();
  const dk = await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, KeySpec: "AES_256" });
  expect((await kms.decrypt({ CiphertextBlob: dk.CiphertextBlob })).Plaintext).toEqual(dk.Plaintext);
});
