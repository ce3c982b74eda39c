/**
 * The AWS KMS request quotas this library can imitate, as requests per second
 * per account and Region, each preset with where its numbers come from.
 *
 * "aws-2020": the AWS KMS Developer Guide page "Request quotas" as it stood in
 * 2020 (github.com/awsdocs/aws-kms-developer-guide, doc_source/requests-per-second.md
 * at commit 7881062): symmetric cryptographic operations 5,500/s, 10,000/s or
 * 30,000/s by Region (the seed document's figures; the page's table deferred to
 * the website, its text gives the three numbers), RSA 500/s, ECC 300/s,
 * GenerateDataKeyPair per pair spec, and a rate for each other operation.
 * Operations that page does not list (they came later: GetKeyLastUsage,
 * ListKeyRotations, RotateKeyOnDemand, …) take their current figure, and
 * `describe()` says so.
 *
 * "aws-current": the same page as published now
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html):
 * symmetric 10,000/s, 20,000/s or 100,000/s by the same Region groups, RSA
 * 1,000/s, ECC and SM2 1,000/s, ML-DSA 1,000/s, and the per-operation table.
 *
 * Symmetric keys here include HMAC keys, as in AWS ("HMAC keys, which are also
 * symmetric"). Custom key store quotas are not modelled (this KMS has no
 * custom key stores).
 */

export type QuotaPreset = "aws-2020" | "aws-current";

/** Requests per second of each pool, before anyone overrides them. */
export interface QuotaTable {
  /** Shared by Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateRandom, GenerateMac, VerifyMac on symmetric and HMAC keys. */
  symmetric: number;
  /** Shared by the cryptographic operations on RSA keys. */
  rsa: number;
  /** Shared by the cryptographic operations on ECC (and SM2) keys. */
  ecc: number;
  /** Shared by Sign and Verify on ML-DSA keys (current figures only). */
  mlDsa?: number;
  /** GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext, one pool per KeyPairSpec. */
  dataKeyPair: Record<string, number>;
  /** Every other operation: its own pool. */
  operations: Record<string, number>;
}

export const PRESET_SOURCES: Record<QuotaPreset, string> = {
  "aws-2020":
    "AWS KMS Developer Guide, Request quotas, 2020 edition (awsdocs/aws-kms-developer-guide " +
    "doc_source/requests-per-second.md @7881062); the seed document's 2020 figures",
  "aws-current": "AWS KMS Developer Guide, Request quotas (docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html)",
};

/** Where a figure of the 2020 preset was taken from the current table instead. */
export const LATER_OPERATION_SOURCE = `${PRESET_SOURCES["aws-current"]}; the operation is not in the 2020 table`;

/** Regions with the middle symmetric quota (10,000/s in 2020, 20,000/s now). */
const MIDDLE_REGIONS = new Set(["us-east-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1", "eu-west-2"]);
/** Regions with the highest symmetric quota (30,000/s in 2020, 100,000/s now). */
const TOP_REGIONS = new Set(["us-east-1", "us-west-2", "eu-west-1"]);
/** Regions where the current RSA GenerateDataKeyPair quotas are the old, lower ones. */
const CHINA_REGIONS = new Set(["cn-north-1", "cn-northwest-1"]);

function byRegion(region: string, [base, middle, top]: [number, number, number]): number {
  return TOP_REGIONS.has(region) ? top : MIDDLE_REGIONS.has(region) ? middle : base;
}

/** The 2020 page's per-operation table (custom key store operations included, though unused here). */
const OPERATIONS_2020: Record<string, number> = {
  CancelKeyDeletion: 5,
  ConnectCustomKeyStore: 5,
  CreateAlias: 5,
  CreateCustomKeyStore: 5,
  CreateGrant: 50,
  CreateKey: 5,
  DeleteAlias: 5,
  DeleteCustomKeyStore: 5,
  DeleteImportedKeyMaterial: 5,
  DescribeCustomKeyStores: 5,
  DescribeKey: 1000,
  DisableKey: 5,
  DisableKeyRotation: 5,
  DisconnectCustomKeyStore: 5,
  EnableKey: 5,
  EnableKeyRotation: 5,
  GetKeyPolicy: 1000,
  GetKeyRotationStatus: 1000,
  GetParametersForImport: 0.25,
  GetPublicKey: 5,
  ImportKeyMaterial: 5,
  ListAliases: 100,
  ListGrants: 100,
  ListKeyPolicies: 100,
  ListKeys: 100,
  ListResourceTags: 100,
  ListRetirableGrants: 5,
  PutKeyPolicy: 5,
  RetireGrant: 15,
  RevokeGrant: 15,
  ScheduleKeyDeletion: 5,
  TagResource: 5,
  UntagResource: 5,
  UpdateAlias: 5,
  UpdateCustomKeyStore: 5,
  UpdateKeyDescription: 5,
};

