import { describe, expect, it } from "vitest";
import { MalformedPolicyError, parsePolicy, parsePolicyCached } from "../../src/policy/index.js";

const stmt = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" };
const doc = (statement: unknown, extra: object = {}) => ({ Version: "2012-10-17", Statement: statement, ...extra });

function reason(document: string | object, opts?: Parameters<typeof parsePolicy>[1]): string {
  try {
    parsePolicy(document, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedPolicyError);
    expect((err as MalformedPolicyError).message).toBe((err as MalformedPolicyError).reason);
    return (err as MalformedPolicyError).reason;
  }
  throw new Error("expected a MalformedPolicyError");
}

describe("parsePolicy accepts", () => {
  it("text and objects, one statement or a list, both versions", () => {
    expect(parsePolicy(JSON.stringify(doc(stmt))).statements).toHaveLength(1);
    expect(parsePolicy(doc([stmt, { ...stmt, Sid: "Two" }])).statements.map((s) => s.sid)).toEqual([undefined, "Two"]);
    expect(parsePolicy(doc(stmt, { Version: "2008-10-17", Id: "key-default-1" }))).toMatchObject({ version: "2008-10-17", id: "key-default-1" });
  });

  it("a missing Version as 2008-10-17 (IAM's default)", () => {
    expect(parsePolicy({ Statement: stmt }).version).toBe("2008-10-17");
  });

  it("every principal form", () => {
    for (const Principal of [
      "*",
      { AWS: "*" },
      { AWS: "111122223333" },
      { AWS: ["arn:aws:iam::111122223333:user/KeyUser", "arn:aws:iam::111122223333:role/path/App"] },
      { AWS: "arn:aws:sts::111122223333:assumed-role/App/session-1" },
      { AWS: "arn:aws-cn:iam::111122223333:root" },
      { Service: "logs.us-east-1.amazonaws.com" },
      { Federated: "cognito-identity.amazonaws.com", CanonicalUser: "79a59df900b949e55d96a1e698fbaced" },
    ]) {
      expect(() => parsePolicy(doc({ ...stmt, Principal }), { kind: "resource" })).not.toThrow();
    }
  });

  it("JSON numbers and booleans as condition values, and every operator form", () => {
    const Condition = {
      NumericLessThan: { "kms:RotationPeriodInDays": 365 },
      Bool: { "kms:GrantIsForAWSResource": true },
      "ForAnyValue:StringLikeIfExists": { "kms:EncryptionContextKeys": ["a*", "b?"] },
      "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt", "Encrypt"] },
      Null: { "aws:RequestTag/team": "false" },
      DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" },
      IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"] },
      BinaryEquals: { "custom:bytes": "QmluYXJ5VmFsdWU=" },
      ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/App*" },
    };
    expect(() => parsePolicy(doc({ ...stmt, Condition }))).not.toThrow();
  });

  it("a principal-less statement unless told the policy is a resource policy", () => {
    const { Principal: _, ...identity } = stmt;
    expect(() => parsePolicy(doc(identity))).not.toThrow();
    expect(() => parsePolicy(doc(identity), { kind: "identity" })).not.toThrow();
  });
});

