// Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant,
// RevokeGrant, grant tokens, constraints, Name idempotence, and grants in
// authorization.
import { describe, expect, it } from "vitest";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import {
  ACCOUNT,
  KEY_MANAGER,
  KEY_USER,
  OTHER_USER,
  PARTNER,
  ROOT,
  ROOT_STATEMENT,
  allowStatement,
  keyPolicy,
  rejects,
  seedKeyPolicy,
  setup,
  symmetricKey,
  utf8,
  withSqliteFile,
} from "./helpers.js";

const APP = `arn:aws:iam::${ACCOUNT}:role/App`;
const RETIRER = `arn:aws:iam::${ACCOUNT}:role/Retirer`;

describe("CreateGrant and ListGrants", () => {
  it("lets the grantee do the granted operations and nothing else", async () => {
    const { kms, clock } = setup();
    const { id, arn } = await symmetricKey(kms);
    const app = kms.as(APP);
    await rejects(app.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
    const { GrantId, GrantToken } = await kms.createGrant({ KeyId: id, GranteePrincipal: APP, RetiringPrincipal: RETIRER, Operations: ["Encrypt", "Decrypt"], Name: "app-crypto" });
    expect(GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(GrantToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const { CiphertextBlob } = await app.encrypt({ KeyId: id, Plaintext: utf8("x"), GrantTokens: [GrantToken] });
    await app.decrypt({ CiphertextBlob });
    await rejects(app.generateDataKey({ KeyId: id, KeySpec: "AES_256" }), "AccessDeniedException");
    await rejects(app.describeKey({ KeyId: id }), "AccessDeniedException");
    expect(kms.explain({ principal: APP, action: "kms:Decrypt", keyId: id }).explanation).toContain(`grant ${GrantId} ("app-crypto")`);

    const { Grants, Truncated } = await kms.listGrants({ KeyId: id });
    expect(Truncated).toBe(false);
    expect(Grants).toEqual([
      {
        KeyId: arn,
        GrantId,
        Name: "app-crypto",
        CreationDate: new Date(clock.now()),
        GranteePrincipal: APP,
        RetiringPrincipal: RETIRER,
        IssuingAccount: ROOT,
        Operations: ["Encrypt", "Decrypt"],
      },
    ]);
    expect((await kms.listGrants({ KeyId: id, GranteePrincipal: OTHER_USER })).Grants).toEqual([]);
    expect((await kms.listGrants({ KeyId: arn, GrantId })).Grants).toHaveLength(1);
  });

  it("returns the same GrantId for the same Name and parameters, with a new token each time", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const request = { KeyId: id, GranteePrincipal: APP, Operations: ["Decrypt" as const, "Encrypt" as const], Name: "retry-me" };
    const first = await kms.createGrant(request);
    const again = await kms.createGrant({ ...request, Operations: ["Encrypt", "Decrypt"] });
    expect(again.GrantId).toBe(first.GrantId);
    expect(again.GrantToken).not.toBe(first.GrantToken);
    const other = await kms.createGrant({ ...request, Operations: ["Encrypt"] });
    expect(other.GrantId).not.toBe(first.GrantId);
    const unnamed = { KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt" as const] };
    expect((await kms.createGrant(unnamed)).GrantId).not.toBe((await kms.createGrant(unnamed)).GrantId);
    expect((await kms.listGrants({ KeyId: id })).Grants).toHaveLength(4);
  });

  it("pages grants with Limit and Marker", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    for (let i = 0; i < 5; i++) await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt"] });
    const first = await kms.listGrants({ KeyId: id, Limit: 3 });
    expect(first).toMatchObject({ Truncated: true });
    const second = await kms.listGrants({ KeyId: id, Limit: 3, Marker: first.NextMarker });
    expect(second.Truncated).toBe(false);
    expect(new Set([...first.Grants, ...second.Grants].map((g) => g.GrantId)).size).toBe(5);
  });

  it("validates the request against AWS's rules", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const hmac = (await kms.createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
    await rejects(kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: [] }), "ValidationException");
    await rejects(kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Dance" as never] }), "ValidationException", /enum/);
    await rejects(kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Sign"] }), "ValidationException", /Sign/);
    await rejects(kms.createGrant({ KeyId: id, GranteePrincipal: "bob", Operations: ["Encrypt"] }), "ValidationException", /GranteePrincipal|granteePrincipal/);
    await rejects(kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt"], Name: "bad name" }), "ValidationException");
    await rejects(
      kms.createGrant({ KeyId: hmac, GranteePrincipal: APP, Operations: ["GenerateMac"], Constraints: { EncryptionContextSubset: { a: "b" } } }),
      "ValidationException",
      /encryption context/,
    );
    await kms.createGrant({ KeyId: hmac, GranteePrincipal: APP, Operations: ["GenerateMac", "VerifyMac", "DescribeKey"] });
    await kms.scheduleKeyDeletion({ KeyId: id });
    await rejects(kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt"] }), "KMSInvalidStateException");
  });
});

describe("grant constraints", () => {
  it("EncryptionContextEquals: exactly these pairs, keys without regard to case, values exactly", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt", "DescribeKey"], Constraints: { EncryptionContextEquals: { tenant: "acme" } } });
    const app = kms.as(APP);
    await app.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { tenant: "acme" } });
    await app.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { Tenant: "acme" } });
    await rejects(app.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { tenant: "ACME" } }), "AccessDeniedException");
    await rejects(app.encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { tenant: "acme", more: "1" } }), "AccessDeniedException");
    await rejects(app.encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
    // Constraints do not apply to DescribeKey.
    await app.describeKey({ KeyId: id });
  });

  it("EncryptionContextSubset: at least these pairs", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["GenerateDataKey", "Decrypt"], Constraints: { EncryptionContextSubset: { tenant: "acme" } } });
    const app = kms.as(APP);
    const context = { tenant: "acme", order: "42" };
    const { CiphertextBlob } = await app.generateDataKey({ KeyId: id, KeySpec: "AES_256", EncryptionContext: context });
    await app.decrypt({ CiphertextBlob, EncryptionContext: context });
    await rejects(app.generateDataKey({ KeyId: id, KeySpec: "AES_256", EncryptionContext: { order: "42" } }), "AccessDeniedException");
  });

  it("lets a grantee with CreateGrant pass on no more than it has", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Decrypt", "Encrypt", "CreateGrant"], Constraints: { EncryptionContextSubset: { tenant: "acme" } } });
    const app = kms.as(APP);
    const narrower = { EncryptionContextEquals: { tenant: "acme", team: "a" } };
    await app.createGrant({ KeyId: id, GranteePrincipal: OTHER_USER, Operations: ["Decrypt"], Constraints: narrower });
    await rejects(app.createGrant({ KeyId: id, GranteePrincipal: OTHER_USER, Operations: ["Decrypt"] }), "AccessDeniedException");
    await rejects(app.createGrant({ KeyId: id, GranteePrincipal: OTHER_USER, Operations: ["GenerateDataKey"], Constraints: narrower }), "AccessDeniedException");
    await rejects(
      app.createGrant({ KeyId: id, GranteePrincipal: OTHER_USER, Operations: ["Decrypt"], Constraints: { EncryptionContextSubset: { team: "a" } } }),
      "AccessDeniedException",
    );
  });
});

