/**
 * RawAesKeyring, MultiKeyring, DefaultMaterialsManager and the materials
 * helpers: the contracts in src/sdk/materials.ts.
 */
import { describe, expect, it } from "vitest";
import {
  algorithmSuite,
  decrypt,
  decryptionMaterials,
  DefaultMaterialsManager,
  encrypt,
  EncryptionContextError,
  encryptionMaterials,
  type EncryptionMaterials,
  type Keyring,
  KeyringError,
  MalformedMessageError,
  type MaterialsManager,
  MultiKeyring,
  NoDecryptableDataKeyError,
  PUBLIC_KEY_CONTEXT_KEY,
  RawAesKeyring,
  withDecryptedDataKey,
  withEncryptedDataKey,
  withPlaintextDataKey,
} from "../../src/sdk/index.js";
import { bytesEqual, keyringPair, random, sdkError, utf8 } from "./helpers.js";

const suite = algorithmSuite(0x0478);

describe("materials helpers", () => {
  it("enforce the key length, a single data key, and key-before-EDK; never mutate", () => {
    const m = encryptionMaterials(suite, { a: "b" });
    expect(() => withPlaintextDataKey(m, random(16))).toThrow(KeyringError);
    expect(() => withEncryptedDataKey(m, { providerId: "x", providerInfo: random(1), ciphertext: random(1) })).toThrow(KeyringError);
    const k = withPlaintextDataKey(m, random(32));
    expect(m.plaintextDataKey).toBeUndefined();
    expect(() => withPlaintextDataKey(k, random(32))).toThrow(KeyringError);
    const e = withEncryptedDataKey(k, { providerId: "x", providerInfo: random(1), ciphertext: random(1) });
    expect(k.encryptedDataKeys).toHaveLength(0);
    expect(e.encryptedDataKeys).toHaveLength(1);
    expect(Object.isFrozen(e) && Object.isFrozen(e.encryptedDataKeys)).toBe(true);
    const d = withDecryptedDataKey(decryptionMaterials(suite, {}), random(32));
    expect(() => withDecryptedDataKey(d, random(32))).toThrow(KeyringError);
  });
});

describe("RawAesKeyring", () => {
  it("validates its configuration", () => {
    const wrappingKey = random(32);
    expect(() => new RawAesKeyring({ keyNamespace: "", keyName: "k", wrappingKey })).toThrow(KeyringError);
    expect(() => new RawAesKeyring({ keyNamespace: "aws-kms", keyName: "k", wrappingKey })).toThrow(KeyringError);
    expect(() => new RawAesKeyring({ keyNamespace: "n", keyName: "k", wrappingKey: random(20) })).toThrow(KeyringError);
    expect(new RawAesKeyring({ keyNamespace: "n", keyName: "k", wrappingKey: random(24) }).wrappingKeyLength).toBe(24);
  });

  it("writes providerInfo = keyName ‖ 128 ‖ 12 ‖ IV and a 48-byte sealed key", async () => {
    const { ours } = keyringPair({ keyName: "név" });
    const m = await ours.onEncrypt(encryptionMaterials(suite, { a: "b" }));
    const [edk] = m.encryptedDataKeys;
    expect(edk.providerId).toBe("wasmkms-test");
    const name = utf8("név");
    expect(edk.providerInfo.length).toBe(name.length + 8 + 12);
    expect(bytesEqual(edk.providerInfo.subarray(0, name.length), name)).toBe(true);
    expect([...edk.providerInfo.subarray(name.length, name.length + 8)]).toEqual([0, 0, 0, 128, 0, 0, 0, 12]);
    expect(edk.ciphertext.length).toBe(48);
    // Keeps a key it is given; adds one EDK.
    const again = await ours.onEncrypt(m);
    expect(again.plaintextDataKey).toBe(m.plaintextDataKey);
    expect(again.encryptedDataKeys).toHaveLength(2);
  });

  it("ignores EDKs of other names and namespaces, and binds the encryption context", async () => {
    const a = keyringPair({ keyName: "a" });
    const sameKeyOtherName = new RawAesKeyring({ keyNamespace: "wasmkms-test", keyName: "b", wrappingKey: a.wrappingKey });
    const sameKeyOtherNamespace = new RawAesKeyring({ keyNamespace: "elsewhere", keyName: "a", wrappingKey: a.wrappingKey });
    const { result } = await encrypt(a.ours, random(10), { encryptionContext: { x: "1" } });
    for (const k of [sameKeyOtherName, sameKeyOtherNamespace]) expect(await sdkError(decrypt(k, result))).toBeInstanceOf(NoDecryptableDataKeyError);
    const m = await a.ours.onEncrypt(encryptionMaterials(suite, { x: "1" }));
    const other = await a.ours.onDecrypt(decryptionMaterials(suite, { x: "2" }), m.encryptedDataKeys);
    expect(other.plaintextDataKey).toBeUndefined();
    const same = await a.ours.onDecrypt(decryptionMaterials(suite, { x: "1" }), m.encryptedDataKeys);
    expect(bytesEqual(same.plaintextDataKey!, m.plaintextDataKey!)).toBe(true);
    await expect(a.ours.onDecrypt(same, m.encryptedDataKeys)).rejects.toBeInstanceOf(KeyringError);
  });

  it("refuses use after destroy()", async () => {
    const { ours } = keyringPair();
    ours.destroy();
    await expect(ours.onEncrypt(encryptionMaterials(suite, {}))).rejects.toBeInstanceOf(KeyringError);
  });
});

