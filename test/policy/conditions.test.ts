import { describe, expect, it } from "vitest";
import { matchPolicy } from "../../src/policy/index.js";
import { ACCOUNT, conditionPolicy, holds, KEY_USER, request, ROOT } from "./helpers.js";

describe("String operators", () => {
  it("StringEquals: exact and case-sensitive; values are alternatives", () => {
    const c = { StringEquals: { "kms:EncryptionContext:dept": ["sales", "hr"] } };
    expect(holds(c, { "kms:EncryptionContext:dept": "hr" })).toBe(true);
    expect(holds(c, { "kms:EncryptionContext:dept": "HR" })).toBe(false);
    expect(holds(c, { "kms:EncryptionContext:dept": "it" })).toBe(false);
    expect(holds(c, {})).toBe(false);
  });

  it("StringNotEquals: none of the values (NOR), and true for a missing key", () => {
    const c = { StringNotEquals: { "kms:EncryptionContext:dept": ["sales", "hr"] } };
    expect(holds(c, { "kms:EncryptionContext:dept": "it" })).toBe(true);
    expect(holds(c, { "kms:EncryptionContext:dept": "hr" })).toBe(false);
    expect(holds(c, { "kms:EncryptionContext:dept": "sales" })).toBe(false);
    expect(holds(c, {})).toBe(true);
  });

  it("StringEqualsIgnoreCase and StringNotEqualsIgnoreCase fold case", () => {
    expect(holds({ StringEqualsIgnoreCase: { "kms:KeySpec": "symmetric_default" } }, { "kms:KeySpec": "SYMMETRIC_DEFAULT" })).toBe(true);
    expect(holds({ StringEqualsIgnoreCase: { "kms:KeySpec": "hmac_256" } }, { "kms:KeySpec": "SYMMETRIC_DEFAULT" })).toBe(false);
    expect(holds({ StringNotEqualsIgnoreCase: { "kms:KeySpec": "Symmetric_Default" } }, { "kms:KeySpec": "SYMMETRIC_DEFAULT" })).toBe(false);
    expect(holds({ StringNotEqualsIgnoreCase: { "kms:KeySpec": "rsa_2048" } }, { "kms:KeySpec": "SYMMETRIC_DEFAULT" })).toBe(true);
  });

  it("StringLike and StringNotLike take * and ? and stay case-sensitive", () => {
    const like = { StringLike: { "kms:RequestAlias": ["alias/app-*", "alias/db?"] } };
    expect(holds(like, { "kms:RequestAlias": "alias/app-orders" })).toBe(true);
    expect(holds(like, { "kms:RequestAlias": "alias/app-" })).toBe(true);
    expect(holds(like, { "kms:RequestAlias": "alias/db1" })).toBe(true);
    expect(holds(like, { "kms:RequestAlias": "alias/db12" })).toBe(false);
    expect(holds(like, { "kms:RequestAlias": "alias/App-orders" })).toBe(false);
    const notLike = { StringNotLike: { "kms:RequestAlias": "alias/app-*" } };
    expect(holds(notLike, { "kms:RequestAlias": "alias/app-x" })).toBe(false);
    expect(holds(notLike, { "kms:RequestAlias": "alias/other" })).toBe(true);
    expect(holds(notLike, {})).toBe(true);
  });

  it("StringEquals treats * literally; StringLike with no wildcard is equality", () => {
    expect(holds({ StringEquals: { k: "a*" } }, { k: "abc" })).toBe(false);
    expect(holds({ StringEquals: { k: "a*" } }, { k: "a*" })).toBe(true);
    expect(holds({ StringLike: { k: "abc" } }, { k: "abc" })).toBe(true);
    expect(holds({ StringLike: { k: "abc" } }, { k: "abcd" })).toBe(false);
  });

  it("wildcards in the middle, adjacent and at both ends", () => {
    expect(holds({ StringLike: { k: "*mid*" } }, { k: "a-mid-b" })).toBe(true);
    expect(holds({ StringLike: { k: "a**z" } }, { k: "az" })).toBe(true);
    expect(holds({ StringLike: { k: "a?*z" } }, { k: "az" })).toBe(false);
    expect(holds({ StringLike: { k: "a?*z" } }, { k: "abz" })).toBe(true);
    expect(holds({ StringLike: { k: "a.c" } }, { k: "abc" })).toBe(false); // regex characters are literal
    expect(holds({ StringLike: { k: "*" } }, { k: "" })).toBe(true);
  });

  it("numbers, booleans and dates in the request are compared as text", () => {
    expect(holds({ StringEquals: { k: "365" } }, { k: 365 })).toBe(true);
    expect(holds({ StringEquals: { k: true } }, { k: "true" })).toBe(true);
    expect(holds({ StringEquals: { k: "2026-01-01T00:00:00.000Z" } }, { k: new Date(Date.UTC(2026, 0, 1)) })).toBe(true);
  });
});