describe("RetireGrant and RevokeGrant", () => {
  it("retires by token or by key and grant id, for the retiring principal, the grantee with RetireGrant, and the account", async () => {
    const { kms } = setup();
    const { id, arn } = await symmetricKey(kms);
    const grant = () => kms.createGrant({ KeyId: id, GranteePrincipal: APP, RetiringPrincipal: RETIRER, Operations: ["Encrypt"] });

    const a = await grant();
    await rejects(kms.as(APP).retireGrant({ GrantToken: a.GrantToken }), "AccessDeniedException", /kms:RetireGrant/);
    await rejects(kms.as(OTHER_USER).retireGrant({ GrantToken: a.GrantToken }), "AccessDeniedException");
    await kms.as(RETIRER).retireGrant({ GrantToken: a.GrantToken });
    await rejects(kms.as(APP).encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
    await rejects(kms.retireGrant({ GrantToken: a.GrantToken }), "NotFoundException");

    const b = await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt", "RetireGrant"] });
    await kms.as(APP).retireGrant({ KeyId: arn, GrantId: b.GrantId });

    const c = await grant();
    await kms.retireGrant({ KeyId: id, GrantId: c.GrantId });
    expect((await kms.listGrants({ KeyId: id })).Grants).toEqual([]);
    await rejects(kms.retireGrant({ GrantId: c.GrantId }), "ValidationException");
    await rejects(kms.retireGrant({ KeyId: id, GrantId: "abc" }), "InvalidGrantIdException");
  });

  it("revokes for principals with kms:RevokeGrant", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms, { Policy: seedKeyPolicy() });
    const { GrantId } = await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Decrypt"] });
    await rejects(kms.as(KEY_USER).revokeGrant({ KeyId: id, GrantId }), "AccessDeniedException");
    await rejects(kms.as(APP).revokeGrant({ KeyId: id, GrantId }), "AccessDeniedException");
    await kms.as(KEY_MANAGER).revokeGrant({ KeyId: id, GrantId });
    await rejects(kms.revokeGrant({ KeyId: id, GrantId }), "NotFoundException");
  });

  it("lists a principal's retirable grants across keys", async () => {
    const { kms } = setup();
    const k1 = await symmetricKey(kms);
    const k2 = await symmetricKey(kms);
    const g1 = await kms.createGrant({ KeyId: k1.id, GranteePrincipal: APP, RetiringPrincipal: RETIRER, Operations: ["Encrypt"] });
    const g2 = await kms.createGrant({ KeyId: k2.id, GranteePrincipal: APP, RetiringPrincipal: RETIRER, Operations: ["Decrypt"] });
    await kms.createGrant({ KeyId: k2.id, GranteePrincipal: APP, Operations: ["Decrypt"] });
    const { Grants } = await kms.listRetirableGrants({ RetiringPrincipal: RETIRER });
    expect(Grants.map((g) => g.GrantId).sort()).toEqual([g1.GrantId, g2.GrantId].sort());
    expect(Grants.every((g) => g.RetiringPrincipal === RETIRER)).toBe(true);
  });
});

