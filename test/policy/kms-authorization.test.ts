import { describe, expect, it } from "vitest";
import { authorizeKms, defaultKeyPolicy, type KmsAuthorizationInput, keepsPutKeyPolicy, parsePolicy, type Policy } from "../../src/policy/index.js";
import { ACCOUNT, KEY, KEY_MANAGER, KEY_USER, OTHER, request, ROOT } from "./helpers.js";

const DEFAULT = parsePolicy(defaultKeyPolicy(ACCOUNT), { kind: "resource" });
const BOB = `arn:aws:iam::${OTHER}:user/Bob`;
const OTHER_ROOT = `arn:aws:iam::${OTHER}:root`;

const keyPolicy = (...Statement: object[]) => parsePolicy({ Version: "2012-10-17", Statement }, { kind: "resource" });
const iamPolicy = (...Statement: object[]) => parsePolicy({ Version: "2012-10-17", Statement }, { kind: "identity" });
const allowIam = (Action: string | string[], Resource: string | string[] = "*") => iamPolicy({ Effect: "Allow", Action, Resource });

function decide(
  principal: string,
  action: string,
  policy: Policy,
  identity: Record<string, Policy> = {},
  extra: Partial<KmsAuthorizationInput> = {},
  conditions = {},
) {
  return authorizeKms({
    keyAccount: ACCOUNT,
    request: request({ principal, action, conditions }),
    keyPolicy: policy,
    identityPolicies: Object.entries(identity).map(([name, p]) => ({ name, policy: p })),
    ...extra,
  });
}

describe("the default key policy", () => {
  it("is AWS's: the account root gets kms:*, Sid 'Enable IAM User Permissions'", () => {
    expect(JSON.parse(defaultKeyPolicy(ACCOUNT))).toEqual({
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }],
    });
  });

  it("lets the root do anything, directly", () => {
    const d = decide(ROOT, "kms:ScheduleKeyDeletion", DEFAULT);
    expect(d).toMatchObject({ allowed: true, basis: "allowed-by-key-policy", message: "" });
    expect(d.deciding).toEqual([{ policy: "key policy", sid: "Enable IAM User Permissions", index: 0, effect: "Allow" }]);
  });

  it("delegates to IAM: a user needs an IAM policy that allows the action on the key", () => {
    const none = decide(KEY_USER, "kms:Encrypt", DEFAULT);
    expect(none).toMatchObject({ allowed: false, basis: "no-iam-allow" });
    expect(none.message).toBe(
      `User: ${KEY_USER} is not authorized to perform: kms:Encrypt on resource: ${KEY} because no identity-based policy allows the kms:Encrypt action`,
    );
    expect(none.explanation).toContain(`delegates kms:Encrypt on ${KEY} to account ${ACCOUNT}'s IAM policies`);

    const ok = decide(KEY_USER, "kms:Encrypt", DEFAULT, { KmsUse: allowIam(["kms:Encrypt", "kms:Decrypt"], `arn:aws:kms:*:${ACCOUNT}:key/*`) });
    expect(ok).toMatchObject({ allowed: true, basis: "allowed-by-iam" });
    expect(ok.deciding).toEqual([
      { policy: "key policy", sid: "Enable IAM User Permissions", index: 0, effect: "Allow" },
      { policy: "KmsUse", index: 0, effect: "Allow" },
    ]);
    expect(ok.explanation).toBe(
      `Allowed: key policy statement "Enable IAM User Permissions" allows account ${ACCOUNT}, which delegates the key to the account's IAM policies, and IAM policy "KmsUse" statement 1 allows kms:Encrypt for ${KEY_USER} on ${KEY}; no statement denies it.`,
    );

    expect(decide(KEY_USER, "kms:Sign", DEFAULT, { KmsUse: allowIam("kms:Encrypt") }).allowed).toBe(false);
    expect(decide(KEY_USER, "kms:Encrypt", DEFAULT, { KmsUse: allowIam("kms:Encrypt", `arn:aws:kms:*:${ACCOUNT}:key/other`) }).allowed).toBe(false);
  });
});

