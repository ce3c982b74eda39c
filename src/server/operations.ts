/**
 * Which X-Amz-Target operations the endpoint serves: every operation of the
 * AWS KMS API (kms-2014-11-01) that the Kms implements, found by looking for
 * the async method of the same name in camelCase (`Encrypt` → `encrypt`). An
 * operation added to the Kms is served without a change here; a public Kms
 * method that is not an AWS operation (`as`, `sweep`, `close`, …) never is.
 */
export const TARGET_PREFIX = "TrentService.";

/** The operations of the AWS KMS API. */
export const KMS_API_OPERATIONS: readonly string[] = `
  CancelKeyDeletion ConnectCustomKeyStore CreateAlias CreateCustomKeyStore CreateGrant CreateKey Decapsulate
  Decrypt DeleteAlias DeleteCustomKeyStore DeleteImportedKeyMaterial DeriveSharedSecret DescribeCustomKeyStores
  DescribeKey DisableKey DisableKeyRotation DisconnectCustomKeyStore EnableKey EnableKeyRotation Encapsulate
  Encrypt GenerateDataKey GenerateDataKeyPair GenerateDataKeyPairWithoutPlaintext GenerateDataKeyWithoutPlaintext
  GenerateMac GenerateRandom GetKeyLastUsage GetKeyPolicy GetKeyRotationStatus GetParametersForImport
  GetPublicKey ImportKeyMaterial ListAliases ListGrants ListKeyPolicies ListKeyRotations ListKeys
  ListResourceTags ListRetirableGrants PutKeyPolicy ReEncrypt ReplicateKey RetireGrant RevokeGrant
  RotateKeyOnDemand ScheduleKeyDeletion Sign TagResource UntagResource UpdateAlias UpdateCustomKeyStore
  UpdateKeyDescription UpdatePrimaryRegion Verify VerifyMac`
  .trim()
  .split(/\s+/);

/** A Kms operation as the endpoint calls it. */
export type OperationMethod = (request: Record<string, unknown>) => Promise<unknown>;

/** AWS operation name → name of the Kms method that implements it, for the operations `kms` has. */
export function servedOperations(kms: object): ReadonlyMap<string, string> {
  const served = new Map<string, string>();
  for (const operation of KMS_API_OPERATIONS) {
    const method = operation[0].toLowerCase() + operation.slice(1);
    if (typeof (kms as Record<string, unknown>)[method] === "function") served.set(operation, method);
  }
  return served;
}
