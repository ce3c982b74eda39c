/**
 * The condition keys a KMS request supplies to policy evaluation, after AWS's
 * "AWS KMS condition keys" and "Actions, resources and condition keys for AWS
 * KMS": which keys each operation sets, and from which request field.
 *
 *   every call            aws:CurrentTime (aws:PrincipalArn, aws:PrincipalAccount,
 *                         aws:PrincipalType, kms:CallerAccount: derived from the
 *                         caller by the policy layer)
 *   every use of a key    kms:KeySpec, kms:KeyUsage, kms:KeyOrigin,
 *                         kms:ResourceAliases, aws:ResourceTag/<tag>
 *   by alias              kms:RequestAlias (the alias the KeyId named)
 *   encryption context    kms:EncryptionContext:<key>, kms:EncryptionContextKeys
 *                         (Encrypt, Decrypt, ReEncrypt, GenerateDataKey*,
 *                         GenerateDataKeyPair*, and CreateGrant, where they
 *                         describe the grant's constraint)
 *   kms:EncryptionAlgorithm   Encrypt, Decrypt, ReEncrypt, GenerateDataKey*
 *   kms:SigningAlgorithm, kms:MessageType   Sign, Verify
 *   kms:MacAlgorithm      GenerateMac, VerifyMac
 *   kms:DataKeyPairSpec   GenerateDataKeyPair*
 *   kms:GrantOperations, kms:GranteePrincipal, kms:RetiringPrincipal,
 *   kms:GrantConstraintType   CreateGrant
 *   kms:GrantIsForAWSResource CreateGrant, ListGrants, RevokeGrant (always false:
 *                         no AWS service calls here)
 *   kms:RotationPeriodInDays  EnableKeyRotation
 *   kms:BypassPolicyLockoutSafetyCheck   CreateKey, PutKeyPolicy
 *   kms:WrappingAlgorithm, kms:WrappingKeySpec   GetParametersForImport
 *   kms:ExpirationModel, kms:ValidTo   ImportKeyMaterial
 *   aws:RequestTag/<tag>, aws:TagKeys   CreateKey, TagResource (aws:TagKeys
 *                         also UntagResource)
 *
 * kms:ViaService is never set (no AWS service calls on anyone's behalf here),
 * so conditions on it fail, and …IfExists / Null conditions see it absent.
 * kms:ReEncryptOnSameKey is not supplied.
 */
import type { ConditionContext } from "../policy/index.js";
import type { KeyEntry } from "./key-entry.js";
import { DEFAULT_ROTATION_DAYS } from "./rotation.js";
import type { EncryptionContext } from "./types.js";

type Request = Record<string, unknown>;

/** Operations whose requests have an EncryptionContext field. */
const CONTEXT_OPERATIONS = new Set([
  "Encrypt",
  "Decrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
]);
const ENCRYPTION_ALGORITHM_OPERATIONS = new Set(["Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"]);

