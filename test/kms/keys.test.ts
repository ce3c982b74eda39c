import { describe, expect, it } from "vitest";
import { DAY, rejects, setup, symmetricKey, utf8 } from "./helpers.js";

describe("CreateKey and DescribeKey", () => {
  it("creates an Enabled symmetric key with AWS's metadata", async () => {
    const { kms, clock } = setup();
    const { KeyMetadata: m } = await kms.createKey({ Description: "orders" });
    expect(m).toEqual({
      AWSAccountId: "111122223333",
      KeyId: m.KeyId,
      Arn: `arn:aws:kms:us-east-1:111122223333:key/${m.KeyId}`,
      CreationDate: new Date(clock.now()),
      Enabled: true,
      Description: "orders",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyState: "Enabled",
      Origin: "AWS_KMS",
      KeyManager: "CUSTOMER",
      KeySpec: "SYMMETRIC_DEFAULT",
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      MultiRegion: false,
    });
    expect((await kms.describeKey({ KeyId: m.KeyId })).KeyMetadata).toEqual(m);
  });

  it("uses the account and region it was given", async () => {
    const { kms } = setup({ account: "999988887777", region: "eu-west-2" });
    const { KeyMetadata: m } = await kms.createKey();
    expect(m.Arn).toBe(`arn:aws:kms:eu-west-2:999988887777:key/${m.KeyId}`);
    expect(m.AWSAccountId).toBe("999988887777");
  });

  it("creates HMAC, RSA and ECC keys with their algorithm lists", async () => {
    const { kms } = setup();
    const hmac = (await kms.createKey({ KeySpec: "HMAC_384", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata;
    expect(hmac.MacAlgorithms).toEqual(["HMAC_SHA_384"]);
    expect(hmac.EncryptionAlgorithms).toBeUndefined();
    const ecc = (await kms.createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" })).KeyMetadata;
    expect(ecc.SigningAlgorithms).toEqual(["ECDSA_SHA_256"]);
    const rsa = (await kms.createKey({ CustomerMasterKeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" })).KeyMetadata;
    expect(rsa.EncryptionAlgorithms).toEqual(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
    expect(rsa.KeySpec).toBe("RSA_2048");
  });

  it("refuses invalid requests", async () => {
    const { kms } = setup();
    await rejects(kms.createKey({ KeySpec: "AES_256" as never }), "ValidationException", /enum/);
    await rejects(kms.createKey({ KeySpec: "RSA_2048", CustomerMasterKeySpec: "RSA_2048" }), "ValidationException");
    await rejects(kms.createKey({ KeySpec: "HMAC_256" }), "ValidationException", /not compatible/);
    await rejects(kms.createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "ENCRYPT_DECRYPT" }), "ValidationException");
    await rejects(kms.createKey({ KeySpec: "ECC_SECG_P256K1" as never, KeyUsage: "SIGN_VERIFY" }), "UnsupportedOperationException");
    await rejects(kms.createKey({ Origin: "AWS_CLOUDHSM" as never }), "UnsupportedOperationException");
    await rejects(kms.createKey({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }), "UnsupportedOperationException");
    await rejects(kms.createKey({ MultiRegion: true }), "UnsupportedOperationException");
    await rejects(kms.createKey({ Description: "x".repeat(8193) }), "ValidationException");
    await rejects(kms.createKey({ Policy: "{" }), "MalformedPolicyDocumentException");
    await rejects(kms.createKey({ Tags: [{ TagKey: "aws:x", TagValue: "1" }] }), "TagException");
    await rejects(kms.createKey(null as never), "ValidationException");
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  it("accepts key id, key ARN, alias name and alias ARN in DescribeKey", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms);
    await kms.createAlias({ AliasName: "alias/app", TargetKeyId: id });
    for (const KeyId of [id, arn, "alias/app", "arn:aws:kms:us-east-1:111122223333:alias/app"]) {
      expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyId).toBe(id);
    }
    await rejects(kms.describeKey({ KeyId: "alias/none" }), "NotFoundException", /alias\/none is not found/);
    await rejects(kms.describeKey({ KeyId: crypto.randomUUID() }), "NotFoundException", /does not exist/);
    await rejects(kms.describeKey({ KeyId: "nonsense" }), "NotFoundException");
    await rejects(kms.describeKey({ KeyId: "arn:aws:kms:bad" }), "InvalidArnException");
    await rejects(kms.describeKey({ KeyId: arn.replace("us-east-1", "us-west-2") }), "NotFoundException");
    await rejects(kms.describeKey({} as never), "ValidationException");
  });

  it("does not take aliases where AWS does not", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.createAlias({ AliasName: "alias/app", TargetKeyId: id });
    await rejects(kms.disableKey({ KeyId: "alias/app" }), "NotFoundException", /not an alias/);
    await rejects(kms.tagResource({ KeyId: "alias/app", Tags: [] }), "NotFoundException");
    await rejects(kms.enableKeyRotation({ KeyId: "alias/app" }), "NotFoundException");
    await rejects(kms.getKeyPolicy({ KeyId: "alias/app" }), "NotFoundException");
  });
});

describe("ListKeys", () => {
  it("pages with Limit, Marker, NextMarker and Truncated", async () => {
    const { kms } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await symmetricKey(kms)).id);
    ids.sort();
    const seen: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await kms.listKeys({ Limit: 3, Marker });
      pages++;
      seen.push(...page.Keys.map((k) => k.KeyId));
      for (const k of page.Keys) expect(k.KeyArn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${k.KeyId}`);
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      Marker = page.NextMarker;
    } while (Marker);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    expect((await kms.listKeys()).Keys.length).toBe(7);
  });

  it("validates Limit and Marker", async () => {
    const { kms } = setup();
    await rejects(kms.listKeys({ Limit: 0 }), "ValidationException");
    await rejects(kms.listKeys({ Limit: 1001 }), "ValidationException");
    await rejects(kms.listKeys({ Limit: 1.5 }), "ValidationException");
    await rejects(kms.listKeys({ Marker: "garbage" }), "InvalidMarkerException");
    await rejects(kms.listKeys({ Marker: "aliases:alias/x" }), "InvalidMarkerException");
  });
});

describe("key state machine", () => {
  it("goes Enabled ↔ Disabled → PendingDeletion → Disabled (cancel) → PendingDeletion → gone", async () => {
    const { kms, clock } = setup();
    const { id, arn } = await symmetricKey(kms);
    const state = async () => (await kms.describeKey({ KeyId: id })).KeyMetadata;

    await kms.disableKey({ KeyId: id });
    expect((await state()).KeyState).toBe("Disabled");
    expect((await state()).Enabled).toBe(false);
    await kms.disableKey({ KeyId: id }); // idempotent
    await kms.enableKey({ KeyId: arn });
    expect((await state()).KeyState).toBe("Enabled");

    const scheduled = await kms.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    expect(scheduled).toEqual({ KeyId: arn, DeletionDate: new Date(clock.now() + 7 * DAY), KeyState: "PendingDeletion", PendingWindowInDays: 7 });
    const pending = await state();
    expect(pending.KeyState).toBe("PendingDeletion");
    expect(pending.DeletionDate).toEqual(scheduled.DeletionDate);
    expect(pending.PendingDeletionWindowInDays).toBe(7);
    await rejects(kms.scheduleKeyDeletion({ KeyId: id }), "KMSInvalidStateException", /is pending deletion/);
    await rejects(kms.enableKey({ KeyId: id }), "KMSInvalidStateException");

    expect(await kms.cancelKeyDeletion({ KeyId: id })).toEqual({ KeyId: arn });
    const cancelled = await state();
    expect(cancelled.KeyState).toBe("Disabled");
    expect(cancelled.DeletionDate).toBeUndefined();
    expect(cancelled.PendingDeletionWindowInDays).toBeUndefined();
    await rejects(kms.cancelKeyDeletion({ KeyId: id }), "KMSInvalidStateException", /is not pending deletion/);

    await kms.scheduleKeyDeletion({ KeyId: id });
    clock.advanceDays(30);
    clock.advance(-1);
    expect((await state()).KeyState).toBe("PendingDeletion");
    clock.advance(1);
    await rejects(kms.describeKey({ KeyId: id }), "NotFoundException");
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  it("checks the deletion window", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await rejects(kms.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 6 }), "ValidationException");
    await rejects(kms.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 31 }), "ValidationException");
    expect((await kms.scheduleKeyDeletion({ KeyId: id })).PendingWindowInDays).toBe(30);
  });

  it("deletes due keys, with their aliases, in listKeys and sweep", async () => {
    const { kms, clock } = setup();
    const a = await symmetricKey(kms);
    const b = await symmetricKey(kms);
    await kms.createAlias({ AliasName: "alias/a", TargetKeyId: a.id });
    await kms.scheduleKeyDeletion({ KeyId: a.id, PendingWindowInDays: 7 });
    await kms.scheduleKeyDeletion({ KeyId: b.id, PendingWindowInDays: 10 });
    clock.advanceDays(8);
    expect(kms.sweep()).toEqual({ deleted: 1, rotated: 0, expired: 0 });
    expect((await kms.listAliases()).Aliases).toEqual([]);
    expect((await kms.listKeys()).Keys.map((k) => k.KeyId)).toEqual([b.id]);
    clock.advanceDays(2);
    expect((await kms.listKeys()).Keys).toEqual([]);
    expect(kms.sweep().deleted).toBe(0);
  });

  it("lets a disabled key be described, tagged and re-described but not used", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.disableKey({ KeyId: id });
    await kms.updateKeyDescription({ KeyId: id, Description: "off" });
    await kms.tagResource({ KeyId: id, Tags: [{ TagKey: "k", TagValue: "v" }] });
    expect((await kms.describeKey({ KeyId: id })).KeyMetadata.Description).toBe("off");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x") }), "DisabledException", /is disabled/);
  });
});

describe("UpdateKeyDescription", () => {
  it("changes the description and validates it", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, { Description: "a" });
    await kms.updateKeyDescription({ KeyId: id, Description: "" });
    expect((await kms.describeKey({ KeyId: id })).KeyMetadata.Description).toBe("");
    await rejects(kms.updateKeyDescription({ KeyId: id } as never), "ValidationException");
    await rejects(kms.updateKeyDescription({ KeyId: id, Description: "x".repeat(8193) }), "ValidationException");
  });
});

describe("tags", () => {
  it("adds, replaces, removes and lists tags", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, { Tags: [{ TagKey: "team", TagValue: "a" }] });
    await kms.tagResource({ KeyId: id, Tags: [{ TagKey: "team", TagValue: "b" }, { TagKey: "cost", TagValue: "" }] });
    expect((await kms.listResourceTags({ KeyId: id })).Tags).toEqual([
      { TagKey: "cost", TagValue: "" },
      { TagKey: "team", TagValue: "b" },
    ]);
    await kms.untagResource({ KeyId: id, TagKeys: ["cost", "absent"] });
    expect((await kms.listResourceTags({ KeyId: id })).Tags).toEqual([{ TagKey: "team", TagValue: "b" }]);
  });

  it("pages tags and enforces the tag rules", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const tags = Array.from({ length: 50 }, (_, i) => ({ TagKey: `k${String(i).padStart(2, "0")}`, TagValue: "v" }));
    await kms.tagResource({ KeyId: id, Tags: tags });
    const first = await kms.listResourceTags({ KeyId: id, Limit: 20 });
    expect(first.Tags.length).toBe(20);
    expect(first.Truncated).toBe(true);
    const second = await kms.listResourceTags({ KeyId: id, Limit: 40, Marker: first.NextMarker });
    expect(second.Tags[0].TagKey).toBe("k20");
    expect(second.Truncated).toBe(false);
    await rejects(kms.tagResource({ KeyId: id, Tags: [{ TagKey: "one-too-many", TagValue: "v" }] }), "LimitExceededException");
    await rejects(kms.tagResource({ KeyId: id, Tags: [{ TagKey: "", TagValue: "v" }] }), "TagException");
    await rejects(kms.tagResource({ KeyId: id, Tags: [{ TagKey: "k00", TagValue: "x".repeat(257) }] }), "TagException");
    await rejects(kms.tagResource({ KeyId: id, Tags: [{ TagKey: "k00", TagValue: "1" }, { TagKey: "k00", TagValue: "2" }] }), "TagException");
    await rejects(kms.untagResource({ KeyId: id, TagKeys: "k00" as never }), "TagException");
    // A failed TagResource changed nothing.
    expect((await kms.listResourceTags({ KeyId: id, Limit: 100 })).Tags).toEqual(tags);
  });

  it("refuses tag changes on a key pending deletion", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.scheduleKeyDeletion({ KeyId: id });
    await rejects(kms.tagResource({ KeyId: id, Tags: [{ TagKey: "a", TagValue: "b" }] }), "KMSInvalidStateException");
    await rejects(kms.untagResource({ KeyId: id, TagKeys: ["a"] }), "KMSInvalidStateException");
    expect((await kms.listResourceTags({ KeyId: id })).Tags).toEqual([]);
  });
});

describe("key policies", () => {
  it("gives new keys AWS's default policy", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const { Policy, PolicyName } = await kms.getKeyPolicy({ KeyId: id });
    expect(PolicyName).toBe("default");
    expect(JSON.parse(Policy)).toEqual({
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [
        {
          Sid: "Enable IAM User Permissions",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    });
    expect(await kms.listKeyPolicies({ KeyId: id })).toEqual({ PolicyNames: ["default"], Truncated: false });
  });

  it("stores a policy given at creation or by PutKeyPolicy", async () => {
    const { kms } = setup();
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" } });
    const { id } = await symmetricKey(kms, { Policy: policy });
    expect((await kms.getKeyPolicy({ KeyId: id, PolicyName: "default" })).Policy).toBe(policy);
    const next = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" },
        { Effect: "Deny", Principal: "*", Action: "kms:Encrypt", Resource: "*" },
      ],
    });
    await kms.putKeyPolicy({ KeyId: id, Policy: next });
    expect((await kms.getKeyPolicy({ KeyId: id })).Policy).toBe(next);
    await kms.scheduleKeyDeletion({ KeyId: id });
    await kms.putKeyPolicy({ KeyId: id, Policy: policy }); // allowed in any state
  });

  it("refuses malformed policies with the reason", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const bad: [string, RegExp][] = [
      ["not json", /not JSON/],
      ["[]", /JSON object/],
      [JSON.stringify({ Statement: [] }), /Version/],
      [JSON.stringify({ Version: "2012-10-17" }), /Statement/],
      [JSON.stringify({ Version: "2012-10-17", Statement: [] }), /Statement/],
      [JSON.stringify({ Version: "2012-10-17", Statement: ["x"] }), /statement must be/],
      [JSON.stringify({ Version: "2012-10-17", Statement: {}, Pad: "x".repeat(33_000) }), /32768/],
      [JSON.stringify({ Version: "2012-10-17", Statement: {}, Sid: "\u0100" }), /characters/],
    ];
    for (const [Policy, why] of bad) await rejects(kms.putKeyPolicy({ KeyId: id, Policy }), "MalformedPolicyDocumentException", why);
    await rejects(kms.getKeyPolicy({ KeyId: id, PolicyName: "other" }), "NotFoundException");
    await rejects(kms.putKeyPolicy({ KeyId: id, PolicyName: "other", Policy: "{}" }), "NotFoundException");
  });
});

describe("Kms construction", () => {
  it("refuses bad options", async () => {
    const { Kms } = await import("../../src/kms/index.js");
    expect(() => new Kms({ account: "123" })).toThrow(/12 digits/);
    expect(() => new Kms({ region: "Mars" })).toThrow(/region/);
    expect(() => new Kms({ rootKey: new Uint8Array(16) })).toThrow(/32 bytes/);
  });

  it("closes: later calls fail, and views close with it", async () => {
    const { kms } = setup();
    const view = kms.as("arn:aws:iam::111122223333:user/Alice");
    kms.iam.putPrincipalPolicy(view.principal, "kms-all", { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "kms:*", Resource: "*" } });
    expect(view.principal).toBe("arn:aws:iam::111122223333:user/Alice");
    expect(kms.principal).toBe("arn:aws:iam::111122223333:root");
    const { id } = await symmetricKey(view);
    expect((await kms.describeKey({ KeyId: id })).KeyMetadata.KeyId).toBe(id);
    kms.close();
    kms.close();
    await expect(view.listKeys()).rejects.toThrow(/closed/);
    expect(() => kms.as("not an arn")).toThrow(/principal ARN/);
  });
});
