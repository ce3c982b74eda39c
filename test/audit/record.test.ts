/**
 * Record shape: compared field by field with the CloudTrail entries the AWS
 * KMS Developer Guide shows ("Examples of AWS KMS log entries": GenerateDataKey,
 * Decrypt failure, CreateKey), and the chain fields.
 */
import { describe, expect, it } from "vitest";
import { AuditLog, GENESIS_HASH, memoryAuditSink } from "../../src/audit/index.js";
import { sha256 } from "../../src/engine/index.js";
import { ACCOUNT, ALICE, ARN_A, ARN_B, KEY_A, REGION, ROOT, T0, counterRandom, input } from "./helpers.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function newLog() {
  const sink = memoryAuditSink();
  return { sink, log: new AuditLog(sink, { random: counterRandom() }) };
}

describe("AuditLog.record: the CloudTrail shape", () => {
  it("matches AWS's GenerateDataKey example", () => {
    // docs: AWS KMS Developer Guide, "GenerateDataKey" CloudTrail example (ct-generatedatakey).
    const example = {
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/Alice", accountId: "111122223333", userName: "Alice" },
      eventTime: "2014-11-04T00:52:40Z",
      eventSource: "kms.amazonaws.com",
      eventName: "GenerateDataKey",
      awsRegion: "us-west-2",
      sourceIPAddress: "192.0.2.0",
      userAgent: "AWS Internal",
      requestParameters: {
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        keySpec: "AES_256",
        encryptionContext: { Department: "Engineering", Project: "Alpha" },
      },
      responseElements: null,
      readOnly: true,
      resources: [{ ARN: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", accountId: "111122223333" }],
      eventType: "AwsApiCall",
      recipientAccountId: "111122223333",
    };
    const { log } = newLog();
    const event = log.record({
      time: Date.UTC(2014, 10, 4, 0, 52, 40, 123),
      operation: "GenerateDataKey",
      region: REGION,
      account: ACCOUNT,
      principal: ALICE,
      request: { KeyId: KEY_A, KeySpec: "AES_256", EncryptionContext: { Department: "Engineering", Project: "Alpha" } },
      response: { KeyId: ARN_A, Plaintext: new Uint8Array(32).fill(7), CiphertextBlob: new Uint8Array(100).fill(9) },
      keyArns: [ARN_A],
      readOnly: true,
      sourceIp: "192.0.2.0",
      userAgent: "AWS Internal",
    });
    expect(event).toMatchObject(example);
    // What this log adds or spells its own way.
    expect(event.eventVersion).toBe("1.11");
    expect(event.resources).toEqual([{ accountId: ACCOUNT, type: "AWS::KMS::Key", ARN: ARN_A }]);
    expect(event).toMatchObject({ managementEvent: true, eventCategory: "Management", sequence: 0, previousHash: GENESIS_HASH });
    expect(event.requestID).toMatch(UUID_V4);
    expect(event.eventID).toMatch(UUID_V4);
    expect(event.requestID).not.toBe(event.eventID);
    expect(Object.keys(event)).toEqual([
      "eventVersion",
      "userIdentity",
      "eventTime",
      "eventSource",
      "eventName",
      "awsRegion",
      "sourceIPAddress",
      "userAgent",
      "requestParameters",
      "responseElements",
      "requestID",
      "eventID",
      "readOnly",
      "resources",
      "eventType",
      "managementEvent",
      "recipientAccountId",
      "eventCategory",
      "sequence",
      "previousHash",
      "hash",
    ]);
  });

  it("matches AWS's failed Decrypt example: errorCode, errorMessage, no response", () => {
    const { log } = newLog();
    const event = log.record({
      time: Date.UTC(2022, 10, 24, 18, 57, 43),
      operation: "Decrypt",
      region: REGION,
      account: ACCOUNT,
      principal: ALICE,
      request: {
        CiphertextBlob: new Uint8Array(64),
        KeyId: ARN_A,
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        EncryptionContext: { Department: "Engineering", Project: "Alpha" },
      },
      error: { name: "IncorrectKeyException", message: "The key ID in the request does not identify a CMK that can perform this operation." },
      keyArns: [ARN_A],
      readOnly: true,
    });
    expect(event).toMatchObject({
      eventTime: "2022-11-24T18:57:43Z",
      eventName: "Decrypt",
      errorCode: "IncorrectKeyException",
      errorMessage: "The key ID in the request does not identify a CMK that can perform this operation.",
      requestParameters: {
        encryptionAlgorithm: "SYMMETRIC_DEFAULT",
        keyId: ARN_A,
        encryptionContext: { Department: "Engineering", Project: "Alpha" },
      },
      responseElements: null,
      resources: [{ accountId: ACCOUNT, type: "AWS::KMS::Key", ARN: ARN_A }],
    });
    expect(Object.keys(event).indexOf("errorCode")).toBeLessThan(Object.keys(event).indexOf("requestParameters"));
  });

  it("matches AWS's CreateKey example: the policy in the request, keyMetadata in the response", () => {
    const { log } = newLog();
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ALICE }, Action: "kms:*", Resource: "*" }] });
    const event = log.record({
      time: Date.UTC(2020, 5, 30, 2, 34, 7),
      operation: "CreateKey",
      region: REGION,
      account: ACCOUNT,
      principal: ALICE,
      request: { Policy: policy, Description: "", KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS", BypassPolicyLockoutSafetyCheck: false },
      response: {
        KeyMetadata: {
          AWSAccountId: ACCOUNT,
          KeyId: KEY_A,
          Arn: ARN_A,
          CreationDate: new Date(Date.UTC(2020, 5, 30, 2, 34, 7)),
          Enabled: true,
          Description: "",
          KeyUsage: "ENCRYPT_DECRYPT",
          KeyState: "Enabled",
          Origin: "AWS_KMS",
          KeyManager: "CUSTOMER",
          KeySpec: "SYMMETRIC_DEFAULT",
          EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
          MultiRegion: false,
        },
      },
      keyArns: [ARN_A],
      readOnly: false,
    });
    expect(event.requestParameters).toEqual({
      policy,
      description: "",
      keyUsage: "ENCRYPT_DECRYPT",
      keySpec: "SYMMETRIC_DEFAULT",
      origin: "AWS_KMS",
      bypassPolicyLockoutSafetyCheck: false,
    });
    expect(event.responseElements).toEqual({
      keyMetadata: {
        aWSAccountId: ACCOUNT, // sic: CloudTrail lower-cases only the first letter
        keyId: KEY_A,
        arn: ARN_A,
        creationDate: "2020-06-30T02:34:07.000Z",
        enabled: true,
        description: "",
        keyUsage: "ENCRYPT_DECRYPT",
        keyState: "Enabled",
        origin: "AWS_KMS",
        keyManager: "CUSTOMER",
        keySpec: "SYMMETRIC_DEFAULT",
        encryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
        multiRegion: false,
      },
    });
    expect(event.readOnly).toBe(false);
  });

  it("records the key ARN as the response of a change that returns nothing, and no response for reads", () => {
    const { log } = newLog();
    const enable = log.record(input({ operation: "EnableKey", request: { KeyId: KEY_A }, response: undefined, readOnly: false }));
    expect(enable.responseElements).toEqual({ keyId: ARN_A });
    const describe = log.record(input({ operation: "DescribeKey", request: { KeyId: KEY_A }, response: { KeyMetadata: { KeyId: KEY_A } } }));
    expect(describe.responseElements).toBeNull();
    const list = log.record(input({ operation: "ListKeys", request: {}, response: { Keys: [] }, keyArns: [] }));
    expect(list.requestParameters).toBeNull();
    expect(list.responseElements).toBeNull();
    expect(list.resources).toEqual([]);
    const policy = log.record(input({ operation: "GetKeyPolicy", request: { KeyId: KEY_A, PolicyName: "default" }, response: { Policy: "{}" }, readOnly: false }));
    expect(policy.responseElements).toBeNull();
  });

  it.each([
    [ROOT, { type: "Root", principalId: ACCOUNT, arn: ROOT, accountId: ACCOUNT }, "AwsApiCall"],
    [ALICE, { type: "IAMUser", arn: ALICE, accountId: ACCOUNT, userName: "Alice" }, "AwsApiCall"],
    [
      `arn:aws:iam::${ACCOUNT}:user/division/team/Bob`,
      { type: "IAMUser", arn: `arn:aws:iam::${ACCOUNT}:user/division/team/Bob`, accountId: ACCOUNT, userName: "Bob" },
      "AwsApiCall",
    ],
    [`arn:aws:iam::${ACCOUNT}:role/App`, { type: "AssumedRole", arn: `arn:aws:iam::${ACCOUNT}:role/App`, accountId: ACCOUNT }, "AwsApiCall"],
    [
      `arn:aws:sts::${ACCOUNT}:assumed-role/App/session-1`,
      { type: "AssumedRole", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/App/session-1`, accountId: ACCOUNT },
      "AwsApiCall",
    ],
    [
      `arn:aws:sts::${ACCOUNT}:federated-user/Carol`,
      { type: "FederatedUser", arn: `arn:aws:sts::${ACCOUNT}:federated-user/Carol`, accountId: ACCOUNT },
      "AwsApiCall",
    ],
    [
      "arn:aws:iam::444455556666:user/Eve",
      { type: "AWSAccount", principalId: "444455556666", arn: "arn:aws:iam::444455556666:user/Eve", accountId: "444455556666" },
      "AwsApiCall",
    ],
    [
      "kms.amazonaws.com",
      { type: "AWSService", arn: "kms.amazonaws.com", accountId: ACCOUNT, invokedBy: "kms.amazonaws.com" },
      "AwsServiceEvent",
    ],
  ])("describes the caller %s", (principal, identity, eventType) => {
    const { log } = newLog();
    const event = log.record(input({ principal }));
    expect(event.userIdentity).toEqual(identity);
    expect(event.eventType).toBe(eventType);
    expect(event.recipientAccountId).toBe(ACCOUNT);
  });

  it("gives eventTime in whole UTC seconds and keeps the record's millisecond time for queries", () => {
    const { log } = newLog();
    const event = log.record(input({}, 999));
    expect(event.eventTime).toBe("2026-01-01T00:00:00Z");
    expect(log.record(input({}, 1000)).eventTime).toBe("2026-01-01T00:00:01Z");
    expect(log.query({ from: T0 + 999, to: T0 + 999 })).toHaveLength(1);
  });

  it("uses the caller's request id when given, and leaves out what the caller did not give", () => {
    const { log } = newLog();
    const event = log.record(input({ requestId: "req-123" }));
    expect(event.requestID).toBe("req-123");
    expect(event).not.toHaveProperty("sourceIPAddress");
    expect(event).not.toHaveProperty("userAgent");
    expect(event).not.toHaveProperty("errorCode");
    expect(event).not.toHaveProperty("errorMessage");
  });

  it("lists each key once in resources, in order", () => {
    const { log } = newLog();
    const event = log.record(input({ operation: "ReEncrypt", keyArns: [ARN_A, ARN_B, ARN_A] }));
    expect(event.resources.map((r) => r.ARN)).toEqual([ARN_A, ARN_B]);
    expect(log.record(input({ operation: "ReEncrypt", keyArns: [ARN_B, ARN_B] })).resources.map((r) => r.ARN)).toEqual([ARN_B]);
  });

  it("shares frozen identity and resource objects between events", () => {
    const { log } = newLog();
    const a = log.record(input());
    const b = log.record(input());
    expect(a.userIdentity).toBe(b.userIdentity);
    expect(Object.isFrozen(a.userIdentity)).toBe(true);
    expect(Object.isFrozen(a.resources)).toBe(true);
    expect(Object.isFrozen(a.resources[0])).toBe(true);
  });
});

describe("AuditLog.record: the chain", () => {
  it("links each record to the one before, starting from 64 zeros", () => {
    const { log, sink } = newLog();
    const events = Array.from({ length: 5 }, (_, i) => log.record(input({}, i)));
    events.forEach((event, i) => {
      expect(event.sequence).toBe(i);
      expect(event.previousHash).toBe(i === 0 ? GENESIS_HASH : events[i - 1].hash);
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    });
    expect(new Set(events.map((e) => e.hash)).size).toBe(5);
    expect(log.head()).toEqual({ count: 5, hash: events[4].hash });
    expect(sink.lines).toHaveLength(5);
  });

  it("hashes exactly the stored line without its hash: SHA-256 of the canonical JSON array", () => {
    const { log, sink } = newLog();
    const event = log.record(input({ request: { KeyId: KEY_A, EncryptionContext: { "ünï": "✓ 🔑", q: 'a"b\\c\n' } } }));
    const line = sink.lines[0];
    const fields = JSON.parse(line) as unknown[];
    expect(fields).toHaveLength(19);
    expect(fields[18]).toBe(event.hash);
    const canonical = JSON.stringify(fields.slice(0, 18));
    expect(line).toBe(`${canonical.slice(0, -1)},"${event.hash}"]`);
    const digest = sha256(new TextEncoder().encode(canonical));
    expect(Buffer.from(digest).toString("hex")).toBe(event.hash);
    expect(fields.slice(0, 4)).toEqual([1, 0, GENESIS_HASH, T0]);
  });

  it("changes the hash with any field, the sequence and the previous hash included", () => {
    const a = newLog().log.record(input());
    const b = newLog().log.record(input());
    expect(a.hash).toBe(b.hash); // same input, same counter ids: same record
    expect(newLog().log.record(input({}, 1)).hash).not.toBe(a.hash);
    expect(newLog().log.record(input({ principal: ALICE })).hash).not.toBe(a.hash);
    expect(newLog().log.record(input({ request: { KeyId: KEY_A, EncryptionContext: { a: "b" } } })).hash).not.toBe(a.hash);
    const { log } = newLog();
    log.record(input());
    expect(log.record(input()).hash).not.toBe(a.hash);
  });

  it("refuses bad input and stores nothing", () => {
    const { log, sink } = newLog();
    const bad = [
      { time: Number.NaN },
      { time: -1 },
      { time: 1e20 },
      { operation: "" },
      { principal: 7 },
      { keyArns: "arn" },
      { keyArns: [1] },
      { readOnly: "yes" },
      { sourceIp: 127 },
      { userAgent: {} },
      { requestId: 5 },
      { error: "boom" },
    ];
    for (const override of bad) {
      expect(() => log.record(input(override as never)), JSON.stringify(override)).toThrow(TypeError);
    }
    expect(() => log.record(null as never)).toThrow(TypeError);
    expect(sink.lines).toEqual([]);
    expect(log.size).toBe(0);
  });

  it("keeps nothing when the sink refuses a line, and chains on from the last stored record", () => {
    const sink = memoryAuditSink();
    let refuse = false;
    const log = new AuditLog(
      {
        ...sink,
        append: (line) => {
          if (refuse) throw new Error("disk full");
          sink.append(line);
        },
      },
      { random: counterRandom() },
    );
    const first = log.record(input());
    refuse = true;
    expect(() => log.record(input())).toThrow("disk full");
    refuse = false;
    const second = log.record(input());
    expect(second.sequence).toBe(1);
    expect(second.previousHash).toBe(first.hash);
    expect(log.verify()).toEqual({ ok: true, count: 2 });
  });
});