describe("grants in authorization", () => {
  it("refuses malformed grant tokens and more than 10 of them", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    const { GrantToken } = await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt"] });
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x"), GrantTokens: ["garbage"] }), "InvalidGrantTokenException");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x"), GrantTokens: [GrantToken.slice(0, -2)] }), "InvalidGrantTokenException");
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x"), GrantTokens: Array(11).fill(GrantToken) }), "ValidationException");
    await rejects(kms.retireGrant({ GrantToken: "not-a-token" }), "InvalidGrantTokenException");
    await kms.encrypt({ KeyId: id, Plaintext: utf8("x"), GrantTokens: [GrantToken] });
  });

  it("loses to an explicit deny", async () => {
    const { kms } = setup();
    const policy = keyPolicy(ROOT_STATEMENT, { Effect: "Deny", Principal: { AWS: APP }, Action: "kms:Decrypt", Resource: "*" });
    const { id } = await symmetricKey(kms, { Policy: policy });
    await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt", "Decrypt"] });
    const { CiphertextBlob } = await kms.as(APP).encrypt({ KeyId: id, Plaintext: utf8("x") });
    await rejects(kms.as(APP).decrypt({ CiphertextBlob }), "AccessDeniedException", /explicit deny/);
  });

  it("works across accounts without the other account's IAM policy, and for a role's sessions", async () => {
    const { kms } = setup();
    const { arn } = await symmetricKey(kms);
    await kms.createGrant({ KeyId: arn, GranteePrincipal: PARTNER, Operations: ["Encrypt"] });
    await kms.as(PARTNER).encrypt({ KeyId: arn, Plaintext: utf8("x") });
    await kms.createGrant({ KeyId: arn, GranteePrincipal: APP, Operations: ["Encrypt"] });
    await kms.as(`arn:aws:sts::${ACCOUNT}:assumed-role/App/job-7`).encrypt({ KeyId: arn, Plaintext: utf8("x") });
  });

  it("is limited by conditions on kms:GrantOperations and kms:GrantIsForAWSResource", async () => {
    const { kms } = setup();
    const policy = keyPolicy(
      ROOT_STATEMENT,
      allowStatement(KEY_USER, "kms:CreateGrant", {
        "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt", "Encrypt"] },
        Bool: { "kms:GrantIsForAWSResource": "false" },
      }),
    );
    const { id } = await symmetricKey(kms, { Policy: policy });
    await kms.as(KEY_USER).createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Decrypt"] });
    await rejects(kms.as(KEY_USER).createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Decrypt", "CreateGrant"] }), "AccessDeniedException");
  });

  it("keeps grants in the key store", () =>
    withSqliteFile(async (path, rootKey) => {
      const { kms } = setup({ store: new SqliteKeyStore(path), rootKey });
      const { id } = await symmetricKey(kms);
      const { GrantId } = await kms.createGrant({ KeyId: id, GranteePrincipal: APP, Operations: ["Encrypt"], Constraints: { EncryptionContextEquals: { a: "b" } } });
      kms.close();
      const again = setup({ store: new SqliteKeyStore(path), rootKey }).kms;
      expect((await again.listGrants({ KeyId: id })).Grants.map((g) => [g.GrantId, g.Constraints])).toEqual([[GrantId, { EncryptionContextEquals: { a: "b" } }]]);
      await again.as(APP).encrypt({ KeyId: id, Plaintext: utf8("x"), EncryptionContext: { a: "b" } });
      again.close();
    }));
});
