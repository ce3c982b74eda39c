// The audit log of a Kms: one record per call (success, denial, throttling,
// any error), no secrets, hash-chain verification, queries, durability and
// atomicity with the call's writes, KMS's own events, GetKeyLastUsage, usage(),
// and the bound on a memory store's log (audit: { maxRecords }).
import { describe, expect, it } from "vitest";
import { type AuditSink, Kms, memoryAuditSink } from "../../src/kms/index.js";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import { DAY, KEY_MANAGER, KEY_USER, ROOT, rejects, seedKeyPolicy, setup, symmetricKey, utf8, withSqliteFile } from "./helpers.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

describe("audit records", () => {
  it("records every call once, in CloudTrail's shape, failures included", async () => {
    const { kms, clock } = setup();
    const { id, arn } = await symmetricKey(kms, { Policy: seedKeyPolicy() });
    await kms.as(KEY_USER).encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { tenant: "acme" } });
    await rejects(kms.as(KEY_MANAGER).encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
    await rejects(kms.describeKey({ KeyId: crypto.randomUUID() }), "NotFoundException");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: new Uint8Array(0) }), "ValidationException");
    const events = kms.audit!.query();
    expect(events.map((e) => [e.eventName, e.errorCode ?? "ok"])).toEqual([
      ["CreateKey", "ok"],
      ["Encrypt", "ok"],
      ["Encrypt", "AccessDeniedException"],
      ["DescribeKey", "NotFoundException"],
      ["Encrypt", "ValidationException"],
    ]);
    const [create, encrypt, denied] = events;
    expect(create).toMatchObject({
      eventSource: "kms.amazonaws.com",
      awsRegion: "us-east-1",
      userIdentity: { type: "Root", arn: ROOT, accountId: "111122223333" },
      readOnly: false,
      resources: [{ type: "AWS::KMS::Key", ARN: arn, accountId: "111122223333" }],
      responseElements: { keyMetadata: expect.objectContaining({ keyId: id, arn }) },
      eventTime: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    expect(encrypt).toMatchObject({
      userIdentity: { type: "IAMUser", arn: KEY_USER, userName: "KeyUser" },
      requestParameters: { keyId: id, encryptionContext: { tenant: "acme" } },
      responseElements: null,
      readOnly: true,
    });
    expect(encrypt.requestParameters).not.toHaveProperty("plaintext");
    expect(denied).toMatchObject({ errorMessage: expect.stringMatching(/^User: .*KeyManager is not authorized to perform: kms:Encrypt/), resources: [{ ARN: arn }] });
    expect(new Set(events.map((e) => e.eventID)).size).toBe(events.length);
  });

  it("never keeps plaintext, data keys, ciphertexts or grant tokens", async () => {
    const sink = memoryAuditSink();
    const { kms } = setup({ audit: sink });
    const { id } = await symmetricKey(kms);
    const secret = utf8("TOP SECRET PLAINTEXT");
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: secret });
    const { Plaintext } = await kms.decrypt({ CiphertextBlob });
    const dataKey = await kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" });
    const pair = await kms.generateDataKeyPair({ KeyId: id, KeyPairSpec: "ECC_NIST_P256" });
    const { GrantToken } = await kms.createGrant({ KeyId: id, GranteePrincipal: KEY_USER, Operations: ["Encrypt"] });
    await kms.encrypt({ KeyId: id, Plaintext: secret, GrantTokens: [GrantToken] });
    const random = await kms.generateRandom({ NumberOfBytes: 32 });
    const text = sink.lines.join("\n");
    for (const bytes of [Plaintext, CiphertextBlob, dataKey.Plaintext, dataKey.CiphertextBlob, pair.PrivateKeyPlaintext, pair.PublicKey, random.Plaintext]) {
      expect(text).not.toContain(hex(bytes));
      expect(text).not.toContain(b64(bytes).slice(0, 24));
    }
    expect(text).not.toContain("TOP SECRET");
    expect(text).not.toContain(GrantToken);
    expect(text).not.toMatch(/"(plaintext|ciphertextBlob|grantTokens?)"/);
  });

  it("verifies the chain and says where it was tampered with", async () => {
    const sink = memoryAuditSink();
    const { kms } = setup({ audit: sink });
    const { id } = await symmetricKey(kms);
    for (let i = 0; i < 5; i++) await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    expect(kms.audit!.verify()).toEqual({ ok: true, count: 6 });
    sink.lines[3] = sink.lines[3].replace('"Encrypt"', '"Decrypt"');
    expect(kms.audit!.verify()).toMatchObject({ ok: false, index: 3 });
  });

  it("queries by key, event, principal, error and time", async () => {
    const { kms, clock } = setup();
    const a = await symmetricKey(kms, { Policy: seedKeyPolicy() });
    const b = await symmetricKey(kms);
    const start = clock.now();
    clock.advance(60_000);
    await kms.as(KEY_USER).encrypt({ KeyId: a.id, Plaintext: utf8("x") });
    await kms.encrypt({ KeyId: b.arn, Plaintext: utf8("x") });
    await rejects(kms.as(KEY_USER).disableKey({ KeyId: a.id }), "AccessDeniedException");
    const log = kms.audit!;
    expect(log.query({ keyId: a.id }).map((e) => e.eventName)).toEqual(["CreateKey", "Encrypt", "DisableKey"]);
    expect(log.query({ keyId: b.arn, eventName: "Encrypt" })).toHaveLength(1);
    expect(log.query({ principal: KEY_USER }).map((e) => e.eventName)).toEqual(["Encrypt", "DisableKey"]);
    expect(log.query({ errorCode: "AccessDeniedException" })).toHaveLength(1);
    expect(log.query({ to: start }).map((e) => e.eventName)).toEqual(["CreateKey", "CreateKey"]);
    expect(log.query({ from: start + 1 })).toHaveLength(3);
  });

  it("records KMS's own deletions and rotations as service events", async () => {
    const { kms, clock } = setup();
    const { id, arn } = await symmetricKey(kms);
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    const doomed = await symmetricKey(kms);
    await kms.scheduleKeyDeletion({ KeyId: doomed.id, PendingWindowInDays: 7 });
    clock.advanceDays(91);
    kms.sweep();
    const service = kms.audit!.query({ principal: "kms.amazonaws.com" });
    // sweep() goes through the keys in key id order, so the two events come in either order.
    expect(service.map((e) => [e.eventName, e.resources[0].ARN, e.eventType, e.userIdentity.type]).sort()).toEqual([
      ["DeleteKey", doomed.arn, "AwsServiceEvent", "AWSService"],
      ["RotateKey", arn, "AwsServiceEvent", "AWSService"],
    ]);
  });

  it("keeps no log when audit is off", async () => {
    const { kms } = setup({ audit: false });
    await symmetricKey(kms);
    expect(kms.audit).toBeUndefined();
    expect(() => kms.usage()).toThrow(/audit/);
  });
});