describe("MultiKeyring", () => {
  it("needs a generator or children; without a generator the materials must carry a key", async () => {
    expect(() => new MultiKeyring({})).toThrow(KeyringError);
    expect(() => new MultiKeyring({ children: [{} as Keyring] })).toThrow(KeyringError);
    const { ours } = keyringPair();
    const childrenOnly = new MultiKeyring({ children: [ours] });
    await expect(childrenOnly.onEncrypt(encryptionMaterials(suite, {}))).rejects.toBeInstanceOf(KeyringError);
    const withKey = withPlaintextDataKey(encryptionMaterials(suite, {}), random(32));
    expect((await childrenOnly.onEncrypt(withKey)).encryptedDataKeys).toHaveLength(1);
    const withGenerator = new MultiKeyring({ generator: ours });
    await expect(withGenerator.onEncrypt(withKey)).rejects.toBeInstanceOf(KeyringError);
  });

  it("decrypts with the first keyring that can, collecting the errors of those that throw", async () => {
    const a = keyringPair({ keyName: "a" });
    const b = keyringPair({ keyName: "b" });
    const thrower: Keyring = {
      onEncrypt: (m) => Promise.resolve(m),
      onDecrypt: () => Promise.reject(new Error("service unavailable")),
    };
    const plaintext = random(100);
    const { result } = await encrypt(new MultiKeyring({ generator: b.ours }), plaintext);
    const r = await decrypt(new MultiKeyring({ generator: thrower, children: [a.ours, b.ours] }), result);
    expect(bytesEqual(r.plaintext, plaintext)).toBe(true);
    const err = await sdkError(decrypt(new MultiKeyring({ children: [thrower, a.ours] }), result));
    expect(err).toBeInstanceOf(NoDecryptableDataKeyError);
    expect((err as NoDecryptableDataKeyError).errors).toHaveLength(1);
    expect(err.message).toMatch(/service unavailable/);
  });

  it("fails encryption when any child fails", async () => {
    const { ours } = keyringPair();
    const failing: Keyring = { onEncrypt: () => Promise.reject(new KeyringError("down")), onDecrypt: (m) => Promise.resolve(m) };
    expect(await sdkError(encrypt(new MultiKeyring({ generator: ours, children: [failing] }), random(1)))).toBeInstanceOf(KeyringError);
  });
});

describe("DefaultMaterialsManager", () => {
  it("adds a compressed P-384 public key for 0x0578 and a signing key; none for 0x0478", async () => {
    const { ours } = keyringPair();
    const cmm = new DefaultMaterialsManager(ours);
    const signed = await cmm.getEncryptionMaterials({ encryptionContext: { a: "b" }, commitmentPolicy: "REQUIRE_ENCRYPT_REQUIRE_DECRYPT", suiteId: 0x0578 });
    expect(signed.encryptionContext[PUBLIC_KEY_CONTEXT_KEY]).toMatch(/^[AB][A-Za-z0-9+/]{65}==$/);
    expect(signed.signingKey!.length).toBe(48);
    const plain = await cmm.getEncryptionMaterials({ encryptionContext: {}, commitmentPolicy: "REQUIRE_ENCRYPT_REQUIRE_DECRYPT" });
    expect(plain.suite.id).toBe(0x0478);
    expect(plain.signingKey).toBeUndefined();
    await expect(
      cmm.getEncryptionMaterials({ encryptionContext: { [PUBLIC_KEY_CONTEXT_KEY]: "x" }, commitmentPolicy: "REQUIRE_ENCRYPT_REQUIRE_DECRYPT" }),
    ).rejects.toBeInstanceOf(EncryptionContextError);
  });

  it("refuses an unsigned message that carries a public key, and a keyring that makes no key", async () => {
    const { ours } = keyringPair();
    const inner = new DefaultMaterialsManager(ours);
    const sneaky: MaterialsManager = {
      getEncryptionMaterials: async (req) => {
        const m = encryptionMaterials(algorithmSuite(0x0478), { ...req.encryptionContext, [PUBLIC_KEY_CONTEXT_KEY]: "AAAA" });
        return ours.onEncrypt(m);
      },
      decryptMaterials: (req) => inner.decryptMaterials(req),
    };
    const { result } = await encrypt(sneaky, random(10));
    expect(await sdkError(decrypt(ours, result))).toBeInstanceOf(MalformedMessageError);
    const lazy: Keyring = { onEncrypt: async (m: EncryptionMaterials) => m, onDecrypt: async (m) => m };
    expect(await sdkError(encrypt(lazy, random(1)))).toBeInstanceOf(KeyringError);
  });
});
