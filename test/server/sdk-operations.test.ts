/**
 * Every operation the endpoint serves, through the real AWS SDK
 * (@aws-sdk/client-kms KMSClient): request and response shapes survive the
 * wire (blobs as base64, timestamps as epoch seconds), and what comes back
 * is what the Kms would have answered in process. The last test checks that
 * no served operation was left out.
 */
import { constants, createPublicKey, createVerify, publicEncrypt } from "node:crypto";
import * as K from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Endpoint, ROOT, startEndpoint, utf8 } from "./helpers.js";

let endpoint: Endpoint;
let kms: K.KMSClient;
/** Operations the SDK sent, by name ("Encrypt"). */
const sent = new Set<string>();
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

beforeAll(async () => {
  endpoint = await startEndpoint();
  kms = endpoint.client();
  kms.middlewareStack.add(
    (next, context) => (args) => {
      sent.add(String(context.commandName).replace(/Command$/, ""));
      return next(args);
    },
    { step: "initialize", name: "recordOperation" },
  );
});
afterAll(() => endpoint.close());

async function symmetricKey(description = "sdk test"): Promise<string> {
  const { KeyMetadata } = await kms.send(new K.CreateKeyCommand({ Description: description }));
  return KeyMetadata!.KeyId!;
}

describe("keys, tags and aliases", () => {
  it("CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, Disable/EnableKey", async () => {
    const created = await kms.send(
      new K.CreateKeyCommand({ Description: "orders", Tags: [{ TagKey: "team", TagValue: "payments" }] }),
    );
    const meta = created.KeyMetadata!;
    expect(meta).toMatchObject({ AWSAccountId: "111122223333", KeyState: "Enabled", KeySpec: "SYMMETRIC_DEFAULT", Enabled: true });
    expect(meta.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(meta.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    // What the SDK decoded is what the Kms holds.
    const inProcess = (await endpoint.kms.describeKey({ KeyId: meta.KeyId! })).KeyMetadata;
    expect((await kms.send(new K.DescribeKeyCommand({ KeyId: meta.Arn }))).KeyMetadata).toEqual(inProcess);

    expect((await kms.send(new K.ListKeysCommand({}))).Keys).toContainEqual({ KeyId: meta.KeyId, KeyArn: meta.Arn });
    await kms.send(new K.UpdateKeyDescriptionCommand({ KeyId: meta.KeyId, Description: "orders v2" }));
    await kms.send(new K.DisableKeyCommand({ KeyId: meta.KeyId }));
    expect((await kms.send(new K.DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata).toMatchObject({
      Description: "orders v2",
      KeyState: "Disabled",
    });
    await kms.send(new K.EnableKeyCommand({ KeyId: meta.KeyId }));
  });

  it("ListKeys pages with Limit and Marker", async () => {
    for (let i = 0; i < 3; i++) await symmetricKey(`page ${i}`);
    const first = await kms.send(new K.ListKeysCommand({ Limit: 2 }));
    expect(first).toMatchObject({ Truncated: true });
    const second = await kms.send(new K.ListKeysCommand({ Limit: 2, Marker: first.NextMarker }));
    expect(second.Keys!.length).toBeGreaterThan(0);
    expect(second.Keys!.map((k) => k.KeyId)).not.toContain(first.Keys![0].KeyId);
  });

  it("ScheduleKeyDeletion and CancelKeyDeletion", async () => {
    const keyId = await symmetricKey();
    const scheduled = await kms.send(new K.ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyState: "PendingDeletion", PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate).toBeInstanceOf(Date);
    expect(Math.round((scheduled.DeletionDate!.getTime() - Date.now()) / 86_400_000)).toBe(7);
    expect((await kms.send(new K.CancelKeyDeletionCommand({ KeyId: keyId }))).KeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    expect((await kms.send(new K.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe("Disabled");
  });

  it("TagResource, UntagResource, ListResourceTags", async () => {
    const keyId = await symmetricKey();
    await kms.send(new K.TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "a", TagValue: "1" }, { TagKey: "b", TagValue: "2" }] }));
    await kms.send(new K.UntagResourceCommand({ KeyId: keyId, TagKeys: ["a"] }));
    expect((await kms.send(new K.ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([{ TagKey: "b", TagValue: "2" }]);
  });

  it("CreateAlias, UpdateAlias, ListAliases, DeleteAlias", async () => {
    const [a, b] = [await symmetricKey(), await symmetricKey()];
    await kms.send(new K.CreateAliasCommand({ AliasName: "alias/sdk-test", TargetKeyId: a }));
    await kms.send(new K.UpdateAliasCommand({ AliasName: "alias/sdk-test", TargetKeyId: b }));
    const { Aliases } = await kms.send(new K.ListAliasesCommand({ KeyId: b }));
    expect(Aliases).toHaveLength(1);
    expect(Aliases![0]).toMatchObject({ AliasName: "alias/sdk-test", TargetKeyId: b });
    expect(Aliases![0].LastUpdatedDate).toBeInstanceOf(Date);
    await kms.send(new K.DeleteAliasCommand({ AliasName: "alias/sdk-test" }));
    expect((await kms.send(new K.ListAliasesCommand({ KeyId: b }))).Aliases).toEqual([]);
  });
});

describe("rotation and key policies", () => {
  it("Enable/DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations", async () => {
    const keyId = await symmetricKey();
    await kms.send(new K.EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    const status = await kms.send(new K.GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    expect(status.NextRotationDate).toBeInstanceOf(Date);
    const { CiphertextBlob } = await kms.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("before rotation") }));
    await kms.send(new K.RotateKeyOnDemandCommand({ KeyId: keyId }));
    const { Rotations } = await kms.send(new K.ListKeyRotationsCommand({ KeyId: keyId }));
    expect(Rotations).toHaveLength(1);
    expect(Rotations![0]).toMatchObject({ RotationType: "ON_DEMAND" });
    expect(Rotations![0].RotationDate).toBeInstanceOf(Date);
    expect(text((await kms.send(new K.DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe("before rotation");
    await kms.send(new K.DisableKeyRotationCommand({ KeyId: keyId }));
    expect((await kms.send(new K.GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(false);
  });

  it("GetKeyPolicy, PutKeyPolicy, ListKeyPolicies", async () => {
    const keyId = await symmetricKey();
    expect((await kms.send(new K.ListKeyPoliciesCommand({ KeyId: keyId }))).PolicyNames).toEqual(["default"]);
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "root", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }],
    });
    await kms.send(new K.PutKeyPolicyCommand({ KeyId: keyId, PolicyName: "default", Policy: policy }));
    const got = await kms.send(new K.GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }));
    expect(JSON.parse(got.Policy!)).toEqual(JSON.parse(policy));
  });
});

describe("symmetric cryptography", () => {
  it("Encrypt, Decrypt, ReEncrypt with encryption context", async () => {
    const [a, b] = [await symmetricKey(), await symmetricKey()];
    const context = { tenant: "acme", "ü": "ñ" };
    const plaintext = crypto.getRandomValues(new Uint8Array(4096));
    const encrypted = await kms.send(new K.EncryptCommand({ KeyId: a, Plaintext: plaintext, EncryptionContext: context }));
    expect(encrypted.EncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
    const decrypted = await kms.send(new K.DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }));
    expect(decrypted.Plaintext).toEqual(plaintext);
    expect(decrypted.KeyId).toBe(encrypted.KeyId);
    // A ciphertext made over the wire decrypts in process, and the other way round.
    expect((await endpoint.kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob!, EncryptionContext: context })).Plaintext).toEqual(plaintext);

    const moved = await kms.send(
      new K.ReEncryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        SourceEncryptionContext: context,
        DestinationKeyId: b,
        DestinationEncryptionContext: { other: "ctx" },
      }),
    );
    expect(moved.SourceKeyId).toBe(encrypted.KeyId);
    const back = await kms.send(new K.DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { other: "ctx" } }));
    expect(back.Plaintext).toEqual(plaintext);
  });

  it("GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom", async () => {
    const keyId = await symmetricKey();
    const dk = await kms.send(new K.GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { purpose: "test" } }));
    expect(dk.Plaintext).toHaveLength(32);
    const opened = await kms.send(new K.DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { purpose: "test" } }));
    expect(opened.Plaintext).toEqual(dk.Plaintext);
    const blind = await kms.send(new K.GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 64 }));
    expect("Plaintext" in blind).toBe(false);
    expect((await kms.send(new K.DecryptCommand({ CiphertextBlob: blind.CiphertextBlob }))).Plaintext).toHaveLength(64);
    expect((await kms.send(new K.GenerateRandomCommand({ NumberOfBytes: 1024 }))).Plaintext).toHaveLength(1024);
  });
});

