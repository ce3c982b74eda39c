// Imported key material through the Kms: GetParametersForImport, ImportKeyMaterial,
// DeleteImportedKeyMaterial, expiry (token and wrapping details: import-material.test.ts).
import { describe, expect, it } from "vitest";
import type { Kms } from "../../src/kms/index.js";
import { DAY, rejects, setup, source, symmetricKey, utf8 } from "./helpers.js";

/** Wraps `material` with the public key GetParametersForImport returned (RSAES-OAEP SHA-256). */
async function wrap(publicKey: Uint8Array, material: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("spki", source(publicKey), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
  return new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, source(material)));
}

async function importInto(kms: Kms, KeyId: string, material: Uint8Array, extra: { ValidTo?: Date; ExpirationModel?: "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE" } = { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }) {
  const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" });
  const EncryptedKeyMaterial = await wrap(params.PublicKey, material);
  return kms.importKeyMaterial({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ...extra });
}

async function externalKey(kms: Kms) {
  const { KeyMetadata } = await kms.createKey({ Origin: "EXTERNAL" });
  return KeyMetadata;
}

describe("imported key material", () => {
  it("goes PendingImport → Enabled, and decrypts after delete and reimport", async () => {
    const { kms, clock } = setup();
    const meta = await externalKey(kms);
    expect(meta.KeyState).toBe("PendingImport");
    expect(meta.Origin).toBe("EXTERNAL");
    await rejects(kms.encrypt({ KeyId: meta.KeyId, Plaintext: utf8("x") }), "KMSInvalidStateException", /pending import/);

    const params = await kms.getParametersForImport({ KeyId: meta.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" });
    expect(params.KeyId).toBe(meta.Arn);
    expect(params.ParametersValidTo).toEqual(new Date(clock.now() + DAY));
    const material = crypto.getRandomValues(new Uint8Array(32));
    const EncryptedKeyMaterial = await wrap(params.PublicKey, material);
    expect(await kms.importKeyMaterial({ KeyId: meta.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" })).toEqual({ KeyId: meta.Arn });
    const enabled = (await kms.describeKey({ KeyId: meta.KeyId })).KeyMetadata;
    expect(enabled.KeyState).toBe("Enabled");
    expect(enabled.ExpirationModel).toBe("KEY_MATERIAL_DOES_NOT_EXPIRE");
    expect(enabled.ValidTo).toBeUndefined();

    const { CiphertextBlob } = await kms.encrypt({ KeyId: meta.KeyId, Plaintext: utf8("imported") });
    // A token is used once.
    await rejects(kms.importKeyMaterial({ KeyId: meta.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }), "InvalidImportTokenException");

    expect(await kms.deleteImportedKeyMaterial({ KeyId: meta.KeyId })).toEqual({ KeyId: meta.Arn });
    expect((await kms.describeKey({ KeyId: meta.KeyId })).KeyMetadata.KeyState).toBe("PendingImport");
    await rejects(kms.decrypt({ CiphertextBlob }), "KMSInvalidStateException");
    await kms.deleteImportedKeyMaterial({ KeyId: meta.KeyId }); // no effect

    await rejects(importInto(kms, meta.KeyId, crypto.getRandomValues(new Uint8Array(32))), "IncorrectKeyMaterialException");
    await importInto(kms, meta.KeyId, material);
    expect(new TextDecoder().decode((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe("imported");
  });

  it("expires at ValidTo and moves to PendingImport", async () => {
    const { kms, clock } = setup();
    const meta = await externalKey(kms);
    const material = crypto.getRandomValues(new Uint8Array(32));
    const ValidTo = new Date(clock.now() + 10 * DAY);
    await importInto(kms, meta.KeyId, material, { ValidTo });
    const m = (await kms.describeKey({ KeyId: meta.KeyId })).KeyMetadata;
    expect(m.ValidTo).toEqual(ValidTo);
    expect(m.ExpirationModel).toBe("KEY_MATERIAL_EXPIRES");
    clock.advanceDays(10);
    expect(kms.sweep()).toEqual({ deleted: 0, rotated: 0, expired: 1 });
    const expired = (await kms.describeKey({ KeyId: meta.KeyId })).KeyMetadata;
    expect(expired.KeyState).toBe("PendingImport");
    expect(expired.ValidTo).toBeUndefined();
    await importInto(kms, meta.KeyId, material);
    expect((await kms.describeKey({ KeyId: meta.KeyId })).KeyMetadata.KeyState).toBe("Enabled");
  });

  it("expires while pending deletion, leaving the key PendingImport when deletion is cancelled", async () => {
    const { kms, clock } = setup();
    const { KeyId } = await externalKey(kms);
    await importInto(kms, KeyId, crypto.getRandomValues(new Uint8Array(32)), { ValidTo: new Date(clock.now() + 2 * DAY) });
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 });
    clock.advanceDays(3);
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe("PendingDeletion");
    await kms.cancelKeyDeletion({ KeyId });
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe("PendingImport");
  });

  it("checks ValidTo and ExpirationModel", async () => {
    const { kms, clock } = setup();
    const { KeyId } = await externalKey(kms);
    const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" });
    const base = { KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: await wrap(params.PublicKey, new Uint8Array(32)) };
    await rejects(kms.importKeyMaterial(base), "ValidationException", /ValidTo is required/);
    await rejects(kms.importKeyMaterial({ ...base, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", ValidTo: new Date(clock.now() + DAY) }), "ValidationException");
    await rejects(kms.importKeyMaterial({ ...base, ValidTo: new Date(clock.now() - 1) }), "ValidationException", /future/);
    await rejects(kms.importKeyMaterial({ ...base, ValidTo: new Date(clock.now() + 366 * DAY) }), "ValidationException", /365/);
    await rejects(kms.importKeyMaterial({ ...base, ExpirationModel: "SOMETIMES" as never }), "ValidationException");
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe("PendingImport");
    // The failures did not use up the token.
    await kms.importKeyMaterial({ ...base, ValidTo: new Date(clock.now() + 365 * DAY) });
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe("Enabled");
  });

  it("refuses expired, foreign and forged tokens and wrong-size material", async () => {
    const { kms, clock } = setup();
    const a = await externalKey(kms);
    const b = await externalKey(kms);
    const params = await kms.getParametersForImport({ KeyId: a.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" });
    const wrapped = await wrap(params.PublicKey, crypto.getRandomValues(new Uint8Array(32)));
    const req = { ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" } as const;
    await rejects(kms.importKeyMaterial({ KeyId: b.KeyId, ...req }), "InvalidImportTokenException", /different KMS key/);
    const forged = params.ImportToken.slice();
    forged[forged.length - 1] ^= 1;
    await rejects(kms.importKeyMaterial({ KeyId: a.KeyId, ...req, ImportToken: forged }), "InvalidImportTokenException");
    const short = await wrap(params.PublicKey, new Uint8Array(16));
    await rejects(kms.importKeyMaterial({ KeyId: a.KeyId, ...req, EncryptedKeyMaterial: short }), "IncorrectKeyMaterialException");
    await rejects(kms.importKeyMaterial({ KeyId: a.KeyId, ...req, EncryptedKeyMaterial: new Uint8Array(256) }), "InvalidCiphertextException");
    clock.advanceDays(1);
    await rejects(kms.importKeyMaterial({ KeyId: a.KeyId, ...req }), "ExpiredImportTokenException");
    // A token from another Kms (another root key) is not valid here.
    const other = setup().kms;
    await rejects(other.importKeyMaterial({ KeyId: a.KeyId, ...req }), "NotFoundException");
  });

  it("is only for EXTERNAL keys, and follows the key states", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await rejects(kms.getParametersForImport({ KeyId: id, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }), "UnsupportedOperationException");
    await rejects(kms.deleteImportedKeyMaterial({ KeyId: id }), "UnsupportedOperationException", /origin is AWS_KMS/);
    const ext = await externalKey(kms);
    await rejects(kms.getParametersForImport({ KeyId: ext.KeyId, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256" as never, WrappingKeySpec: "RSA_2048" }), "UnsupportedOperationException");
    await rejects(kms.enableKey({ KeyId: ext.KeyId }), "KMSInvalidStateException", /pending import/);
    await rejects(kms.disableKey({ KeyId: ext.KeyId }), "KMSInvalidStateException", /pending import/);
    await kms.scheduleKeyDeletion({ KeyId: ext.KeyId });
    await rejects(kms.getParametersForImport({ KeyId: ext.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }), "KMSInvalidStateException");
    await kms.cancelKeyDeletion({ KeyId: ext.KeyId });
    expect((await kms.describeKey({ KeyId: ext.KeyId })).KeyMetadata.KeyState).toBe("PendingImport");
  });
});
