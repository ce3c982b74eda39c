/**
 * Which key states each operation accepts, after AWS's "Key states of KMS
 * keys" table, and the error AWS returns otherwise:
 *
 *   rule       Enabled  Disabled           PendingImport      PendingDeletion
 *   use        ✓        DisabledException  KMSInvalidState    KMSInvalidState
 *   any        ✓        ✓                  ✓                  ✓
 *   manage     ✓        ✓                  ✓                  KMSInvalidState
 *   toggle     ✓        ✓                  KMSInvalidState    KMSInvalidState
 *   rotate     ✓        DisabledException  KMSInvalidState    KMSInvalidState
 *   cancel     KMSInvalidState ("is not pending deletion")    ✓
 *
 *   use:    Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateDataKeyPair*,
 *           GenerateMac, VerifyMac, Sign, Verify, GetPublicKey
 *   any:    DescribeKey, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies,
 *           ListResourceTags, ListAliases, DeleteAlias, GetKeyRotationStatus,
 *           ListKeyRotations, DeleteImportedKeyMaterial, ListGrants,
 *           RetireGrant, RevokeGrant, GetKeyLastUsage
 *   manage: CreateAlias, UpdateAlias (new target), TagResource, UntagResource,
 *           UpdateKeyDescription, ScheduleKeyDeletion, GetParametersForImport,
 *           ImportKeyMaterial, CreateGrant
 *   toggle: EnableKey, DisableKey
 *   rotate: EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand
 *   cancel: CancelKeyDeletion
 *
 * Checks of key type and origin (UnsupportedOperationException, e.g. rotating
 * an EXTERNAL key) belong to the operations and come first where AWS puts them
 * first. Authorization comes before the state check: a caller who may not use
 * a key learns nothing of its state.
 */
import { DisabledException, KMSInvalidStateException } from "./errors.js";
import type { KeyEntry } from "./key-entry.js";

export type StateRule = "use" | "any" | "manage" | "toggle" | "rotate" | "cancel";

function pendingDeletion(key: KeyEntry): never {
  throw new KMSInvalidStateException(`${key.arn} is pending deletion.`);
}

/** Throws the AWS error for using `key` in its current state under `rule`. */
export function checkKeyState(key: KeyEntry, rule: StateRule): void {
  const state = key.state;
  if (state === "Enabled") {
    if (rule === "cancel") throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`);
    return;
  }
  switch (rule) {
    case "any":
      return;
    case "cancel":
      if (state === "PendingDeletion") return;
      throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`);
    case "manage":
      if (state === "PendingDeletion") pendingDeletion(key);
      return;
    case "toggle":
      if (state === "Disabled") return;
      break;
    case "use":
    case "rotate":
      if (state === "Disabled") throw new DisabledException(`${key.arn} is disabled.`);
      break;
  }
  if (state === "PendingDeletion") pendingDeletion(key);
  throw new KMSInvalidStateException(`${key.arn} is pending import.`);
}
