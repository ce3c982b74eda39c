// Key policies, IAM identity policies and their evaluation in the Kms: the
// seed scenario, delegation to IAM, explicit deny, cross-account use,
// condition keys, operations on no key, aliases, the lockout safety check and
// kms.explain.
import { describe, expect, it } from "vitest";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import {
  ACCOUNT,
  KEY_MANAGER,
  KEY_USER,
  OTHER_USER,
  PARTNER,
  PARTNER_ACCOUNT,
  ROOT,
  ROOT_STATEMENT,
  allowPolicy,
  allowStatement,
  keyPolicy,
  rejects,
  seedKeyPolicy,
  setup,
  symmetricKey,
  utf8,
  withSqliteFile,
} from "./helpers.js";

const LOCKOUT = /^The new key policy will not allow you to update the key policy in the future\.$/;

const rootStatement = ROOT_STATEMENT;

describe("the seed scenario", () => {
  it("lets KeyUser encrypt and decrypt but not administer, and KeyManager administer but not use the key", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms, { Policy: seedKeyPolicy() });
    const user = kms.as(KEY_USER);
    const manager = kms.as(KEY_MANAGER);

    const { CiphertextBlob } = await user.encrypt({ KeyId: id, Plaintext: utf8("hello") });
    expect(new TextDecoder().decode((await user.decrypt({ CiphertextBlob })).Plaintext)).toBe("hello");
    await rejects(user.disableKey({ KeyId: id }), "AccessDeniedException", new RegExp(`^User: ${KEY_USER} is not authorized to perform: kms:DisableKey on resource: ${arn} `));
    await rejects(user.scheduleKeyDeletion({ KeyId: id }), "AccessDeniedException", /kms:ScheduleKeyDeletion/);

    await rejects(manager.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException", /kms:Encrypt/);
    await rejects(manager.decrypt({ CiphertextBlob }), "AccessDeniedException", /kms:Decrypt/);
    await manager.disableKey({ KeyId: id });
    await rejects(user.encrypt({ KeyId: id, Plaintext: utf8("x") }), "DisabledException");
    await manager.enableKey({ KeyId: id });
    await manager.tagResource({ KeyId: id, Tags: [{ TagKey: "team", TagValue: "payments" }] });
    const { DeletionDate } = await manager.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    expect(DeletionDate).toBeInstanceOf(Date);
    await manager.cancelKeyDeletion({ KeyId: id });
  });

  it("gives the default key policy's key to the account: root directly, users through their IAM policies", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms);
    const { id: other } = await symmetricKey(kms);
    const alice = kms.as(OTHER_USER);
    await rejects(alice.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException", /because no identity-based policy allows the kms:Encrypt action$/);
    kms.iam.putPrincipalPolicy(OTHER_USER, "use-one-key", allowPolicy(["kms:Encrypt", "kms:Decrypt"], arn));
    const { CiphertextBlob } = await alice.encrypt({ KeyId: id, Plaintext: utf8("x") });
    await alice.decrypt({ CiphertextBlob });
    await rejects(alice.encrypt({ KeyId: other, Plaintext: utf8("x") }), "AccessDeniedException");
    await rejects(alice.disableKey({ KeyId: id }), "AccessDeniedException");
    kms.iam.deletePrincipalPolicy(OTHER_USER, "use-one-key");
    await rejects(alice.decrypt({ CiphertextBlob }), "AccessDeniedException");
  });

  it("does not count IAM policies when the key policy does not delegate to the account", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, { Policy: keyPolicy(rootStatement, { Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:Encrypt", Resource: "*" }) });
    kms.iam.putPrincipalPolicy(OTHER_USER, "all", allowPolicy("kms:*"));
    // The root statement names the account, so it does delegate: Other may.
    await kms.as(OTHER_USER).encrypt({ KeyId: id, Plaintext: utf8("x") });
    await kms.putKeyPolicy({
      KeyId: id,
      Policy: keyPolicy({ Effect: "Allow", Principal: { AWS: [KEY_USER, ROOT] }, Action: "kms:PutKeyPolicy", Resource: "*" }, { Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:Encrypt", Resource: "*" }),
    });
    await rejects(kms.as(OTHER_USER).encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException", /no identity-based policy|no resource-based policy/);
    await kms.as(KEY_USER).encrypt({ KeyId: id, Plaintext: utf8("x") });
    // Without kms:* for the account, even root is refused what the key policy does not give it.
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
  });
});

describe("explicit deny", () => {
  it("wins over every allow, in the key policy or in IAM", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, {
      Policy: keyPolicy(rootStatement, { Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:*", Resource: "*" }, {
        Effect: "Deny",
        Principal: { AWS: KEY_USER },
        Action: "kms:Decrypt",
        Resource: "*",
      }),
    });
    const user = kms.as(KEY_USER);
    const { CiphertextBlob } = await user.encrypt({ KeyId: id, Plaintext: utf8("x") });
    await rejects(user.decrypt({ CiphertextBlob }), "AccessDeniedException", /with an explicit deny in a resource-based policy$/);
    kms.iam.putPrincipalPolicy(KEY_USER, "no-encrypt", { Version: "2012-10-17", Statement: { Effect: "Deny", Action: "kms:Encrypt", Resource: "*" } });
    await rejects(user.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException", /with an explicit deny in an identity-based policy$/);
    await user.describeKey({ KeyId: id });
  });

  it("applies a Deny naming the account to everyone in it, root included", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, {
      Policy: keyPolicy(rootStatement, { Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: "kms:GenerateDataKey", Resource: "*" }),
    });
    await rejects(kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" }), "AccessDeniedException", /explicit deny/);
  });
});

describe("cross-account use", () => {
  const partnerStatement = { Sid: "Partner", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };

  it("needs the key policy and the other account's IAM policy, and only for the operations AWS allows across accounts", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms, { Policy: keyPolicy(rootStatement, partnerStatement) });
    const partner = kms.as(PARTNER);
    await rejects(partner.encrypt({ KeyId: arn, Plaintext: utf8("x") }), "AccessDeniedException", /because no identity-based policy allows the kms:Encrypt action$/);
    kms.iam.putPrincipalPolicy(PARTNER, "use-partner-key", allowPolicy("kms:*", arn));
    const { CiphertextBlob } = await partner.encrypt({ KeyId: arn, Plaintext: utf8("x") });
    await partner.decrypt({ CiphertextBlob });
    await partner.describeKey({ KeyId: arn });
    await rejects(partner.disableKey({ KeyId: arn }), "AccessDeniedException", /not permitted on a key in another account$/);
    await rejects(partner.putKeyPolicy({ KeyId: arn, Policy: keyPolicy(rootStatement) }), "AccessDeniedException");
    await rejects(partner.createKey(), "AccessDeniedException", /acts in the caller's own account/);
    // The other account's root needs no IAM policy.
    await kms.as(`arn:aws:iam::${PARTNER_ACCOUNT}:root`).encrypt({ KeyId: id, Plaintext: utf8("x") });
  });

  it("refuses another account the key policy does not name, whatever its IAM policies say", async () => {
    const { kms } = setup();
    const { arn } = await symmetricKey(kms);
    kms.iam.putPrincipalPolicy(PARTNER, "everything", allowPolicy("kms:*"));
    await rejects(kms.as(PARTNER).encrypt({ KeyId: arn, Plaintext: utf8("x") }), "AccessDeniedException", /no resource-based policy/);
  });
});