describe("audit with a durable store", () => {
  it("keeps the log in the store across restarts", () =>
    withSqliteFile(async (path, rootKey) => {
      const { kms } = setup({ store: new SqliteKeyStore(path), rootKey });
      const { id } = await symmetricKey(kms);
      await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
      await rejects(kms.as(KEY_USER).encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
      const head = kms.audit!.head();
      kms.close();
      const again = setup({ store: new SqliteKeyStore(path), rootKey }).kms;
      expect(again.audit!.verify(head)).toEqual({ ok: true, count: 3 });
      await again.describeKey({ KeyId: id });
      expect(again.audit!.verify(head)).toEqual({ ok: true, count: 4 });
      expect(again.audit!.query().map((e) => e.errorCode ?? e.eventName)).toEqual(["CreateKey", "Encrypt", "AccessDeniedException", "DescribeKey"]);
      expect((await again.getKeyLastUsage({ KeyId: id })).KeyLastUsage?.Operation).toBe("Encrypt");
      again.close();
    }));

  it("records a change in the same transaction as the change: no record, no change", async () => {
    const inner = memoryAuditSink();
    let refuse = false;
    const sink: AuditSink = {
      append: (line) => {
        if (refuse) throw new Error("audit sink full");
        inner.append(line);
      },
      readAll: () => inner.readAll(),
    };
    const { kms } = setup({ audit: sink });
    const { id } = await symmetricKey(kms);
    refuse = true;
    await expect(kms.tagResource({ KeyId: id, Tags: [{ TagKey: "a", TagValue: "b" }] })).rejects.toThrow(/audit sink full/);
    await expect(kms.createKey()).rejects.toThrow(/audit sink full/);
    refuse = false;
    expect((await kms.listResourceTags({ KeyId: id })).Tags).toEqual([]);
    expect((await kms.listKeys()).Keys).toHaveLength(1);
  });
});

describe("audit retention on a memory store", () => {
  it("keeps the newest 100,000 records by default, and still verifies and reports older uses", async () => {
    const kms = new Kms();
    const { KeyMetadata } = await kms.createKey();
    const id = KeyMetadata!.KeyId;
    await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    for (let i = 0; i < 110_000; i++) await kms.generateRandom({ NumberOfBytes: 1 });
    const log = kms.audit!;
    expect(log.size).toBe(110_002);
    const result = log.verify();
    expect(result).toMatchObject({ ok: true, count: 110_002, from: expect.any(Number) });
    const kept = log.query();
    expect(kept.length).toBeGreaterThanOrEqual(100_000);
    expect(kept.length).toBeLessThan(110_000);
    expect(kept[0].sequence).toBe(result.ok && result.from);
    expect(log.query({ keyId: id })).toEqual([]);
    expect((await kms.getKeyLastUsage({ KeyId: id })).KeyLastUsage?.Operation).toBe("Encrypt");
    expect(kms.usage().byKey[KeyMetadata!.Arn!].keyMonths).toBeGreaterThan(0);
  }, 30_000);

  it("takes another bound with audit: { maxRecords }, or none with Infinity", async () => {
    const { kms, clock } = setup({ audit: { maxRecords: 10 } });
    const { id, arn } = await symmetricKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    clock.advance(1_000);
    for (let i = 0; i < 30; i++) await kms.describeKey({ KeyId: id });
    const log = kms.audit!;
    expect(log.query()).toHaveLength(10);
    expect(log.query({ eventName: "Encrypt" })).toEqual([]);
    expect(log.verify()).toEqual({ ok: true, count: 32, from: 22 });
    expect(await kms.getKeyLastUsage({ KeyId: id })).toMatchObject({ KeyLastUsage: { Operation: "Encrypt" }, TrackingStartDate: new Date(clock.now() - 1_000) });
    await kms.decrypt({ CiphertextBlob });
    expect((await kms.getKeyLastUsage({ KeyId: id })).KeyLastUsage?.Operation).toBe("Decrypt");
    clock.advanceDays(730 / 24);
    expect(kms.usage().byKey[arn].keyMonths).toBeCloseTo(1, 3);

    const unbounded = setup({ audit: { maxRecords: Number.POSITIVE_INFINITY } }).kms;
    for (let i = 0; i < 300; i++) await unbounded.generateRandom({ NumberOfBytes: 1 });
    expect(unbounded.audit!.verify()).toEqual({ ok: true, count: 300 });
    expect(unbounded.audit!.query()).toHaveLength(300);
  });

  it("refuses a bad audit option, and a bound on a durable store (which keeps every record)", async () => {
    for (const bad of [{}, 5, "on", { maxRecords: 0 }, { maxRecords: -1 }]) {
      expect(() => setup({ audit: bad as never }), JSON.stringify(bad)).toThrow(TypeError);
    }
    await withSqliteFile(async (path, rootKey) => {
      const store = new SqliteKeyStore(path);
      expect(() => setup({ store, rootKey, audit: { maxRecords: 10 } })).toThrow(/durable key store keeps every record/);
      store.close();
    });
  });
});

describe("GetKeyLastUsage", () => {
  it("reports the last successful cryptographic use", async () => {
    const { kms, clock } = setup();
    const created = clock.now();
    const { id } = await symmetricKey(kms);
    const other = await symmetricKey(kms);
    expect(await kms.getKeyLastUsage({ KeyId: id })).toEqual({ KeyId: id, KeyCreationDate: new Date(created), TrackingStartDate: new Date(created) });
    clock.advance(5_000);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: id, Plaintext: utf8("x") });
    const encrypted = kms.audit!.query({ eventName: "Encrypt" })[0];
    expect((await kms.getKeyLastUsage({ KeyId: id })).KeyLastUsage).toEqual({
      Operation: "Encrypt",
      Timestamp: new Date(created + 5_000),
      CloudTrailEventId: encrypted.eventID,
      KmsRequestId: encrypted.requestID,
    });
    clock.advance(5_000);
    await kms.describeKey({ KeyId: id });
    await rejects(kms.decrypt({ CiphertextBlob, EncryptionContext: { wrong: "context" } }), "InvalidCiphertextException");
    expect((await kms.getKeyLastUsage({ KeyId: id })).KeyLastUsage?.Operation).toBe("Encrypt");
    await kms.reEncrypt({ CiphertextBlob, DestinationKeyId: other.id });
    for (const key of [id, other.id]) {
      expect((await kms.getKeyLastUsage({ KeyId: key })).KeyLastUsage).toMatchObject({ Operation: "ReEncrypt", Timestamp: new Date(created + 10_000) });
    }
    await rejects(kms.as(KEY_USER).getKeyLastUsage({ KeyId: id }), "AccessDeniedException");
  });
});