describe("authorizeKms", () => {
  const useStatement = { Sid: "Use", Effect: "Allow", Principal: { AWS: KEY_USER }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*" };
  const noRoot = keyPolicy(useStatement);

  it("a key policy statement naming the caller is enough on its own", () => {
    const d = decide(KEY_USER, "kms:Decrypt", noRoot);
    expect(d).toMatchObject({ allowed: true, basis: "allowed-by-key-policy", deciding: [{ policy: "key policy", sid: "Use", index: 0, effect: "Allow" }] });
    expect(d.explanation).toBe(`Allowed: key policy statement "Use" allows kms:Decrypt for ${KEY_USER} on ${KEY}; no statement denies it.`);
  });

  it("IAM policies count for nothing without the key policy's delegation", () => {
    const d = decide(KEY_MANAGER, "kms:Encrypt", noRoot, { Admin: allowIam("kms:*") });
    expect(d).toMatchObject({ allowed: false, basis: "no-allow", deciding: [] });
    expect(d.message).toBe(
      `User: ${KEY_MANAGER} is not authorized to perform: kms:Encrypt on resource: ${KEY} because no resource-based policy allows the kms:Encrypt action`,
    );
    expect(d.explanation).toBe(
      `Denied: no statement in the key policy allows kms:Encrypt for ${KEY_MANAGER} on ${KEY}, and none delegates it to account ${ACCOUNT}'s IAM policies (IAM policy "Admin" statement 1 would allow it, but IAM policies count only when the key policy allows the account); no grant applies.`,
    );
  });

  it("without a root statement even the root is locked out", () => {
    expect(decide(ROOT, "kms:PutKeyPolicy", noRoot)).toMatchObject({ allowed: false, basis: "no-allow" });
  });

  it("Principal '*' allows directly, limited by conditions such as kms:CallerAccount", () => {
    const policy = keyPolicy({ Sid: "Account", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT } } });
    expect(decide(KEY_MANAGER, "kms:Decrypt", policy)).toMatchObject({ allowed: true, basis: "allowed-by-key-policy" });
    expect(decide(BOB, "kms:Decrypt", policy, { Any: allowIam("kms:*") })).toMatchObject({ allowed: false, basis: "no-allow" });
  });

  describe("an explicit deny wins everywhere", () => {
    const denyDeletion = { Sid: "NoDeletion", Effect: "Deny", Principal: "*", Action: ["kms:ScheduleKeyDeletion", "kms:Disable*"], Resource: "*" };
    const everything = keyPolicy({ Sid: "Root", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }, { ...useStatement, Action: "kms:*" }, denyDeletion);

    it("over the key policy's own allows, for the root too", () => {
      for (const who of [ROOT, KEY_USER]) {
        const d = decide(who, "kms:ScheduleKeyDeletion", everything);
        expect(d).toMatchObject({ allowed: false, basis: "explicit-deny", deciding: [{ policy: "key policy", sid: "NoDeletion", index: 2, effect: "Deny" }] });
        expect(d.message).toBe(`User: ${who} is not authorized to perform: kms:ScheduleKeyDeletion on resource: ${KEY} with an explicit deny in a resource-based policy`);
        expect(d.explanation).toBe(`Denied: key policy statement "NoDeletion" explicitly denies kms:ScheduleKeyDeletion for ${who} on ${KEY}; an explicit deny overrides every allow.`);
      }
      expect(decide(KEY_USER, "kms:Encrypt", everything).allowed).toBe(true);
    });

    it("from an IAM policy, over a direct key policy allow", () => {
      const d = decide(KEY_USER, "kms:Decrypt", everything, { Guard: iamPolicy({ Sid: "NoDecrypt", Effect: "Deny", Action: "kms:Decrypt", Resource: "*" }) });
      expect(d).toMatchObject({ allowed: false, basis: "explicit-deny", deciding: [{ policy: "Guard", sid: "NoDecrypt", index: 0, effect: "Deny" }] });
      expect(d.message).toMatch(/with an explicit deny in an identity-based policy$/);
    });

    it("over grants and across accounts", () => {
      const grants = [{ grantId: "g1" }];
      expect(decide(KEY_USER, "kms:DisableKey", everything, {}, { grants }).basis).toBe("explicit-deny");
      const shared = keyPolicy({ Effect: "Allow", Principal: { AWS: OTHER }, Action: "kms:*", Resource: "*" }, { Effect: "Deny", Principal: { AWS: OTHER }, Action: "kms:Decrypt", Resource: "*" });
      expect(decide(BOB, "kms:Decrypt", shared, { All: allowIam("kms:*") }, { grants }).basis).toBe("explicit-deny");
      expect(decide(BOB, "kms:Encrypt", shared, { All: allowIam("kms:*") }).basis).toBe("allowed-cross-account");
    });

    it("from a Deny whose condition holds only for some requests", () => {
      const policy = keyPolicy(
        { Sid: "Root", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
        { Sid: "ContextRequired", Effect: "Deny", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { Null: { "kms:EncryptionContext:tenant": "true" } } },
      );
      expect(decide(ROOT, "kms:Decrypt", policy).basis).toBe("explicit-deny");
      expect(decide(ROOT, "kms:Decrypt", policy, {}, {}, { "kms:EncryptionContext:tenant": "t1" }).allowed).toBe(true);
    });
  });

  describe("grants", () => {
    it("allow on their own when no policy does, and are named in the decision", () => {
      const grants = [{ grantId: "0123abcd", name: "batch" }];
      const d = decide(KEY_MANAGER, "kms:Decrypt", noRoot, {}, { grants });
      expect(d).toMatchObject({ allowed: true, basis: "allowed-by-grant", deciding: grants });
      expect(d.explanation).toContain('grant 0123abcd ("batch") allows kms:Decrypt');
    });

    it("are not needed when the key policy allows", () => {
      expect(decide(KEY_USER, "kms:Decrypt", noRoot, {}, { grants: [{ grantId: "g" }] }).basis).toBe("allowed-by-key-policy");
    });

    it("work across accounts without an IAM policy", () => {
      expect(decide(BOB, "kms:Decrypt", noRoot, {}, { grants: [{ grantId: "g" }] })).toMatchObject({ allowed: true, basis: "allowed-by-grant" });
    });
  });

  describe("cross-account", () => {
    const shareWithAccount = keyPolicy(
      { Sid: "Root", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
      { Sid: "External", Effect: "Allow", Principal: { AWS: OTHER_ROOT }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ScheduleKeyDeletion"], Resource: "*" },
    );
    const shareWithBob = keyPolicy({ Sid: "Bob", Effect: "Allow", Principal: { AWS: BOB }, Action: "kms:Decrypt", Resource: "*" });

    it("needs the key policy (naming the account or the caller) and the caller's IAM policy", () => {
      const iam = { BobKms: allowIam("kms:Decrypt", `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`) };
      for (const policy of [shareWithAccount, shareWithBob]) {
        const ok = decide(BOB, "kms:Decrypt", policy, iam);
        expect(ok).toMatchObject({ allowed: true, basis: "allowed-cross-account" });
        expect(ok.explanation).toMatch(/^Allowed across accounts \(caller in 444455556666, key in 111122223333\): key policy statement "(External|Bob)" allows kms:Decrypt/);
        const noIam = decide(BOB, "kms:Decrypt", policy);
        expect(noIam).toMatchObject({ allowed: false, basis: "cross-account-no-iam" });
        expect(noIam.message).toMatch(/because no identity-based policy allows the kms:Decrypt action$/);
      }
    });

    it("an IAM policy alone is not enough", () => {
      const d = decide(BOB, "kms:Decrypt", DEFAULT, { BobKms: allowIam("kms:*") });
      expect(d).toMatchObject({ allowed: false, basis: "no-allow" });
      expect(d.message).toMatch(/because no resource-based policy allows the kms:Decrypt action$/);
    });

    it("the other account's root needs no IAM policy", () => {
      expect(decide(OTHER_ROOT, "kms:Encrypt", shareWithAccount)).toMatchObject({ allowed: true, basis: "allowed-cross-account" });
      expect(decide(OTHER_ROOT, "kms:Encrypt", shareWithAccount).explanation).toContain("root user, which IAM policies do not limit");
    });

    it("only for the operations AWS permits across accounts", () => {
      const d = decide(BOB, "kms:ScheduleKeyDeletion", shareWithAccount, { All: allowIam("kms:*") });
      expect(d).toMatchObject({ allowed: false, basis: "cross-account-unsupported" });
      expect(d.message).toBe(`User: ${BOB} is not authorized to perform: kms:ScheduleKeyDeletion on resource: ${KEY} because kms:ScheduleKeyDeletion is not permitted on a key in another account`);
      expect(decide(BOB, "kms:DescribeKey", shareWithAccount, { All: allowIam("kms:*") }).allowed).toBe(true);
    });
  });

  it("a service principal named in the key policy is allowed by it", () => {
    const policy = keyPolicy({ Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:GenerateDataKey*"], Resource: "*" });
    expect(decide("logs.us-east-1.amazonaws.com", "kms:GenerateDataKey", policy).allowed).toBe(true);
    expect(decide("logs.us-east-1.amazonaws.com", "kms:Decrypt", policy).allowed).toBe(false);
  });
});

describe("the seed scenario: key users and key administrators", () => {
  const seed = keyPolicy(
    { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
    {
      Sid: "Allow access for Key Administrators",
      Effect: "Allow",
      Principal: { AWS: KEY_MANAGER },
      Action: [
        "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
        "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
      ],
      Resource: "*",
    },
    {
      Sid: "Allow use of the key",
      Effect: "Allow",
      Principal: { AWS: KEY_USER },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
    },
  );
  const INTERN = `arn:aws:iam::${ACCOUNT}:user/Intern`;
  const OPS = `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice`;
  const identity: Record<string, Record<string, Policy>> = { [OPS]: { ReadOnly: allowIam(["kms:Describe*", "kms:List*"]) } };
  const principals = [ROOT, KEY_USER, KEY_MANAGER, INTERN, OPS, BOB];

  // Written out by hand: root, KeyUser, KeyManager, Intern (no IAM), Ops (IAM Describe*/List*), Bob (other account).
  const table: [string, string][] = [
    ["Encrypt", "YY----"],
    ["Decrypt", "YY----"],
    ["ReEncryptFrom", "YY----"],
    ["ReEncryptTo", "YY----"],
    ["GenerateDataKey", "YY----"],
    ["GenerateDataKeyWithoutPlaintext", "YY----"],
    ["GenerateDataKeyPair", "YY----"],
    ["GenerateDataKeyPairWithoutPlaintext", "YY----"],
    ["GenerateMac", "Y-----"],
    ["VerifyMac", "Y-----"],
    ["Sign", "Y-----"],
    ["Verify", "Y-----"],
    ["DescribeKey", "YYY-Y-"],
    ["GetPublicKey", "Y-Y---"],
    ["GetKeyPolicy", "Y-Y---"],
    ["GetKeyRotationStatus", "Y-Y---"],
    ["GetParametersForImport", "Y-Y---"],
    ["ListGrants", "Y-Y-Y-"],
    ["ListKeyPolicies", "Y-Y-Y-"],
    ["ListResourceTags", "Y-Y-Y-"],
    ["ListKeyRotations", "Y-Y-Y-"],
    ["CreateGrant", "Y-Y---"],
    ["CreateAlias", "Y-Y---"],
    ["PutKeyPolicy", "Y-Y---"],
    ["UpdateKeyDescription", "Y-Y---"],
    ["UpdateAlias", "Y-Y---"],
    ["EnableKey", "Y-Y---"],
    ["EnableKeyRotation", "Y-Y---"],
    ["DisableKey", "Y-Y---"],
    ["DisableKeyRotation", "Y-Y---"],
    ["RevokeGrant", "Y-Y---"],
    ["DeleteAlias", "Y-Y---"],
    ["DeleteImportedKeyMaterial", "Y-Y---"],
    ["TagResource", "Y-Y---"],
    ["UntagResource", "Y-Y---"],
    ["ScheduleKeyDeletion", "Y-Y---"],
    ["CancelKeyDeletion", "Y-Y---"],
    ["RetireGrant", "Y-----"],
    ["ImportKeyMaterial", "Y-----"],
    ["RotateKeyOnDemand", "Y-----"],
  ];

  it("every principal × every operation matches the hand-written table", () => {
    const actual = table.map(([op]) => [
      op,
      principals.map((p) => (decide(p, `kms:${op}`, seed, identity[p] ?? {}).allowed ? "Y" : "-")).join(""),
    ]);
    expect(actual).toEqual(table);
  });

  it("KeyUser encrypts but cannot disable or schedule deletion; KeyManager administers but cannot encrypt", () => {
    expect(decide(KEY_USER, "kms:Encrypt", seed)).toMatchObject({ allowed: true, basis: "allowed-by-key-policy", deciding: [{ sid: "Allow use of the key" }] });
    expect(decide(KEY_USER, "kms:DisableKey", seed)).toMatchObject({ allowed: false, basis: "no-iam-allow" });
    expect(decide(KEY_USER, "kms:ScheduleKeyDeletion", seed).allowed).toBe(false);
    expect(decide(KEY_MANAGER, "kms:ScheduleKeyDeletion", seed)).toMatchObject({ allowed: true, deciding: [{ sid: "Allow access for Key Administrators" }] });
    const denied = decide(KEY_MANAGER, "kms:Decrypt", seed);
    expect(denied.allowed).toBe(false);
    expect(denied.message).toBe(
      `User: ${KEY_MANAGER} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
    );
  });
});

describe("keepsPutKeyPolicy (the lockout safety check)", () => {
  const check = (principal: string, policy: Policy, identity: Record<string, Policy> = {}) =>
    keepsPutKeyPolicy({
      keyAccount: ACCOUNT,
      principal,
      resource: KEY,
      keyPolicy: policy,
      identityPolicies: Object.entries(identity).map(([name, p]) => ({ name, policy: p })),
    });
  const onlyUser = keyPolicy({ Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:*", Resource: "*" });

  it("passes for the root under the default policy and for a key administrator", () => {
    expect(check(ROOT, DEFAULT)).toBe(true);
    expect(check(KEY_MANAGER, keyPolicy({ Effect: "Allow", Principal: { AWS: KEY_MANAGER }, Action: "kms:Put*", Resource: "*" }))).toBe(true);
  });

  it("fails when the new policy would shut the caller out", () => {
    expect(check(ROOT, onlyUser)).toBe(false);
    expect(check(KEY_MANAGER, onlyUser)).toBe(false);
    expect(check(KEY_USER, keyPolicy({ Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:Encrypt", Resource: "*" }))).toBe(false);
    const denyPut = keyPolicy(
      { Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
      { Effect: "Deny", Principal: "*", Action: "kms:PutKeyPolicy", Resource: "*" },
    );
    expect(check(ROOT, denyPut)).toBe(false);
  });

  it("counts the caller's IAM policies when the policy delegates to the account", () => {
    expect(check(KEY_MANAGER, DEFAULT)).toBe(false);
    expect(check(KEY_MANAGER, DEFAULT, { Admin: allowIam("kms:PutKeyPolicy") })).toBe(true);
  });
});
