/**
 * Keys themselves: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey,
 * ScheduleKeyDeletion, CancelKeyDeletion, UpdateKeyDescription.
 *
 * State machine (AWS's): a key is created Enabled (PendingImport when its
 * Origin is EXTERNAL); EnableKey/DisableKey move between Enabled and Disabled;
 * ScheduleKeyDeletion makes it PendingDeletion for 7–30 days, after which it
 * is gone (lifecycle.ts); CancelKeyDeletion leaves it Disabled.
 */
import type { KeyVersionRecord } from "../store/key-store.js";
import { generateKeyMaterial } from "./asymmetric.js";
import { UnsupportedOperationException, ValidationException } from "./errors.js";
import type { KeyEntry, StoredKeyMetadata } from "./key-entry.js";
import { keyArn, newKeyId, uuidToBytes } from "./key-id.js";
import { defaultKeyPolicy } from "../policy/index.js";
import { checkLockout, checkPolicyDocument, DEFAULT_POLICY_NAME } from "./key-policy.js";
import { cryptographicMetadata, enumValue, parseKeySpec, parseKeyUsage } from "./key-specs.js";
import { DAY_MS } from "./lifecycle.js";
import type { OperationContext } from "./operation.js";
import { pageFields, paginate } from "./pagination.js";
import { integerField, stringField } from "./request-fields.js";
import { rotateIfOverdue } from "./rotation.js";
import { applyTags, checkTags } from "./tags.js";
import type {
  CreateKeyRequest,
  DescribeKeyRequest,
  KeyIdResponse,
  KeyMetadata,
  KeyMetadataResponse,
  KeyRequest,
  ListKeysRequest,
  ListKeysResponse,
  ScheduleKeyDeletionRequest,
  ScheduleKeyDeletionResponse,
  UpdateKeyDescriptionRequest,
} from "./types.js";

const MAX_DESCRIPTION = 8192;
const ORIGINS = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"] as const;

/** KeyMetadata of a key, as DescribeKey returns it. */
export function keyMetadata(key: KeyEntry): KeyMetadata {
  const m = key.meta;
  const out: KeyMetadata = {
    AWSAccountId: m.AWSAccountId,
    KeyId: m.KeyId,
    Arn: m.Arn,
    CreationDate: new Date(m.CreationDate),
    Enabled: m.KeyState === "Enabled",
    Description: m.Description,
    KeyState: m.KeyState,
    Origin: m.Origin,
    KeyManager: "CUSTOMER",
    ...cryptographicMetadata(m.KeySpec, m.KeyUsage),
    MultiRegion: false,
  };
  if (m.DeletionDate !== undefined) out.DeletionDate = new Date(m.DeletionDate);
  if (m.PendingDeletionWindowInDays !== undefined) out.PendingDeletionWindowInDays = m.PendingDeletionWindowInDays;
  if (m.ValidTo !== undefined) out.ValidTo = new Date(m.ValidTo);
  if (m.ExpirationModel !== undefined) out.ExpirationModel = m.ExpirationModel;
  return out;
}

/** Everything CreateKey checks before it makes anything. */
function createKeyPlan(req: CreateKeyRequest) {
  if (req.KeySpec !== undefined && req.CustomerMasterKeySpec !== undefined) {
    throw new ValidationException("Specify KeySpec or CustomerMasterKeySpec, not both (CustomerMasterKeySpec is deprecated)");
  }
  const spec = parseKeySpec(req.KeySpec ?? req.CustomerMasterKeySpec);
  const usage = parseKeyUsage(spec, req.KeyUsage);
  const origin = req.Origin === undefined ? "AWS_KMS" : enumValue(req.Origin, ORIGINS, "origin");
  if (origin !== "AWS_KMS" && origin !== "EXTERNAL") {
    throw new UnsupportedOperationException(`Origin ${origin} needs a custom key store, which wasmkms does not have`);
  }
  if (origin === "EXTERNAL" && spec !== "SYMMETRIC_DEFAULT") {
    throw new UnsupportedOperationException(`wasmkms imports key material for SYMMETRIC_DEFAULT keys only, not ${spec}`);
  }
  if (req.MultiRegion === true) throw new UnsupportedOperationException("wasmkms has no multi-Region keys");
  const description = stringField(req.Description, "description", 0, MAX_DESCRIPTION) ?? "";
  const policy = req.Policy === undefined ? undefined : checkPolicyDocument(req.Policy);
  const tags = checkTags(req.Tags, false);
  return { spec, usage, origin, description, policy, tags } as const;
}