describe("condition keys and values", () => {
  it("keys are case-insensitive, values case-sensitive", () => {
    const c = { StringEquals: { "KMS:encryptioncontext:Dept": "Sales" } };
    expect(holds(c, { "kms:EncryptionContext:dept": "Sales" })).toBe(true);
    expect(holds(c, { "KMS:ENCRYPTIONCONTEXT:DEPT": "Sales" })).toBe(true);
    expect(holds(c, { "kms:EncryptionContext:dept": "sales" })).toBe(false);
  });

  it("several keys under one operator, and several operators, must all hold", () => {
    const c = { StringEquals: { a: "1", b: "2" }, StringLike: { c: "x*" } };
    expect(holds(c, { a: "1", b: "2", c: "xy" })).toBe(true);
    expect(holds(c, { a: "1", b: "3", c: "xy" })).toBe(false);
    expect(holds(c, { a: "1", b: "2", c: "y" })).toBe(false);
    expect(holds(c, { a: "1", c: "xy" })).toBe(false);
  });

  it("keys the caller's ARN implies are there without being set", () => {
    expect(holds({ StringEquals: { "kms:CallerAccount": ACCOUNT, "aws:PrincipalAccount": ACCOUNT } }, {})).toBe(true);
    expect(holds({ ArnEquals: { "aws:PrincipalArn": KEY_USER } }, {})).toBe(true);
    expect(holds({ StringEquals: { "aws:username": "KeyUser", "aws:PrincipalType": "User" } }, {})).toBe(true);
    expect(holds({ StringEquals: { "aws:PrincipalType": "Account" } }, {}, ROOT)).toBe(true);
    expect(holds({ Null: { "aws:username": "true" } }, {}, ROOT)).toBe(true);
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/App/i-123`;
    expect(holds({ ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/App` } }, {}, session)).toBe(true);
    // What the request sets wins over what is derived.
    expect(holds({ StringEquals: { "kms:CallerAccount": ACCOUNT } }, { "kms:CallerAccount": "999999999999" })).toBe(false);
  });
});

describe("Numeric operators", () => {
  const cases: [string, number | string, boolean][] = [
    ["NumericEquals", 90, true],
    ["NumericEquals", "90", true],
    ["NumericEquals", 91, false],
    ["NumericNotEquals", 91, true],
    ["NumericNotEquals", 90, false],
    ["NumericLessThan", 89.5, true],
    ["NumericLessThan", 90, false],
    ["NumericLessThanEquals", 90, true],
    ["NumericLessThanEquals", 91, false],
    ["NumericGreaterThan", 91, true],
    ["NumericGreaterThan", 90, false],
    ["NumericGreaterThanEquals", 90, true],
    ["NumericGreaterThanEquals", "8.9e1", false],
  ];
  it.each(cases)("%s 90 with request value %s → %s", (op, value, expected) => {
    expect(holds({ [op]: { "kms:RotationPeriodInDays": "90" } }, { "kms:RotationPeriodInDays": value })).toBe(expected);
  });

  it("a request value that is not a number never matches (so the negation holds)", () => {
    expect(holds({ NumericLessThan: { k: 10 } }, { k: "ten" })).toBe(false);
    expect(holds({ NumericNotEquals: { k: 10 } }, { k: "ten" })).toBe(true);
    expect(holds({ NumericLessThan: { k: 10 } }, { k: true })).toBe(false);
  });

  it("a range with two operators", () => {
    const range = { NumericGreaterThanEquals: { d: 90 }, NumericLessThanEquals: { d: 180 } };
    expect([60, 90, 120, 180, 365].map((d) => holds(range, { d }))).toEqual([false, true, true, true, false]);
  });
});