describe("condition keys", () => {
  it("checks the encryption context (kms:EncryptionContext:<key>, kms:EncryptionContextKeys)", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, {
      Policy: keyPolicy(
        rootStatement,
        allowStatement(KEY_USER, ["kms:Encrypt", "kms:Decrypt"], {
          StringEquals: { "kms:EncryptionContext:tenant": "acme" },
          "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["tenant", "purpose"] },
        }),
      ),
    });
    const user = kms.as(KEY_USER);
    const ok = { tenant: "acme", purpose: "invoices" };
    const { CiphertextBlob } = await user.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: ok });
    await user.decrypt({ CiphertextBlob, EncryptionContext: ok });
    await rejects(user.decrypt({ CiphertextBlob, EncryptionContext: { tenant: "evil", purpose: "invoices" } }), "AccessDeniedException");
    await rejects(user.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { tenant: "acme", extra: "1" } }), "AccessDeniedException");
    await rejects(user.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
  });

  it("supplies kms:RequestAlias, kms:ResourceAliases, aws:ResourceTag, kms:KeySpec and kms:CallerAccount", async () => {
    const { kms } = setup();
    const policy = keyPolicy(
      rootStatement,
      {
        Sid: "ByAlias",
        Effect: "Allow",
        Principal: { AWS: KEY_USER },
        Action: "kms:Encrypt",
        Resource: "*",
        Condition: { StringEquals: { "kms:RequestAlias": "alias/orders" } },
      },
      {
        Sid: "Tagged",
        Effect: "Allow",
        Principal: { AWS: KEY_USER },
        Action: "kms:GenerateDataKey",
        Resource: "*",
        Condition: { StringEquals: { "aws:ResourceTag/team": "orders", "kms:KeySpec": "SYMMETRIC_DEFAULT", "kms:CallerAccount": ACCOUNT } },
      },
      {
        Sid: "AliasedKey",
        Effect: "Allow",
        Principal: { AWS: KEY_USER },
        Action: "kms:DescribeKey",
        Resource: "*",
        Condition: { "ForAnyValue:StringLike": { "kms:ResourceAliases": "alias/order*" } },
      },
    );
    const { id } = await symmetricKey(kms, { Policy: policy });
    const user = kms.as(KEY_USER);
    await rejects(user.describeKey({ KeyId: id }), "AccessDeniedException");
    await kms.createAlias({ AliasName: "alias/orders", TargetKeyId: id });
    await kms.createAlias({ AliasName: "alias/other", TargetKeyId: id });
    await user.describeKey({ KeyId: id });
    await user.encrypt({ KeyId: "alias/orders", Plaintext: utf8("x") });
    await rejects(user.encrypt({ KeyId: "alias/other", Plaintext: utf8("x") }), "AccessDeniedException");
    await rejects(user.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
    await rejects(user.generateDataKey({ KeyId: id, KeySpec: "AES_256" }), "AccessDeniedException");
    await kms.tagResource({ KeyId: id, Tags: [{ TagKey: "team", TagValue: "orders" }] });
    await user.generateDataKey({ KeyId: id, KeySpec: "AES_256" });
  });

  it("gives kms:ViaService no value (no AWS service calls here)", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, {
      Policy: keyPolicy(rootStatement, allowStatement(KEY_USER, "kms:Encrypt", { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } })),
    });
    await rejects(kms.as(KEY_USER).encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
  });

  it("lets a role's sessions act with the role's key policy statements and IAM policies", async () => {
    const { kms } = setup();
    const role = `arn:aws:iam::${ACCOUNT}:role/App`;
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/App/worker-1`;
    const { id, arn } = await symmetricKey(kms, {
      Policy: keyPolicy(rootStatement, allowStatement(role, "kms:Encrypt")),
    });
    await kms.as(session).encrypt({ KeyId: id, Plaintext: utf8("x") });
    await rejects(kms.as(session).generateDataKey({ KeyId: id, KeySpec: "AES_256" }), "AccessDeniedException");
    kms.iam.putPrincipalPolicy(role, "gdk", allowPolicy("kms:GenerateDataKey", arn));
    await kms.as(session).generateDataKey({ KeyId: id, KeySpec: "AES_256" });
  });
});

describe("operations on no key and on aliases", () => {
  it("authorizes CreateKey, ListKeys, ListAliases and GenerateRandom by IAM alone, with CreateKey's condition keys", async () => {
    const { kms } = setup();
    const dev = kms.as(OTHER_USER);
    await rejects(dev.createKey(), "AccessDeniedException", new RegExp(`^User: ${OTHER_USER} is not authorized to perform: kms:CreateKey on resource: \\* because no identity-based policy allows the kms:CreateKey action$`));
    await rejects(dev.listKeys(), "AccessDeniedException");
    await rejects(dev.generateRandom({ NumberOfBytes: 8 }), "AccessDeniedException");
    kms.iam.putPrincipalPolicy(OTHER_USER, "symmetric-only", allowPolicy("kms:CreateKey", "*", { StringEquals: { "kms:KeySpec": "SYMMETRIC_DEFAULT" } }));
    kms.iam.putPrincipalPolicy(OTHER_USER, "list", allowPolicy(["kms:List*", "kms:GenerateRandom"]));
    const { KeyMetadata } = await dev.createKey();
    await rejects(dev.createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }), "AccessDeniedException");
    expect((await dev.listKeys()).Keys.map((k) => k.KeyId)).toEqual([KeyMetadata.KeyId]);
    await dev.listAliases();
    await dev.generateRandom({ NumberOfBytes: 8 });
    // The new key has the default policy: its creator needs IAM permission to use it.
    await rejects(dev.describeKey({ KeyId: KeyMetadata.KeyId }), "AccessDeniedException");
  });

  it("needs permission on the alias (IAM) and on the key (key policy) for alias operations", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, { Policy: seedKeyPolicy() });
    const manager = kms.as(KEY_MANAGER);
    await rejects(manager.createAlias({ AliasName: "alias/app", TargetKeyId: id }), "AccessDeniedException", /kms:CreateAlias on resource: arn:aws:kms:us-east-1:111122223333:alias\/app/);
    kms.iam.putPrincipalPolicy(KEY_MANAGER, "aliases", allowPolicy(["kms:CreateAlias", "kms:DeleteAlias"], `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app*`));
    await manager.createAlias({ AliasName: "alias/app", TargetKeyId: id });
    await rejects(manager.createAlias({ AliasName: "alias/zzz", TargetKeyId: id }), "AccessDeniedException");
    await rejects(kms.as(KEY_USER).deleteAlias({ AliasName: "alias/app" }), "AccessDeniedException");
    await manager.deleteAlias({ AliasName: "alias/app" });
  });
});

describe("policy documents", () => {
  it("refuses malformed key policies with the policy layer's reason, keeping the 32 KiB limit", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const noPrincipal = keyPolicy({ Effect: "Allow", Action: "kms:*", Resource: "*" });
    await rejects(kms.putKeyPolicy({ KeyId: id, Policy: noPrincipal }), "MalformedPolicyDocumentException", /^The key policy is not valid: .*Principal/);
    const badOperator = keyPolicy({ ...rootStatement, Condition: { StringEqualz: { "kms:CallerAccount": ACCOUNT } } });
    await rejects(kms.putKeyPolicy({ KeyId: id, Policy: badOperator }), "MalformedPolicyDocumentException", /StringEqualz/);
    await rejects(kms.createKey({ Policy: keyPolicy({ ...rootStatement, Effect: "Perhaps" }) }), "MalformedPolicyDocumentException", /Effect/);
    await rejects(kms.putKeyPolicy({ KeyId: id, Policy: keyPolicy(rootStatement).replace("{", `{"Pad":"${"x".repeat(33_000)}",`) }), "MalformedPolicyDocumentException", /32768/);
  });

  it("keeps IAM identity policies in the key store, validated, per user or role", () =>
    withSqliteFile(async (path, rootKey) => {
      const { kms } = setup({ store: new SqliteKeyStore(path), rootKey });
      kms.iam.putPrincipalPolicy(KEY_USER, "b", allowPolicy("kms:Encrypt"));
      kms.iam.putPrincipalPolicy(KEY_USER, "a", JSON.stringify(allowPolicy("kms:Decrypt")));
      expect(kms.iam.listPrincipalPolicies(KEY_USER)).toEqual(["a", "b"]);
      expect(JSON.parse(kms.iam.getPrincipalPolicy(KEY_USER, "b"))).toEqual(allowPolicy("kms:Encrypt"));
      expect(() => kms.iam.putPrincipalPolicy(KEY_USER, "c", { Version: "2012-10-17", Statement: { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" } })).toThrow(
        expect.objectContaining({ name: "MalformedPolicyDocumentException" }),
      );
      expect(() => kms.iam.putPrincipalPolicy(ROOT, "a", allowPolicy("kms:*"))).toThrow(TypeError);
      expect(() => kms.iam.getPrincipalPolicy(KEY_USER, "zzz")).toThrow(expect.objectContaining({ name: "NotFoundException" }));
      const { id } = await symmetricKey(kms);
      kms.close();
      const again = setup({ store: new SqliteKeyStore(path), rootKey }).kms;
      expect(again.iam.listPrincipalPolicies(KEY_USER)).toEqual(["a", "b"]);
      await again.as(KEY_USER).encrypt({ KeyId: id, Plaintext: utf8("x") });
      again.iam.deletePrincipalPolicy(KEY_USER, "b");
      await rejects(again.as(KEY_USER).encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
      again.close();
    }));
});

describe("lockout safety check", () => {
  it("refuses a key policy that would stop the caller from changing it, unless bypassed", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const usersOnly = keyPolicy({ Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:*", Resource: "*" });
    await rejects(kms.putKeyPolicy({ KeyId: id, Policy: usersOnly }), "MalformedPolicyDocumentException", LOCKOUT);
    await rejects(kms.createKey({ Policy: usersOnly }), "MalformedPolicyDocumentException", LOCKOUT);
    expect((await kms.listKeys()).Keys).toHaveLength(1);
    await kms.putKeyPolicy({ KeyId: id, Policy: usersOnly, BypassPolicyLockoutSafetyCheck: true });
    await rejects(kms.putKeyPolicy({ KeyId: id, Policy: keyPolicy(rootStatement) }), "AccessDeniedException");
    // KeyUser hands the key back to the account: that locks KeyUser out, so it needs the bypass too.
    await rejects(kms.as(KEY_USER).putKeyPolicy({ KeyId: id, Policy: keyPolicy(rootStatement) }), "MalformedPolicyDocumentException", LOCKOUT);
    await kms.as(KEY_USER).putKeyPolicy({ KeyId: id, Policy: keyPolicy(rootStatement), BypassPolicyLockoutSafetyCheck: true });
    await kms.putKeyPolicy({ KeyId: id, Policy: keyPolicy(rootStatement) });
    await kms.createKey({ Policy: usersOnly, BypassPolicyLockoutSafetyCheck: true });
  });

  it("counts the caller's IAM policies when the new policy delegates to the account", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, { Policy: seedKeyPolicy() });
    // KeyManager keeps kms:Put* under the seed policy.
    await kms.as(KEY_MANAGER).putKeyPolicy({ KeyId: id, Policy: seedKeyPolicy() });
    kms.iam.putPrincipalPolicy(OTHER_USER, "admin", allowPolicy("kms:*"));
    await kms.as(OTHER_USER).putKeyPolicy({ KeyId: id, Policy: keyPolicy(rootStatement) });
    const withoutRoot = keyPolicy({ Effect: "Allow", Principal: { AWS: KEY_MANAGER }, Action: "kms:*", Resource: "*" });
    await rejects(kms.as(OTHER_USER).putKeyPolicy({ KeyId: id, Policy: withoutRoot }), "MalformedPolicyDocumentException", LOCKOUT);
  });
});

describe("kms.explain", () => {
  it("returns the decision with the statements that decided it, and changes nothing", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms, { Policy: seedKeyPolicy() });
    const before = kms.audit?.size;
    const allowed = kms.explain({ principal: KEY_USER, action: "kms:Decrypt", keyId: id });
    expect(allowed).toMatchObject({ allowed: true, basis: "allowed-by-key-policy", message: "" });
    expect(allowed.deciding).toEqual([expect.objectContaining({ policy: "key policy", sid: "Allow use of the key" })]);
    expect(allowed.explanation).toMatch(/"Allow use of the key"/);

    const denied = kms.explain({ principal: KEY_MANAGER, action: "kms:Decrypt", keyId: arn });
    expect(denied.allowed).toBe(false);
    expect(denied.basis).toBe("no-iam-allow");
    expect(denied.message).toBe(`User: ${KEY_MANAGER} is not authorized to perform: kms:Decrypt on resource: ${arn} because no identity-based policy allows the kms:Decrypt action`);
    expect(denied.explanation).toMatch(/^Denied: /);

    expect(kms.explain({ principal: KEY_USER, action: "kms:CreateKey" })).toMatchObject({ allowed: false, basis: "no-iam-allow" });
    expect(kms.explain({ action: "kms:CreateKey" })).toMatchObject({ allowed: true });
    expect(kms.as(KEY_USER).explain({ action: "kms:Encrypt", keyId: id }).allowed).toBe(true);
    expect(kms.audit?.size).toBe(before);
  });

  it("evaluates conditions with the given encryption context, aliases and grants", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, {
      Policy: keyPolicy(rootStatement, allowStatement(KEY_USER, "kms:Decrypt", { StringEquals: { "kms:EncryptionContext:tenant": "acme" } })),
    });
    expect(kms.explain({ principal: KEY_USER, action: "kms:Decrypt", keyId: id, context: { tenant: "acme" } }).allowed).toBe(true);
    expect(kms.explain({ principal: KEY_USER, action: "kms:Decrypt", keyId: id, context: { tenant: "other" } }).allowed).toBe(false);
    const { GrantId } = await kms.createGrant({ KeyId: id, GranteePrincipal: OTHER_USER, Operations: ["Encrypt"] });
    expect(kms.explain({ principal: OTHER_USER, action: "kms:Encrypt", keyId: id })).toMatchObject({ allowed: true, basis: "allowed-by-grant", deciding: [{ grantId: GrantId }] });
    expect(() => kms.explain({ principal: KEY_USER, action: "Decrypt", keyId: id })).toThrow(/kms:Decrypt/);
    expect(() => kms.explain({ principal: KEY_USER, action: "kms:Decrypt", keyId: "alias/none" })).toThrow(/not found/);
  });
});