describe("parsePolicy rejects, with the reason", () => {
  const { Principal: _p, ...noPrincipal } = stmt;
  const { Action: _a, ...noAction } = stmt;
  const { Resource: _r, ...noResource } = stmt;
  const cases: [string, string | object, string, Parameters<typeof parsePolicy>[1]?][] = [
    ["text that is not JSON", "{", "the policy is not valid JSON"],
    ["a document that is not an object", "[1]", "the policy must be a JSON object"],
    ["an unknown top-level element", { ...doc(stmt), Statements: [] }, 'unknown top-level element "Statements"'],
    ["an unknown Version", doc(stmt, { Version: "2012-10-18" }), 'Version must be "2012-10-17" or "2008-10-17", not "2012-10-18"'],
    ["a non-string Id", doc(stmt, { Id: 7 }), "Id must be a string"],
    ["no Statement", { Version: "2012-10-17" }, "the policy has no Statement"],
    ["an empty Statement", doc([]), "Statement is empty"],
    ["a statement that is not an object", doc([stmt, "x"]), "Statement 2 must be a JSON object"],
    ["an unknown element", doc({ ...stmt, Actions: "kms:*" }), 'Statement 1: unknown element "Actions"'],
    ["a lowercase element", doc({ ...stmt, effect: "Allow" }), 'Statement 1: unknown element "effect"'],
    ["a missing Effect", doc({ ...stmt, Effect: undefined }), "Statement 1 has no Effect"],
    ["a bad Effect", doc({ ...stmt, Effect: "allow" }), 'Statement 1: Effect must be "Allow" or "Deny", not "allow"'],
    ["a non-string Sid", doc({ ...stmt, Sid: 1 }), "Statement 1: Sid must be a string"],
    ["duplicate Sids", doc([{ ...stmt, Sid: "A" }, { ...stmt, Sid: "A" }]), 'Statement 2: Sid "A" is used by an earlier statement; Sids must be unique'],
    ["no Action", doc(noAction), "Statement 1 has neither Action nor NotAction"],
    ["Action and NotAction", doc({ ...stmt, NotAction: "kms:Decrypt" }), "Statement 1 has both Action and NotAction"],
    ["an empty Action list", doc({ ...stmt, Action: [] }), "Statement 1: Action is an empty list"],
    ["a non-string action", doc({ ...stmt, Action: ["kms:Encrypt", 3] }), "Statement 1: Action must be a string or a list of non-empty strings"],
    ["an action without a service", doc({ ...stmt, Action: "Encrypt" }), 'Statement 1: Action "Encrypt" is not "*" or "<service>:<action>"'],
    ["no Resource", doc(noResource), "Statement 1 has neither Resource nor NotResource"],
    ["Resource and NotResource", doc({ ...stmt, NotResource: "*" }), "Statement 1 has both Resource and NotResource"],
    ["a resource that is not an ARN", doc({ ...stmt, Resource: "key/1" }), 'Statement 1: Resource "key/1" is not "*" or an ARN'],
    ["Principal and NotPrincipal", doc({ ...stmt, Effect: "Deny", NotPrincipal: { AWS: "111122223333" } }), "Statement 1 has both Principal and NotPrincipal"],
    ["NotPrincipal with Allow", doc({ ...noPrincipal, NotPrincipal: { AWS: "111122223333" } }), 'Statement 1: NotPrincipal can be used only with "Effect": "Deny"'],
    ["no principal in a resource policy", doc(noPrincipal), "Statement 1 has neither Principal nor NotPrincipal", { kind: "resource" }],
    ["a principal in an identity policy", doc(stmt), "Statement 1: an identity policy cannot have Principal", { kind: "identity" }],
    ["a principal string other than *", doc({ ...stmt, Principal: "111122223333" }), 'Statement 1: Principal must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}'],
    ["an empty principal object", doc({ ...stmt, Principal: {} }), "Statement 1: Principal names no principal"],
    ["an unknown principal type", doc({ ...stmt, Principal: { aws: "*" } }), 'Statement 1: Principal: unknown principal type "aws" (expected AWS, Service, Federated or CanonicalUser)'],
    ["a wildcard in a principal ARN", doc({ ...stmt, Principal: { AWS: "arn:aws:iam::111122223333:user/*" } }), 'Statement 1: Principal: principal "arn:aws:iam::111122223333:user/*" has a wildcard; only "*" on its own is allowed'],
    ["a malformed principal ARN", doc({ ...stmt, Principal: { AWS: "arn:aws:iam::1111:user/x" } }), 'Statement 1: Principal: "arn:aws:iam::1111:user/x" is not a valid AWS principal (an account id or an IAM/STS ARN)'],
    ["a group as principal", doc({ ...stmt, Principal: { AWS: "arn:aws:iam::111122223333:group/Admins" } }), 'Statement 1: Principal: "arn:aws:iam::111122223333:group/Admins" is not a valid AWS principal (an account id or an IAM/STS ARN)'],
    ["a non-string principal", doc({ ...stmt, Principal: { AWS: [1] } }), 'Statement 1: Principal: "AWS" values must be non-empty strings'],
    ["a Condition that is not an object", doc({ ...stmt, Condition: [] }), "Statement 1: Condition must be an object of condition operators"],
    ["an unknown operator", doc([stmt, { ...stmt, Condition: { StringEqualz: { "kms:KeySpec": "x" } } }]), "Statement 2: unknown condition operator StringEqualz"],
    ["an unknown qualifier", doc({ ...stmt, Condition: { "ForSomeValues:StringEquals": { k: "x" } } }), "Statement 1: unknown condition operator ForSomeValues:StringEquals"],
    ["NullIfExists", doc({ ...stmt, Condition: { NullIfExists: { k: "true" } } }), "Statement 1: NullIfExists is not a condition operator (Null takes no qualifier and no IfExists)"],
    ["an operator without keys", doc({ ...stmt, Condition: { StringEquals: {} } }), "Statement 1: StringEquals must map condition keys to values"],
    ["an empty value list", doc({ ...stmt, Condition: { StringEquals: { k: [] } } }), 'Statement 1: StringEquals "k" has no values'],
    ["an object as condition value", doc({ ...stmt, Condition: { StringEquals: { k: { a: 1 } } } }), 'Statement 1: StringEquals "k": condition values must be strings, numbers or booleans'],
    ["null as condition value", doc({ ...stmt, Condition: { StringEquals: { k: [null] } } }), 'Statement 1: StringEquals "k": condition values must be strings, numbers or booleans'],
    ["a non-number for Numeric*", doc({ ...stmt, Condition: { NumericLessThan: { k: "ten" } } }), 'Statement 1: NumericLessThan "k": "ten" is not a valid number'],
    ["a non-date for Date*", doc({ ...stmt, Condition: { DateGreaterThan: { k: "yesterday" } } }), 'Statement 1: DateGreaterThan "k": "yesterday" is not a valid date (ISO 8601 or epoch seconds)'],
    ["a non-boolean for Bool", doc({ ...stmt, Condition: { Bool: { k: "yes" } } }), 'Statement 1: Bool "k": "yes" is not a boolean ("true" or "false")'],
    ["a non-boolean for Null", doc({ ...stmt, Condition: { Null: { k: "maybe" } } }), 'Statement 1: Null "k": Null takes "true" or "false", not "maybe"'],
    ["a bad CIDR block", doc({ ...stmt, Condition: { IpAddress: { k: "10.0.0.0/33" } } }), 'Statement 1: IpAddress "k": "10.0.0.0/33" is not an IP address or CIDR block'],
    ["non-base64 for BinaryEquals", doc({ ...stmt, Condition: { BinaryEquals: { k: "not base64!" } } }), 'Statement 1: BinaryEquals "k": "not base64!" is not base64'],
    ["an empty policy variable", doc({ ...stmt, Resource: "arn:aws:kms:us-east-1:${}:key/x" }), 'Statement 1: Resource: invalid policy variable "${}"'],
  ];
  it.each(cases)("%s", (_name, document, expected, opts) => {
    expect(reason(document, opts)).toContain(expected);
  });
});

describe("parsePolicyCached", () => {
  it("returns the same compiled policy for the same text and kind, and still rejects bad documents", () => {
    const text = JSON.stringify(doc(stmt));
    const a = parsePolicyCached(text, { kind: "resource" });
    expect(parsePolicyCached(text, { kind: "resource" })).toBe(a);
    expect(parsePolicyCached(text)).not.toBe(a);
    expect(() => parsePolicyCached(text, { kind: "identity" })).toThrow("Statement 1: an identity policy cannot have Principal");
    expect(() => parsePolicyCached("{")).toThrow(MalformedPolicyError);
    expect(() => parsePolicyCached("{")).toThrow(MalformedPolicyError);
  });
});