describe("Date operators", () => {
  const at = new Date("2026-03-01T12:00:00Z");
  const cases: [string, string | number, boolean][] = [
    ["DateEquals", "2026-03-01T12:00:00Z", true],
    ["DateEquals", "2026-03-01T12:00:01Z", false],
    ["DateNotEquals", "2026-03-01T12:00:01Z", true],
    ["DateNotEquals", "2026-03-01T13:00:00+01:00", false],
    ["DateLessThan", "2026-03-02", true],
    ["DateLessThan", "2026-03-01T12:00:00Z", false],
    ["DateLessThanEquals", "2026-03-01T12:00:00Z", true],
    ["DateLessThanEquals", "2026-03-01T11:59:59Z", false],
    ["DateGreaterThan", "2026-03-01T11:59:59Z", true],
    ["DateGreaterThan", "2026-03-01T12:00:00", false],
    ["DateGreaterThanEquals", "2026-03-01T12:00:00", true],
    ["DateGreaterThanEquals", Date.UTC(2026, 2, 1, 12) / 1000 + 1, false],
    ["DateGreaterThanEquals", String(Date.UTC(2026, 2, 1, 12) / 1000), true],
  ];
  it.each(cases)("aws:CurrentTime %s %s → %s", (op, value, expected) => {
    expect(holds({ [op]: { "aws:CurrentTime": value } }, { "aws:CurrentTime": at })).toBe(expected);
  });

  it("request dates may be ISO text or epoch seconds; a time without zone is UTC", () => {
    const c = { DateLessThan: { "aws:CurrentTime": "2026-03-01T12:00:00" } };
    expect(holds(c, { "aws:CurrentTime": "2026-03-01T11:00:00Z" })).toBe(true);
    expect(holds(c, { "aws:CurrentTime": Date.UTC(2026, 2, 1, 11) / 1000 })).toBe(true);
    expect(holds(c, { "aws:CurrentTime": "2026-03-01T13:00:00+0200" })).toBe(true);
    expect(holds(c, { "aws:CurrentTime": "tomorrow" })).toBe(false);
  });
});

describe("Bool, BinaryEquals, IpAddress", () => {
  it("Bool takes booleans or their text in any case", () => {
    expect(holds({ Bool: { "kms:GrantIsForAWSResource": "true" } }, { "kms:GrantIsForAWSResource": true })).toBe(true);
    expect(holds({ Bool: { "kms:GrantIsForAWSResource": true } }, { "kms:GrantIsForAWSResource": "TRUE" })).toBe(true);
    expect(holds({ Bool: { "kms:GrantIsForAWSResource": "false" } }, { "kms:GrantIsForAWSResource": true })).toBe(false);
    expect(holds({ Bool: { "kms:GrantIsForAWSResource": "true" } }, { "kms:GrantIsForAWSResource": "yes" })).toBe(false);
    expect(holds({ Bool: { "aws:SecureTransport": "false" } }, {})).toBe(false);
  });

  it("BinaryEquals compares base64 text", () => {
    expect(holds({ BinaryEquals: { k: "QmluYXJ5" } }, { k: "QmluYXJ5" })).toBe(true);
    expect(holds({ BinaryEquals: { k: "QmluYXJ5" } }, { k: "QmluYXJ6" })).toBe(false);
  });

  it("IpAddress and NotIpAddress with IPv4 and IPv6 blocks", () => {
    const c = { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] } };
    expect(holds(c, { "aws:SourceIp": "203.0.113.200" })).toBe(true);
    expect(holds(c, { "aws:SourceIp": "203.0.114.1" })).toBe(false);
    expect(holds(c, { "aws:SourceIp": "198.51.100.7" })).toBe(true);
    expect(holds(c, { "aws:SourceIp": "198.51.100.8" })).toBe(false);
    expect(holds(c, { "aws:SourceIp": "2001:db8:0:1::5" })).toBe(true);
    expect(holds(c, { "aws:SourceIp": "2001:db9::1" })).toBe(false);
    expect(holds(c, { "aws:SourceIp": "::ffff:203.0.113.5" })).toBe(false);
    expect(holds(c, { "aws:SourceIp": "not an address" })).toBe(false);
    expect(holds({ IpAddress: { ip: "10.0.0.0/9" } }, { ip: "10.127.255.255" })).toBe(true);
    expect(holds({ IpAddress: { ip: "10.0.0.0/9" } }, { ip: "10.128.0.0" })).toBe(false);
    expect(holds({ IpAddress: { ip: "0.0.0.0/0" } }, { ip: "8.8.8.8" })).toBe(true);
    expect(holds({ NotIpAddress: { ip: "10.0.0.0/8" } }, { ip: "11.0.0.1" })).toBe(true);
    expect(holds({ NotIpAddress: { ip: "10.0.0.0/8" } }, { ip: "10.0.0.1" })).toBe(false);
  });
});

