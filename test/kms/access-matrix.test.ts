// Every principal × every operation on a key with the seed's key policy,
// compared with the decision table below, written out by hand from AWS KMS's
// rules (key policy statements; IAM policies count only through the
// account statement, and nobody here has any; alias operations also need IAM
// permission on the alias; operations on no key need IAM permission; another
// account needs its own IAM permission and may only use the cross-account
// operations). A = allowed (the call gets past authorization: it succeeds, or
// fails for another reason such as the key's type), D = AccessDeniedException.
import { describe, expect, it } from "vitest";
import type { Kms } from "../../src/kms/index.js";
import { KEY_MANAGER, KEY_USER, OTHER_USER, PARTNER, ROOT, rejects, seedKeyPolicy, setup, utf8 } from "./helpers.js";

const PRINCIPALS = { root: ROOT, KeyUser: KEY_USER, KeyManager: KEY_MANAGER, Other: OTHER_USER, Partner: PARTNER } as const;

const TABLE = `
operation                         root  KeyUser  KeyManager  Other  Partner
Encrypt                           A     A        D           D      D
Decrypt                           A     A        D           D      D
ReEncrypt                         A     A        D           D      D
GenerateDataKey                   A     A        D           D      D
GenerateDataKeyWithoutPlaintext   A     A        D           D      D
GenerateDataKeyPair               A     A        D           D      D
GenerateMac                       A     D        D           D      D
GetPublicKey                      A     D        A           D      D
DescribeKey                       A     A        A           D      D
EnableKey                         A     D        A           D      D
DisableKey                        A     D        A           D      D
ScheduleKeyDeletion               A     D        A           D      D
CancelKeyDeletion                 A     D        A           D      D
UpdateKeyDescription              A     D        A           D      D
TagResource                       A     D        A           D      D
UntagResource                     A     D        A           D      D
ListResourceTags                  A     D        A           D      D
EnableKeyRotation                 A     D        A           D      D
DisableKeyRotation                A     D        A           D      D
GetKeyRotationStatus              A     D        A           D      D
RotateKeyOnDemand                 A     D        D           D      D
ListKeyRotations                  A     D        A           D      D
GetKeyPolicy                      A     D        A           D      D
PutKeyPolicy                      A     D        A           D      D
ListKeyPolicies                   A     D        A           D      D
GetParametersForImport            A     D        A           D      D
ImportKeyMaterial                 A     D        D           D      D
DeleteImportedKeyMaterial         A     D        A           D      D
CreateGrant                       A     D        A           D      D
ListGrants                        A     D        A           D      D
RevokeGrant                       A     D        A           D      D
RetireGrant                       A     D        D           D      D
GetKeyLastUsage                   A     D        A           D      D
CreateAlias                       A     D        D           D      D
UpdateAlias                       A     D        D           D      D
DeleteAlias                       A     D        D           D      D
ListAliases                       A     D        D           D      D
ListKeys                          A     D        D           D      D
CreateKey                         A     D        D           D      D
GenerateRandom                    A     D        D           D      D
ListRetirableGrants               A     D        D           D      D
`;

interface Fixture {
  /** The Kms as root. */
  kms: Kms;
  id: string;
  arn: string;
  blob: Uint8Array;
  grantId: string;
}