export async function createKey(ctx: OperationContext, req: CreateKeyRequest): Promise<KeyMetadataResponse> {
  const { core } = ctx;
  const plan = createKeyPlan(req);
  const keyId = newKeyId();
  if (plan.policy) checkLockout(ctx, plan.policy.policy, keyArn(core.scope, keyId), req.BypassPolicyLockoutSafetyCheck);
  const generated = plan.origin === "EXTERNAL" ? undefined : await generateKeyMaterial(plan.spec);
  const meta: StoredKeyMetadata = {
    AWSAccountId: core.scope.account,
    KeyId: keyId,
    Arn: keyArn(core.scope, keyId),
    CreationDate: ctx.now,
    Description: plan.description,
    KeySpec: plan.spec,
    KeyUsage: plan.usage,
    Origin: plan.origin,
    KeyState: generated ? "Enabled" : "PendingImport",
  };
  const versions: KeyVersionRecord[] = [];
  if (generated) {
    versions.push({ version: 1, wrapped: core.root.wrapMaterial(uuidToBytes(keyId), 1, generated.material), createdAt: ctx.now, origin: "CREATE" });
    generated.material.fill(0);
  }
  return ctx.commit(() => {
    const e = core.keys.insert({
      keyId,
      metadata: meta as unknown as Record<string, unknown>,
      versions,
      policies: { [DEFAULT_POLICY_NAME]: plan.policy?.text ?? defaultKeyPolicy(core.scope.account) },
      tags: [],
      ...(generated?.publicKey ? { publicKey: generated.publicKey } : {}),
      extra: {},
    });
    if (plan.tags.length > 0) core.keys.update(e, () => applyTags(e, plan.tags));
    ctx.created(e);
    return { KeyMetadata: keyMetadata(e) };
  });
}

export function describeKey(ctx: OperationContext, req: DescribeKeyRequest): KeyMetadataResponse {
  return { KeyMetadata: keyMetadata(ctx.key(req.KeyId, "any", { aliases: true })) };
}

export function listKeys(ctx: OperationContext, req: ListKeysRequest): ListKeysResponse {
  function* live() {
    for (const id of ctx.core.keys.keyIds()) if (ctx.keyById(id)) yield id;
  }
  const page = paginate("keys", live(), req, (id) => id);
  return { Keys: page.items.map((id) => ({ KeyId: id, KeyArn: keyArn(ctx.core.scope, id) })), ...pageFields(page) };
}

export function enableKey(ctx: OperationContext, req: KeyRequest): void {
  const key = ctx.key(req.KeyId, "toggle");
  if (key.state === "Enabled") return;
  ctx.write(() =>
    ctx.core.keys.update(key, (k) => {
      k.meta.KeyState = "Enabled";
      rotateIfOverdue(ctx, k);
    }),
  );
}

export function disableKey(ctx: OperationContext, req: KeyRequest): void {
  const key = ctx.key(req.KeyId, "toggle");
  if (key.state === "Disabled") return;
  ctx.write(() => ctx.core.keys.update(key, (k) => (k.meta.KeyState = "Disabled")));
}

export function scheduleKeyDeletion(ctx: OperationContext, req: ScheduleKeyDeletionRequest): ScheduleKeyDeletionResponse {
  const key = ctx.key(req.KeyId, "manage");
  const days = integerField(req.PendingWindowInDays, "pendingWindowInDays", 7, 30, 30);
  const deletionDate = ctx.now + days * DAY_MS;
  ctx.write(() =>
    ctx.core.keys.update(key, (k) => {
      k.meta.KeyState = "PendingDeletion";
      k.meta.DeletionDate = deletionDate;
      k.meta.PendingDeletionWindowInDays = days;
    }),
  );
  return { KeyId: key.arn, DeletionDate: new Date(deletionDate), KeyState: "PendingDeletion", PendingWindowInDays: days };
}

export function cancelKeyDeletion(ctx: OperationContext, req: KeyRequest): KeyIdResponse {
  const key = ctx.key(req.KeyId, "cancel");
  ctx.write(() =>
    ctx.core.keys.update(key, (k) => {
      // A key whose imported material was deleted or expired while pending deletion has none to use.
      k.meta.KeyState = k.meta.Origin === "EXTERNAL" && k.record.versions.length === 0 ? "PendingImport" : "Disabled";
      delete k.meta.DeletionDate;
      delete k.meta.PendingDeletionWindowInDays;
    }),
  );
  return { KeyId: key.arn };
}

export function updateKeyDescription(ctx: OperationContext, req: UpdateKeyDescriptionRequest): void {
  const key = ctx.key(req.KeyId, "manage");
  const description = stringField(req.Description, "description", 0, MAX_DESCRIPTION, true);
  ctx.write(() => ctx.core.keys.update(key, (k) => (k.meta.Description = description)));
}