const DATA_KEY_PAIRS_2020: Record<string, number> = {
  ECC_NIST_P256: 25,
  ECC_NIST_P384: 10,
  ECC_NIST_P521: 5,
  ECC_SECG_P256K1: 25,
  RSA_2048: 1,
  RSA_3072: 0.5,
  RSA_4096: 0.1,
};

/** The current page's per-operation table. */
const OPERATIONS_CURRENT: Record<string, number> = {
  CancelKeyDeletion: 5,
  ConnectCustomKeyStore: 5,
  CreateAlias: 5,
  CreateCustomKeyStore: 5,
  CreateGrant: 50,
  CreateKey: 5,
  DeleteAlias: 15,
  DeleteCustomKeyStore: 5,
  DeleteImportedKeyMaterial: 15,
  DescribeCustomKeyStores: 5,
  DescribeKey: 2000,
  DisableKey: 5,
  DisableKeyRotation: 5,
  DisconnectCustomKeyStore: 5,
  EnableKey: 5,
  EnableKeyRotation: 15,
  GetKeyLastUsage: 5,
  GetKeyPolicy: 1000,
  GetKeyRotationStatus: 1000,
  GetParametersForImport: 1,
  GetPublicKey: 2000,
  ImportKeyMaterial: 15,
  ListAliases: 500,
  ListGrants: 100,
  ListKeyPolicies: 100,
  ListKeys: 500,
  ListKeyRotations: 100,
  ListResourceTags: 2000,
  ListRetirableGrants: 100,
  PutKeyPolicy: 15,
  ReplicateKey: 5,
  RetireGrant: 50,
  RevokeGrant: 50,
  RotateKeyOnDemand: 5,
  ScheduleKeyDeletion: 15,
  TagResource: 10,
  UntagResource: 5,
  UpdateAlias: 5,
  UpdateCustomKeyStore: 5,
  UpdateKeyDescription: 5,
  UpdatePrimaryRegion: 5,
};

function dataKeyPairsCurrent(region: string): Record<string, number> {
  const china = CHINA_REGIONS.has(region);
  return {
    ECC_NIST_P256: 100,
    ECC_NIST_P384: 100,
    ECC_NIST_P521: 100,
    ECC_SECG_P256K1: 100,
    ECC_NIST_EDWARDS25519: 100,
    RSA_2048: china ? 1 : 20,
    RSA_3072: china ? 0.5 : 4,
    RSA_4096: china ? 0.1 : 1,
    SM2: 25,
  };
}

/** A preset's rates in `region`, and the source of each figure (operation → source, where it differs from the preset's). */
export function presetTable(preset: QuotaPreset, region: string): { table: QuotaTable; laterOperations: Set<string> } {
  if (preset === "aws-current") {
    return {
      table: {
        symmetric: byRegion(region, [10_000, 20_000, 100_000]),
        rsa: 1000,
        ecc: 1000,
        mlDsa: 1000,
        dataKeyPair: dataKeyPairsCurrent(region),
        operations: { ...OPERATIONS_CURRENT },
      },
      laterOperations: new Set(),
    };
  }
  const laterOperations = new Set(Object.keys(OPERATIONS_CURRENT).filter((op) => !(op in OPERATIONS_2020)));
  const operations = { ...OPERATIONS_2020 };
  for (const op of laterOperations) operations[op] = OPERATIONS_CURRENT[op];
  return {
    table: {
      symmetric: byRegion(region, [5_500, 10_000, 30_000]),
      rsa: 500,
      ecc: 300,
      dataKeyPair: { ...DATA_KEY_PAIRS_2020 },
      operations,
    },
    laterOperations,
  };
}

export function isQuotaPreset(value: unknown): value is QuotaPreset {
  return value === "aws-2020" || value === "aws-current";
}