/** Each operation: what root prepares, then the call as the principal (by key ARN, as another account must). */
const CALLS: Record<string, { prepare?: (f: Fixture) => Promise<void>; call: (k: Kms, f: Fixture, me: string) => Promise<unknown> }> = {
  Encrypt: { call: (k, f) => k.encrypt({ KeyId: f.arn, Plaintext: utf8("x") }) },
  Decrypt: { call: (k, f) => k.decrypt({ CiphertextBlob: f.blob }) },
  ReEncrypt: { call: (k, f) => k.reEncrypt({ CiphertextBlob: f.blob, DestinationKeyId: f.arn }) },
  GenerateDataKey: { call: (k, f) => k.generateDataKey({ KeyId: f.arn, KeySpec: "AES_256" }) },
  GenerateDataKeyWithoutPlaintext: { call: (k, f) => k.generateDataKeyWithoutPlaintext({ KeyId: f.arn, NumberOfBytes: 32 }) },
  GenerateDataKeyPair: { call: (k, f) => k.generateDataKeyPair({ KeyId: f.arn, KeyPairSpec: "ECC_NIST_P256" }) },
  GenerateMac: { call: (k, f) => k.generateMac({ KeyId: f.arn, Message: utf8("m"), MacAlgorithm: "HMAC_SHA_256" }) },
  GetPublicKey: { call: (k, f) => k.getPublicKey({ KeyId: f.arn }) },
  DescribeKey: { call: (k, f) => k.describeKey({ KeyId: f.arn }) },
  EnableKey: { call: (k, f) => k.enableKey({ KeyId: f.arn }) },
  DisableKey: { call: (k, f) => k.disableKey({ KeyId: f.arn }) },
  ScheduleKeyDeletion: { call: (k, f) => k.scheduleKeyDeletion({ KeyId: f.arn }) },
  CancelKeyDeletion: {
    prepare: async (f) => void (await f.kms.scheduleKeyDeletion({ KeyId: f.id })),
    call: (k, f) => k.cancelKeyDeletion({ KeyId: f.arn }),
  },
  UpdateKeyDescription: { call: (k, f) => k.updateKeyDescription({ KeyId: f.arn, Description: "d" }) },
  TagResource: { call: (k, f) => k.tagResource({ KeyId: f.arn, Tags: [{ TagKey: "t", TagValue: "v" }] }) },
  UntagResource: { call: (k, f) => k.untagResource({ KeyId: f.arn, TagKeys: ["t"] }) },
  ListResourceTags: { call: (k, f) => k.listResourceTags({ KeyId: f.arn }) },
  EnableKeyRotation: { call: (k, f) => k.enableKeyRotation({ KeyId: f.arn }) },
  DisableKeyRotation: { call: (k, f) => k.disableKeyRotation({ KeyId: f.arn }) },
  GetKeyRotationStatus: { call: (k, f) => k.getKeyRotationStatus({ KeyId: f.arn }) },
  RotateKeyOnDemand: { call: (k, f) => k.rotateKeyOnDemand({ KeyId: f.arn }) },
  ListKeyRotations: { call: (k, f) => k.listKeyRotations({ KeyId: f.arn }) },
  GetKeyPolicy: { call: (k, f) => k.getKeyPolicy({ KeyId: f.arn }) },
  PutKeyPolicy: { call: (k, f) => k.putKeyPolicy({ KeyId: f.arn, Policy: seedKeyPolicy() }) },
  ListKeyPolicies: { call: (k, f) => k.listKeyPolicies({ KeyId: f.arn }) },
  GetParametersForImport: {
    call: (k, f) => k.getParametersForImport({ KeyId: f.arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }),
  },
  ImportKeyMaterial: {
    call: (k, f) => k.importKeyMaterial({ KeyId: f.arn, ImportToken: new Uint8Array(8), EncryptedKeyMaterial: new Uint8Array(8) }),
  },
  DeleteImportedKeyMaterial: { call: (k, f) => k.deleteImportedKeyMaterial({ KeyId: f.arn }) },
  CreateGrant: {
    call: (k, f) => k.createGrant({ KeyId: f.arn, GranteePrincipal: "arn:aws:iam::111122223333:role/App", Operations: ["Decrypt"] }),
  },
  ListGrants: { call: (k, f) => k.listGrants({ KeyId: f.arn }) },
  RevokeGrant: { call: (k, f) => k.revokeGrant({ KeyId: f.arn, GrantId: f.grantId }) },
  RetireGrant: { call: (k, f) => k.retireGrant({ KeyId: f.arn, GrantId: f.grantId }) },
  GetKeyLastUsage: { call: (k, f) => k.getKeyLastUsage({ KeyId: f.arn }) },
  CreateAlias: { call: (k, f) => k.createAlias({ AliasName: "alias/new", TargetKeyId: f.arn }) },
  UpdateAlias: {
    prepare: async (f) => f.kms.createAlias({ AliasName: "alias/app", TargetKeyId: f.id }),
    call: (k, f) => k.updateAlias({ AliasName: "alias/app", TargetKeyId: f.arn }),
  },
  DeleteAlias: {
    prepare: async (f) => f.kms.createAlias({ AliasName: "alias/app", TargetKeyId: f.id }),
    call: (k) => k.deleteAlias({ AliasName: "alias/app" }),
  },
  ListAliases: { call: (k) => k.listAliases() },
  ListKeys: { call: (k) => k.listKeys() },
  CreateKey: { call: (k) => k.createKey({ Description: "mine" }) },
  GenerateRandom: { call: (k) => k.generateRandom({ NumberOfBytes: 16 }) },
  ListRetirableGrants: { call: (k, _f, me) => k.listRetirableGrants({ RetiringPrincipal: me }) },
};

function parseTable(): { operation: string; expected: Record<string, string> }[] {
  const [header, ...rows] = TABLE.trim().split("\n").map((line) => line.trim().split(/\s+/));
  return rows.map(([operation, ...cells]) => ({ operation, expected: Object.fromEntries(header.slice(1).map((p, i) => [p, cells[i]])) }));
}

async function fixture(): Promise<Fixture> {
  const { kms } = setup();
  const { KeyMetadata } = await kms.createKey({ Policy: seedKeyPolicy() });
  const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: utf8("secret") });
  const { GrantId } = await kms.createGrant({ KeyId: KeyMetadata.KeyId, GranteePrincipal: "arn:aws:iam::111122223333:role/Batch", Operations: ["Encrypt"] });
  return { kms, id: KeyMetadata.KeyId, arn: KeyMetadata.Arn, blob: CiphertextBlob, grantId: GrantId };
}

describe("access matrix: seed key policy, every principal × every operation", () => {
  const rows = parseTable();

  it("covers every operation of the table, and the table covers every call", () => {
    expect(rows.map((r) => r.operation).sort()).toEqual(Object.keys(CALLS).sort());
    for (const r of rows) expect(Object.keys(r.expected)).toEqual(Object.keys(PRINCIPALS));
  });

  for (const { operation, expected } of rows) {
    it(operation, async () => {
      const got: Record<string, string> = {};
      for (const [name, principal] of Object.entries(PRINCIPALS)) {
        const f = await fixture();
        const { prepare, call } = CALLS[operation];
        await prepare?.(f);
        const outcome = await call(f.kms.as(principal), f, principal).then(
          () => "A",
          (e: Error) => (e.name === "AccessDeniedException" ? "D" : "A"),
        );
        got[name] = outcome;
        f.kms.close();
      }
      expect(got).toEqual(expected);
    });
  }

  it("refuses with AWS's message: the key policy delegates to IAM, and no identity-based policy allows it", async () => {
    const f = await fixture();
    const err = await rejects(f.kms.as(KEY_MANAGER).encrypt({ KeyId: f.arn, Plaintext: utf8("x") }), "AccessDeniedException");
    expect(err.message).toBe(
      `User: ${KEY_MANAGER} is not authorized to perform: kms:Encrypt on resource: ${f.arn} because no identity-based policy allows the kms:Encrypt action`,
    );
  });
});