describe("asymmetric keys and MACs", () => {
  it("GetPublicKey, Sign and Verify (ECC), verified outside wasmkms too", async () => {
    const { KeyMetadata } = await kms.send(new K.CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }));
    const keyId = KeyMetadata!.KeyId!;
    const message = utf8("signed over the wire");
    const { Signature } = await kms.send(new K.SignCommand({ KeyId: keyId, Message: message, MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256" }));
    const verified = await kms.send(
      new K.VerifyCommand({ KeyId: keyId, Message: message, MessageType: "RAW", Signature, SigningAlgorithm: "ECDSA_SHA_256" }),
    );
    expect(verified.SignatureValid).toBe(true);
    const { PublicKey, SigningAlgorithms } = await kms.send(new K.GetPublicKeyCommand({ KeyId: keyId }));
    expect(SigningAlgorithms).toContain("ECDSA_SHA_256");
    const spki = createPublicKey({ key: Buffer.from(PublicKey!), format: "der", type: "spki" });
    expect(createVerify("sha256").update(message).verify(spki, Buffer.from(Signature!))).toBe(true);
  });

  it("GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext", async () => {
    const keyId = await symmetricKey();
    const pair = await kms.send(new K.GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: "ECC_NIST_P256" }));
    expect(pair.KeyPairSpec).toBe("ECC_NIST_P256");
    const privateKey = await kms.send(new K.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    expect(privateKey.Plaintext).toEqual(pair.PrivateKeyPlaintext);
    createPublicKey({ key: Buffer.from(pair.PublicKey!), format: "der", type: "spki" });
    const blind = await kms.send(new K.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: "ECC_NIST_P256" }));
    expect("PrivateKeyPlaintext" in blind).toBe(false);
    expect(blind.PublicKey!.length).toBeGreaterThan(0);
  });

  it("GenerateMac and VerifyMac", async () => {
    const { KeyMetadata } = await kms.send(new K.CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
    const message = utf8("mac me");
    const { Mac } = await kms.send(new K.GenerateMacCommand({ KeyId: KeyMetadata!.KeyId, Message: message, MacAlgorithm: "HMAC_SHA_256" }));
    expect(Mac).toHaveLength(32);
    const ok = await kms.send(new K.VerifyMacCommand({ KeyId: KeyMetadata!.KeyId, Message: message, Mac, MacAlgorithm: "HMAC_SHA_256" }));
    expect(ok.MacValid).toBe(true);
  });
});

