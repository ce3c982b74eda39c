import { describe, expect, it } from "vitest";
import { matchPolicy, parsePolicy } from "../../src/policy/index.js";
import { ACCOUNT, allowing, KEY, KEY_MANAGER, KEY_USER, OTHER, request, ROOT } from "./helpers.js";

const ROLE = `arn:aws:iam::${ACCOUNT}:role/App`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/App/i-0abc`;
const OTHER_USER = `arn:aws:iam::${OTHER}:user/Bob`;

function allowFor(Principal: unknown, rest: object = {}) {
  return parsePolicy({ Version: "2012-10-17", Statement: { Sid: "S", Effect: "Allow", Principal, Action: "kms:Encrypt", Resource: "*", ...rest } });
}

describe("Principal", () => {
  it('"*" and {"AWS": "*"} name everyone, directly', () => {
    for (const p of ["*", { AWS: "*" }]) {
      for (const principal of [KEY_USER, ROOT, OTHER_USER, SESSION]) {
        expect(matchPolicy(allowFor(p), "k", request({ principal }))).toEqual({ allows: [{ policy: "k", sid: "S", index: 0, effect: "Allow" }], denies: [], delegations: [] });
      }
    }
  });

  it("a user ARN names that user only", () => {
    const policy = allowFor({ AWS: KEY_USER });
    expect(allowing(policy, request({ principal: KEY_USER }))).toEqual(["S"]);
    expect(allowing(policy, request({ principal: KEY_MANAGER }))).toEqual([]);
    expect(allowing(policy, request({ principal: ROOT }))).toEqual([]);
    expect(allowing(policy, request({ principal: `arn:aws:iam::${ACCOUNT}:user/keyuser` }))).toEqual([]);
  });

  it("the account (root ARN or id) names the root directly and delegates for everyone else in it", () => {
    for (const p of [{ AWS: ROOT }, { AWS: ACCOUNT }, { AWS: [ACCOUNT, OTHER] }]) {
      const policy = allowFor(p);
      expect(matchPolicy(policy, "k", request({ principal: ROOT })).allows).toHaveLength(1);
      expect(matchPolicy(policy, "k", request({ principal: ACCOUNT })).allows).toHaveLength(1); // a bare id calls as root
      const user = matchPolicy(policy, "k", request({ principal: KEY_USER }));
      expect(user.allows).toEqual([]);
      expect(user.delegations).toEqual([{ policy: "k", sid: "S", index: 0, effect: "Allow" }]);
      expect(matchPolicy(policy, "k", request({ principal: SESSION })).delegations).toHaveLength(1);
    }
    expect(matchPolicy(allowFor({ AWS: ROOT }), "k", request({ principal: OTHER_USER }))).toEqual({ allows: [], denies: [], delegations: [] });
  });

  it("a Deny naming the account applies to everyone in it", () => {
    const policy = parsePolicy({ Statement: { Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: "kms:*", Resource: "*" } });
    expect(matchPolicy(policy, "k", request({ principal: KEY_USER })).denies).toHaveLength(1);
    expect(matchPolicy(policy, "k", request({ principal: ROOT })).denies).toHaveLength(1);
    expect(matchPolicy(policy, "k", request({ principal: OTHER_USER })).denies).toHaveLength(0);
  });

  it("a role ARN names the role and its sessions; a session ARN names that session", () => {
    expect(allowing(allowFor({ AWS: ROLE }), request({ principal: SESSION }))).toEqual(["S"]);
    expect(allowing(allowFor({ AWS: ROLE }), request({ principal: ROLE }))).toEqual(["S"]);
    expect(allowing(allowFor({ AWS: `arn:aws:iam::${ACCOUNT}:role/ops/App` }), request({ principal: SESSION }))).toEqual(["S"]);
    expect(allowing(allowFor({ AWS: SESSION }), request({ principal: SESSION }))).toEqual(["S"]);
    expect(allowing(allowFor({ AWS: SESSION }), request({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/App/other` }))).toEqual([]);
    expect(allowing(allowFor({ AWS: `arn:aws:iam::${OTHER}:role/App` }), request({ principal: SESSION }))).toEqual([]);
  });

  it("service principals by name", () => {
    const policy = allowFor({ Service: "logs.us-east-1.amazonaws.com" });
    expect(allowing(policy, request({ principal: "logs.us-east-1.amazonaws.com" }))).toEqual(["S"]);
    expect(allowing(policy, request({ principal: "s3.amazonaws.com" }))).toEqual([]);
  });

  it("a statement without principals applies to no one in a resource policy, to the caller in an identity policy", () => {
    const policy = parsePolicy({ Statement: { Effect: "Allow", Action: "kms:Encrypt", Resource: "*" } });
    expect(allowing(policy, request())).toEqual([]);
    expect(allowing(policy, request(), true)).toEqual([0]);
  });
});