describe("kms.usage", () => {
  it("counts calls per operation and key and prices them at $1 per key-month and $0.03 per 10,000 requests", async () => {
    const { kms, clock } = setup();
    const from = clock.now();
    const { id, arn } = await symmetricKey(kms);
    for (let i = 0; i < 9_999; i++) await kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" });
    clock.advance(730 * 3_600_000); // one billing month
    const report = kms.usage({ from, to: clock.now() });
    expect(report.requests).toBe(10_000);
    expect(report.byOperation).toEqual({ CreateKey: 1, GenerateDataKey: 9_999 });
    expect(report.byKey[arn]).toMatchObject({ requests: 10_000, byOperation: { CreateKey: 1, GenerateDataKey: 9_999 } });
    expect(report.keyMonths).toBeCloseTo(1, 9);
    expect(report.cost.requests).toBeCloseTo(0.03, 9);
    expect(report.cost.total).toBeCloseTo(1.03, 9);
  });

  it("stops charging for a key once it is scheduled for deletion", async () => {
    const { kms, clock } = setup();
    const { id } = await symmetricKey(kms);
    clock.advanceDays(10);
    await kms.scheduleKeyDeletion({ KeyId: id });
    clock.advance(40 * DAY);
    expect(kms.usage().keyMonths).toBeCloseTo((10 * 24) / 730, 9);
  });
});