describe("imported key material", () => {
  it("GetParametersForImport, ImportKeyMaterial (with ValidTo), DeleteImportedKeyMaterial", async () => {
    const { KeyMetadata } = await kms.send(new K.CreateKeyCommand({ Origin: "EXTERNAL" }));
    const keyId = KeyMetadata!.KeyId!;
    expect(KeyMetadata!.KeyState).toBe("PendingImport");
    const params = await kms.send(
      new K.GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }),
    );
    expect(params.ParametersValidTo).toBeInstanceOf(Date);
    const wrappingKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" });
    const material = crypto.getRandomValues(new Uint8Array(32));
    const EncryptedKeyMaterial = publicEncrypt({ key: wrappingKey, oaepHash: "sha256", padding: constants.RSA_PKCS1_OAEP_PADDING }, material);
    const validTo = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000);
    await kms.send(
      new K.ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial,
        ExpirationModel: "KEY_MATERIAL_EXPIRES",
        ValidTo: validTo,
      }),
    );
    const imported = (await kms.send(new K.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect(imported.KeyState).toBe("Enabled");
    expect(imported.ValidTo).toEqual(validTo);
    await kms.send(new K.DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect((await kms.send(new K.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe("PendingImport");
  });
});

describe("grants and key usage", () => {
  it("CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant", async () => {
    const keyId = await symmetricKey();
    const grantee = "arn:aws:iam::111122223333:role/App";
    const retiree = "arn:aws:iam::111122223333:user/Retiree";
    const grant = await kms.send(
      new K.CreateGrantCommand({
        KeyId: keyId,
        GranteePrincipal: grantee,
        RetiringPrincipal: retiree,
        Operations: ["Encrypt", "Decrypt"],
        Constraints: { EncryptionContextSubset: { tenant: "acme" } },
        Name: "app",
      }),
    );
    expect(grant.GrantId).toBeTruthy();
    expect(grant.GrantToken).toBeTruthy();
    const { Grants } = await kms.send(new K.ListGrantsCommand({ KeyId: keyId }));
    expect(Grants).toHaveLength(1);
    expect(Grants![0]).toMatchObject({ GrantId: grant.GrantId, GranteePrincipal: grantee, Operations: ["Encrypt", "Decrypt"], Name: "app" });
    expect(Grants![0].Constraints).toEqual({ EncryptionContextSubset: { tenant: "acme" } });
    expect(Grants![0].CreationDate).toBeInstanceOf(Date);
    const retirable = await kms.send(new K.ListRetirableGrantsCommand({ RetiringPrincipal: retiree }));
    expect(retirable.Grants!.map((g) => g.GrantId)).toEqual([grant.GrantId]);
    await kms.send(new K.RetireGrantCommand({ KeyId: keyId, GrantId: grant.GrantId }));

    const second = await kms.send(new K.CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, Operations: ["Encrypt"] }));
    await kms.send(new K.RevokeGrantCommand({ KeyId: keyId, GrantId: second.GrantId }));
    expect((await kms.send(new K.ListGrantsCommand({ KeyId: keyId }))).Grants).toEqual([]);
  });

  it("GetKeyLastUsage", async () => {
    const keyId = await symmetricKey();
    const { CiphertextBlob } = await kms.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("x") }));
    await kms.send(new K.DecryptCommand({ CiphertextBlob }));
    const usage = await kms.send(new K.GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(usage.KeyLastUsage).toMatchObject({ Operation: "Decrypt" });
    expect(usage.KeyLastUsage!.Timestamp).toBeInstanceOf(Date);
    expect(usage.KeyCreationDate).toBeInstanceOf(Date);
  });
});

it("served every operation the Kms implements, and no other", () => {
  const served = endpoint.server.operations;
  expect(served.filter((operation) => !sent.has(operation))).toEqual([]);
  for (const method of ["as", "sweep", "close", "constructor"]) expect(served).not.toContain(method[0].toUpperCase() + method.slice(1));
  expect(served.length).toBeGreaterThanOrEqual(39);
});