describe("NotPrincipal (Deny only)", () => {
  const denyAllBut = (names: string[]) =>
    parsePolicy({ Statement: { Effect: "Deny", NotPrincipal: { AWS: names }, Action: "kms:*", Resource: "*" } });
  const denied = (names: string[], principal: string) => matchPolicy(denyAllBut(names), "k", request({ principal })).denies.length === 1;

  it("denies everyone not exempt", () => {
    expect(denied([KEY_USER, ACCOUNT], KEY_MANAGER)).toBe(true);
    expect(denied([KEY_USER, ACCOUNT], OTHER_USER)).toBe(true);
  });

  it("exempts a user only together with its account (AWS checks the account too)", () => {
    expect(denied([KEY_USER, ACCOUNT], KEY_USER)).toBe(false);
    expect(denied([KEY_USER], KEY_USER)).toBe(true);
  });

  it("exempts the root by its account, and a session by its role or own ARN plus the account", () => {
    expect(denied([ROOT], ROOT)).toBe(false);
    expect(denied([ROOT], KEY_USER)).toBe(true);
    expect(denied([ROLE, ROOT], SESSION)).toBe(false);
    expect(denied([SESSION, ROOT], SESSION)).toBe(false);
    expect(denied([ROLE], SESSION)).toBe(true);
  });

  it('"*" exempts everyone', () => {
    expect(denied(["*"], KEY_USER)).toBe(false);
  });
});

describe("Action and NotAction", () => {
  const allowActions = (Action: string | string[], not = false) =>
    parsePolicy({ Statement: { Effect: "Allow", Principal: "*", [not ? "NotAction" : "Action"]: Action, Resource: "*" } });
  const allows = (Action: string | string[], action: string, not = false) => allowing(allowActions(Action, not), request({ action })).length === 1;

  it("matches service prefix and action name case-insensitively", () => {
    expect(allows("kms:Encrypt", "kms:Encrypt")).toBe(true);
    expect(allows("KMS:encrypt", "kms:Encrypt")).toBe(true);
    expect(allows("kms:Encrypt", "KMS:ENCRYPT")).toBe(true);
    expect(allows("kms:Encrypt", "kms:Decrypt")).toBe(false);
    expect(allows("kms:Encrypt", "s3:Encrypt")).toBe(false);
  });

  it("wildcards: *, prefix*, *suffix, ?, inside", () => {
    expect(allows("*", "kms:Anything")).toBe(true);
    expect(allows("kms:*", "kms:ScheduleKeyDeletion")).toBe(true);
    expect(allows("kms:*", "kmsx:Encrypt")).toBe(false);
    expect(allows("kms:ReEncrypt*", "kms:ReEncryptFrom")).toBe(true);
    expect(allows("kms:ReEncrypt*", "kms:ReEncrypt")).toBe(true);
    expect(allows("kms:ReEncrypt*", "kms:Encrypt")).toBe(false);
    expect(allows("kms:*Key", "kms:DescribeKey")).toBe(true);
    expect(allows("kms:*Key", "kms:DescribeKeys")).toBe(false);
    expect(allows("kms:Generate*Pair*", "kms:GenerateDataKeyPairWithoutPlaintext")).toBe(true);
    expect(allows("kms:Generate*Pair*", "kms:GenerateDataKey")).toBe(false);
    expect(allows("kms:?ecrypt", "kms:Decrypt")).toBe(true);
    expect(allows("kms:?ecrypt", "kms:ReEncrypt")).toBe(false);
    expect(allows("*:Encrypt", "kms:Encrypt")).toBe(true);
    expect(allows(["kms:Encrypt", "kms:Get*"], "kms:GetPublicKey")).toBe(true);
  });

  it("the same pattern answers again after many different actions (the memo starts over)", () => {
    const policy = allowActions("kms:Get*");
    for (let i = 0; i < 3000; i++) allowing(policy, request({ action: `kms:Op${i}` }));
    expect(allowing(policy, request({ action: "kms:GetKeyPolicy" }))).toHaveLength(1);
    expect(allowing(policy, request({ action: "kms:Op1" }))).toHaveLength(0);
  });

  it("NotAction applies to every action but those", () => {
    expect(allows(["kms:ScheduleKeyDeletion", "kms:Disable*"], "kms:Encrypt", true)).toBe(true);
    expect(allows(["kms:ScheduleKeyDeletion", "kms:Disable*"], "kms:DisableKeyRotation", true)).toBe(false);
    expect(allows("*", "kms:Encrypt", true)).toBe(false);
  });
});