function isMap(value: unknown): value is EncryptionContext {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The encryption context a use of a key (by permission `action`) carries in `operation`'s request. */
export function encryptionContextOf(operation: string, action: string, request: Request): EncryptionContext | undefined {
  let context: unknown;
  if (operation === "ReEncrypt") context = action === "kms:ReEncryptTo" ? request.DestinationEncryptionContext : request.SourceEncryptionContext;
  else if (operation === "CreateGrant") {
    const c = request.Constraints as Record<string, unknown> | undefined;
    context = c && isMap(c) ? (c.EncryptionContextEquals ?? c.EncryptionContextSubset) : undefined;
  } else if (CONTEXT_OPERATIONS.has(operation)) context = request.EncryptionContext;
  return isMap(context) ? context : undefined;
}

function setContext(out: ConditionContext, context: EncryptionContext): void {
  const keys: string[] = [];
  for (const k in context) {
    keys.push(k);
    out[`kms:EncryptionContext:${k}`] = context[k];
  }
  out["kms:EncryptionContextKeys"] = keys;
}

function setRequestTags(out: ConditionContext, tags: unknown): void {
  if (!Array.isArray(tags)) return;
  const keys: string[] = [];
  for (const t of tags as { TagKey?: unknown; TagValue?: unknown }[]) {
    if (typeof t?.TagKey !== "string") continue;
    keys.push(t.TagKey);
    if (typeof t.TagValue === "string") out[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
  }
  out["aws:TagKeys"] = keys;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Keys an operation's request sets whether or not it names a key. */
function requestKeys(out: ConditionContext, operation: string, request: Request): void {
  switch (operation) {
    case "CreateKey":
      out["kms:KeySpec"] = str(request.KeySpec) ?? str(request.CustomerMasterKeySpec) ?? "SYMMETRIC_DEFAULT";
      out["kms:KeyUsage"] = str(request.KeyUsage) ?? "ENCRYPT_DECRYPT";
      out["kms:KeyOrigin"] = str(request.Origin) ?? "AWS_KMS";
      out["kms:MultiRegion"] = request.MultiRegion === true;
      out["kms:BypassPolicyLockoutSafetyCheck"] = request.BypassPolicyLockoutSafetyCheck === true;
      setRequestTags(out, request.Tags);
      break;
    case "PutKeyPolicy":
      out["kms:BypassPolicyLockoutSafetyCheck"] = request.BypassPolicyLockoutSafetyCheck === true;
      break;
    case "TagResource":
      setRequestTags(out, request.Tags);
      break;
    case "UntagResource":
      if (Array.isArray(request.TagKeys)) out["aws:TagKeys"] = (request.TagKeys as unknown[]).filter((k): k is string => typeof k === "string");
      break;
    case "Sign":
    case "Verify":
      out["kms:SigningAlgorithm"] = str(request.SigningAlgorithm);
      out["kms:MessageType"] = str(request.MessageType) ?? "RAW";
      break;
    case "GenerateMac":
    case "VerifyMac":
      out["kms:MacAlgorithm"] = str(request.MacAlgorithm);
      break;
    case "GenerateDataKeyPair":
    case "GenerateDataKeyPairWithoutPlaintext":
      out["kms:DataKeyPairSpec"] = str(request.KeyPairSpec);
      break;
    case "CreateGrant": {
      const c = isMap(request.Constraints) ? (request.Constraints as Record<string, unknown>) : {};
      out["kms:GrantOperations"] = Array.isArray(request.Operations) ? (request.Operations as string[]) : [];
      out["kms:GranteePrincipal"] = str(request.GranteePrincipal);
      out["kms:RetiringPrincipal"] = str(request.RetiringPrincipal);
      const types = ["EncryptionContextEquals", "EncryptionContextSubset"].filter((t) => c[t] !== undefined);
      if (types.length > 0) out["kms:GrantConstraintType"] = types;
      out["kms:GrantIsForAWSResource"] = false;
      break;
    }
    case "ListGrants":
    case "RevokeGrant":
      out["kms:GrantIsForAWSResource"] = false;
      break;
    case "EnableKeyRotation":
      out["kms:RotationPeriodInDays"] = typeof request.RotationPeriodInDays === "number" ? request.RotationPeriodInDays : DEFAULT_ROTATION_DAYS;
      break;
    case "GetParametersForImport":
      out["kms:WrappingAlgorithm"] = str(request.WrappingAlgorithm);
      out["kms:WrappingKeySpec"] = str(request.WrappingKeySpec);
      break;
    case "ImportKeyMaterial":
      out["kms:ExpirationModel"] = str(request.ExpirationModel) ?? "KEY_MATERIAL_EXPIRES";
      if (request.ValidTo instanceof Date) out["kms:ValidTo"] = Math.floor(request.ValidTo.getTime() / 1000);
      break;
  }
}

/** Condition keys of a call on no key (CreateKey, ListKeys, GenerateRandom, …). */
export function accountConditions(operation: string, request: Request, now: number): ConditionContext {
  const out: ConditionContext = { "aws:CurrentTime": new Date(now) };
  requestKeys(out, operation, request);
  return out;
}

/** Condition keys of one use of `key` (whose aliases are `aliases`) by `action` in `operation`'s request. */
export function keyUseConditions(
  operation: string,
  action: string,
  request: Request,
  now: number,
  key: KeyEntry,
  requestAlias: string | undefined,
  aliases: readonly string[],
): ConditionContext {
  const m = key.meta;
  const out: ConditionContext = {
    "aws:CurrentTime": new Date(now),
    "kms:KeySpec": m.KeySpec,
    "kms:KeyUsage": m.KeyUsage,
    "kms:KeyOrigin": m.Origin,
    "kms:ResourceAliases": aliases as string[],
  };
  const tags = key.record.tags;
  for (let i = 0; i < tags.length; i++) out[`aws:ResourceTag/${tags[i].TagKey}`] = tags[i].TagValue;
  if (requestAlias !== undefined) out["kms:RequestAlias"] = requestAlias;
  const context = encryptionContextOf(operation, action, request);
  if (context) setContext(out, context);
  if (ENCRYPTION_ALGORITHM_OPERATIONS.has(operation)) {
    const field = operation === "ReEncrypt" ? (action === "kms:ReEncryptTo" ? "DestinationEncryptionAlgorithm" : "SourceEncryptionAlgorithm") : "EncryptionAlgorithm";
    out["kms:EncryptionAlgorithm"] = str(request[field]) ?? "SYMMETRIC_DEFAULT";
  }
  requestKeys(out, operation, request);
  return out;
}