describe("ARN operators", () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/App`;
  it("ArnLike and ArnEquals match component by component, with wildcards", () => {
    for (const op of ["ArnLike", "ArnEquals"]) {
      expect(holds({ [op]: { "aws:PrincipalArn": "arn:aws:iam::*:role/App" } }, { "aws:PrincipalArn": role })).toBe(true);
      expect(holds({ [op]: { "aws:PrincipalArn": "arn:aws:iam::*:role/A*" } }, { "aws:PrincipalArn": role })).toBe(true);
      expect(holds({ [op]: { "aws:PrincipalArn": "arn:aws:iam::*:role/app" } }, { "aws:PrincipalArn": role })).toBe(false);
      expect(holds({ [op]: { "aws:PrincipalArn": "arn:aws:iam::444455556666:role/*" } }, { "aws:PrincipalArn": role })).toBe(false);
    }
  });

  it("a wildcard inside a component does not cross a colon; the resource part may hold colons", () => {
    expect(holds({ ArnLike: { a: "arn:aws:s*:us-east-1:1:x" } }, { a: "arn:aws:s3:us-east-1:1:x" })).toBe(true);
    expect(holds({ ArnLike: { a: "arn:aws:k?s:*:1:x" } }, { a: "arn:aws:kms:us-east-1:1:x" })).toBe(true);
    expect(holds({ ArnLike: { a: "arn:aws:k?s:*:1:x" } }, { a: "arn:aws:k:s:us-east-1:1:x" })).toBe(false);
    expect(holds({ ArnLike: { a: "arn:aws:iam::*3:root" } }, { a: "arn:aws:iam::111122223333:root" })).toBe(true);
    expect(holds({ ArnLike: { a: "arn:aws:iam::*3:root" } }, { a: "arn:aws:iam::1:23:root" })).toBe(false);
    expect(holds({ ArnLike: { a: "arn:aws:logs:*:1:log-group:*" } }, { a: "arn:aws:logs:us-east-1:1:log-group:app:stream" })).toBe(true);
    expect(holds({ ArnLike: { a: "arn:aws:iam::1:role/A?p" } }, { a: "arn:aws:iam::1:role/App" })).toBe(true);
    expect(holds({ ArnLike: { a: "arn:aws:iam::1:role/A?p" } }, { a: "not-an-arn" })).toBe(false);
  });

  it("ArnNotLike and ArnNotEquals negate, and hold for a missing key", () => {
    for (const op of ["ArnNotLike", "ArnNotEquals"]) {
      expect(holds({ [op]: { "aws:SourceArn": "arn:aws:s3:::bucket-*" } }, { "aws:SourceArn": "arn:aws:s3:::bucket-a" })).toBe(false);
      expect(holds({ [op]: { "aws:SourceArn": "arn:aws:s3:::bucket-*" } }, { "aws:SourceArn": "arn:aws:s3:::other" })).toBe(true);
      expect(holds({ [op]: { "aws:SourceArn": "arn:aws:s3:::bucket-*" } }, {})).toBe(true);
    }
  });
});

describe("Null", () => {
  it('"true": the key is absent; "false": present; an empty list counts as absent', () => {
    expect(holds({ Null: { "aws:RequestTag/team": "true" } }, {})).toBe(true);
    expect(holds({ Null: { "aws:RequestTag/team": "true" } }, { "aws:RequestTag/team": "" })).toBe(false);
    expect(holds({ Null: { "aws:RequestTag/team": "false" } }, { "aws:RequestTag/team": "x" })).toBe(true);
    expect(holds({ Null: { "aws:RequestTag/team": false } }, {})).toBe(false);
    expect(holds({ Null: { "kms:EncryptionContextKeys": "true" } }, { "kms:EncryptionContextKeys": [] })).toBe(true);
    expect(holds({ Null: { "kms:EncryptionContextKeys": "true" } }, { "kms:EncryptionContextKeys": undefined })).toBe(true);
  });
});

describe("…IfExists", () => {
  it("holds when the key is missing, and tests the value when it is there", () => {
    for (const [op, present, expected] of [
      ["StringEqualsIfExists", "SYMMETRIC_DEFAULT", true],
      ["StringEqualsIfExists", "RSA_2048", false],
      ["StringNotEqualsIfExists", "RSA_2048", true],
      ["StringLikeIfExists", "SYMMETRIC_*", true],
      ["NumericLessThanIfExists", "5", false],
      ["DateGreaterThanIfExists", "2020-01-01", false],
      ["BoolIfExists", "true", false],
      ["ArnLikeIfExists", "arn:aws:iam::*:root", false],
      ["IpAddressIfExists", "10.0.0.0/8", false],
    ] as const) {
      const c = { [op]: { "kms:KeySpec": op === "StringLikeIfExists" ? "SYMMETRIC_*" : present } };
      expect(holds(c, {}), `${op} with the key missing`).toBe(true);
      expect(holds(c, { "kms:KeySpec": "SYMMETRIC_DEFAULT" }), `${op} with the key present`).toBe(expected);
    }
  });

  it("without IfExists a positive operator fails on a missing key", () => {
    expect(holds({ StringEquals: { "kms:KeySpec": "SYMMETRIC_DEFAULT" } }, {})).toBe(false);
    expect(holds({ NumericLessThan: { k: 5 } }, {})).toBe(false);
    expect(holds({ DateNotEquals: { k: "2020-01-01" } }, {})).toBe(true);
  });
});

describe("ForAnyValue / ForAllValues on multivalued keys", () => {
  const keys = "kms:EncryptionContextKeys";
  it("ForAnyValue: at least one member matches; a missing or empty set fails", () => {
    const c = { "ForAnyValue:StringEquals": { [keys]: ["dept", "project"] } };
    expect(holds(c, { [keys]: ["dept", "other"] })).toBe(true);
    expect(holds(c, { [keys]: ["other"] })).toBe(false);
    expect(holds(c, { [keys]: [] })).toBe(false);
    expect(holds(c, {})).toBe(false);
    expect(holds(c, { [keys]: "project" })).toBe(true); // a single value is a set of one
  });

  it("ForAllValues: every member matches; a missing or empty set holds (vacuous truth, as AWS)", () => {
    const c = { "ForAllValues:StringEquals": { [keys]: ["dept", "project"] } };
    expect(holds(c, { [keys]: ["dept", "project"] })).toBe(true);
    expect(holds(c, { [keys]: ["dept"] })).toBe(true);
    expect(holds(c, { [keys]: ["dept", "other"] })).toBe(false);
    expect(holds(c, { [keys]: [] })).toBe(true);
    expect(holds(c, {})).toBe(true);
  });

  it("the AWS idiom: ForAllValues plus Null false requires a non-empty subset", () => {
    const c = { "ForAllValues:StringEquals": { [keys]: ["dept"] }, Null: { [keys]: "false" } };
    expect(holds(c, { [keys]: ["dept"] })).toBe(true);
    expect(holds(c, {})).toBe(false);
  });

  it("with negated operators", () => {
    const anyNot = { "ForAnyValue:StringNotEquals": { [keys]: ["dept", "project"] } };
    expect(holds(anyNot, { [keys]: ["dept", "other"] })).toBe(true);
    expect(holds(anyNot, { [keys]: ["dept", "project"] })).toBe(false);
    expect(holds(anyNot, {})).toBe(false);
    const allNot = { "ForAllValues:StringNotLike": { [keys]: "secret*" } };
    expect(holds(allNot, { [keys]: ["dept", "project"] })).toBe(true);
    expect(holds(allNot, { [keys]: ["dept", "secret-x"] })).toBe(false);
    expect(holds(allNot, {})).toBe(true);
  });

  it("with wildcards and IfExists", () => {
    const c = { "ForAnyValue:StringLikeIfExists": { [keys]: "app:*" } };
    expect(holds(c, {})).toBe(true);
    expect(holds(c, { [keys]: ["x", "app:id"] })).toBe(true);
    expect(holds(c, { [keys]: ["x"] })).toBe(false);
  });

  it("without a qualifier: positive operators want some member, negated ones no member", () => {
    expect(holds({ StringEquals: { [keys]: "dept" } }, { [keys]: ["x", "dept"] })).toBe(true);
    expect(holds({ StringEquals: { [keys]: "dept" } }, { [keys]: ["x"] })).toBe(false);
    expect(holds({ StringNotEquals: { [keys]: "dept" } }, { [keys]: ["x", "dept"] })).toBe(false);
    expect(holds({ StringNotEquals: { [keys]: "dept" } }, { [keys]: ["x", "y"] })).toBe(true);
  });
});

describe("policy variables", () => {
  it("substitute request values in String and ARN conditions", () => {
    const own = { StringEquals: { "kms:EncryptionContext:owner": "${aws:username}" } };
    expect(holds(own, { "kms:EncryptionContext:owner": "KeyUser" })).toBe(true);
    expect(holds(own, { "kms:EncryptionContext:owner": "Mallory" })).toBe(false);
    const like = { StringLike: { "kms:EncryptionContext:path": "home/${aws:username}/*" } };
    expect(holds(like, { "kms:EncryptionContext:path": "home/KeyUser/notes" })).toBe(true);
    expect(holds(like, { "kms:EncryptionContext:path": "home/Other/notes" })).toBe(false);
    const arn = { ArnLike: { "aws:SourceArn": "arn:aws:s3:::${aws:PrincipalAccount}-*" } };
    expect(holds(arn, { "aws:SourceArn": `arn:aws:s3:::${ACCOUNT}-logs` })).toBe(true);
  });

  it("values are literal: a * from the request is not a wildcard", () => {
    const c = { StringLike: { "kms:EncryptionContext:path": "${aws:PrincipalTag/team}/*" } };
    expect(holds(c, { "aws:PrincipalTag/team": "ops", "kms:EncryptionContext:path": "ops/x" })).toBe(true);
    expect(holds(c, { "aws:PrincipalTag/team": "*", "kms:EncryptionContext:path": "ops/x" })).toBe(false);
    expect(holds(c, { "aws:PrincipalTag/team": "*", "kms:EncryptionContext:path": "*/x" })).toBe(true);
  });

  it("a missing variable matches nothing unless it has a fallback; ${*} ${?} ${$} are literal", () => {
    const c = { StringEquals: { k: "${aws:PrincipalTag/team}" } };
    expect(holds(c, { k: "" })).toBe(false);
    expect(holds({ StringNotEquals: { k: "${aws:PrincipalTag/team}" } }, { k: "x" })).toBe(true);
    expect(holds({ StringEquals: { k: "${aws:PrincipalTag/team, 'none'}" } }, { k: "none" })).toBe(true);
    expect(holds({ StringLike: { k: "a${*}b${?}${$}" } }, { k: "a*b?$" })).toBe(true);
    expect(holds({ StringLike: { k: "a${*}b" } }, { k: "axxb" })).toBe(false);
  });

  it("a multivalued key is no variable; Version 2008-10-17 has no variables", () => {
    expect(holds({ StringEquals: { k: "${kms:EncryptionContextKeys}" } }, { k: "a", "kms:EncryptionContextKeys": ["a"] })).toBe(false);
    expect(holds({ StringEqualsIgnoreCase: { k: "${aws:username}" } }, { k: "keyuser" })).toBe(true);
    const old = conditionPolicy({ StringEquals: { k: "${aws:username}" } }, "2008-10-17");
    expect(matchPolicy(old, "p", request({ conditions: { k: "KeyUser" } })).allows).toHaveLength(0);
    expect(matchPolicy(old, "p", request({ conditions: { k: "${aws:username}" } })).allows).toHaveLength(1);
  });
});