describe("Resource and NotResource", () => {
  const allowOn = (Resource: string | string[], resource: string, not = false, Version = "2012-10-17") =>
    allowing(parsePolicy({ Version, Statement: { Effect: "Allow", Principal: "*", Action: "kms:*", [not ? "NotResource" : "Resource"]: Resource } }), request({ resource })).length === 1;

  it('"*" is every resource (in a key policy, this key)', () => {
    expect(allowOn("*", KEY)).toBe(true);
  });

  it("exact ARNs and ARN wildcards, case-sensitively", () => {
    expect(allowOn(KEY, KEY)).toBe(true);
    expect(allowOn(KEY.replace("1234abcd", "1234ABCD"), KEY)).toBe(false);
    expect(allowOn(`arn:aws:kms:*:${ACCOUNT}:key/*`, KEY)).toBe(true);
    expect(allowOn(`arn:aws:kms:*:${OTHER}:key/*`, KEY)).toBe(false);
    expect(allowOn(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/*`, KEY)).toBe(false);
    expect(allowOn("arn:aws:kms:*", KEY)).toBe(true); // a trailing * runs past the colons
    expect(allowOn(`arn:aws:kms:us-?ast-1:${ACCOUNT}:key/${KEY.slice(-36)}`, KEY)).toBe(true);
    expect(allowOn(`arn:aws:kms:us-east-?:${ACCOUNT}:key/*`, KEY)).toBe(true);
    expect(allowOn([`arn:aws:kms:eu-west-1:${ACCOUNT}:key/*`, KEY], KEY)).toBe(true);
  });

  it("NotResource applies to every resource but those", () => {
    expect(allowOn(`arn:aws:kms:*:${ACCOUNT}:key/*`, KEY, true)).toBe(false);
    expect(allowOn(`arn:aws:kms:*:${OTHER}:key/*`, KEY, true)).toBe(true);
  });

  it("policy variables in Resource (2012-10-17 only)", () => {
    const withVar = `arn:aws:kms:us-east-1:\${aws:PrincipalAccount}:key/*`;
    expect(allowOn(withVar, KEY)).toBe(true);
    expect(allowOn(withVar, KEY.replace(ACCOUNT, OTHER))).toBe(false);
    expect(allowOn(withVar, KEY, false, "2008-10-17")).toBe(false);
    expect(allowOn("arn:aws:kms:us-east-1:${aws:PrincipalTag/none}:key/*", KEY)).toBe(false);
  });
});

describe("matchPolicy reports", () => {
  it("every applying statement, by effect, with Sids and indexes; conditions filter", () => {
    const policy = parsePolicy({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Root", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
        { Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:Encrypt", Resource: "*" },
        { Sid: "NoSecrets", Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", Condition: { StringEquals: { "kms:EncryptionContext:class": "secret" } } },
        { Sid: "Other", Effect: "Allow", Principal: { AWS: KEY_USER }, Action: "kms:Decrypt", Resource: "*" },
      ],
    });
    expect(matchPolicy(policy, "key policy", request({ conditions: { "kms:EncryptionContext:class": "secret" } }))).toEqual({
      allows: [{ policy: "key policy", index: 1, effect: "Allow" }],
      denies: [{ policy: "key policy", sid: "NoSecrets", index: 2, effect: "Deny" }],
      delegations: [{ policy: "key policy", sid: "Root", index: 0, effect: "Allow" }],
    });
    expect(matchPolicy(policy, "key policy", request()).denies).toEqual([]);
  });

  it("refuses a policy that parsePolicy did not make", () => {
    expect(() => matchPolicy({ version: "2012-10-17", id: undefined, statements: [] }, "k", request())).toThrow(TypeError);
  });
});
