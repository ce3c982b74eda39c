/**
 * Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
 * RotateKeyOnDemand, ListKeyRotations. Rotation adds a key version with new
 * material; Encrypt uses the newest version and every older version still
 * decrypts. Automatic rotations happen in lifecycle.ts when they fall due.
 *
 * As in AWS, only symmetric keys with AWS_KMS origin rotate (others:
 * UnsupportedOperationException); the period is 90–2560 days (default 365);
 * a disabled key does not rotate, and when it is enabled again after its
 * rotation date has passed it rotates at once; on-demand rotations do not move
 * the automatic schedule and are limited per key (LimitExceededException).
 */
import { LimitExceededException, UnsupportedOperationException } from "./errors.js";
import type { KeyEntry } from "./key-entry.js";
import { checkKeyState } from "./key-state.js";
import { DAY_MS, appendSymmetricVersion } from "./lifecycle.js";
import type { OperationContext } from "./operation.js";
import { pageFields, paginate } from "./pagination.js";
import { enumValue } from "./key-specs.js";
import { integerField } from "./request-fields.js";
import type {
  EnableKeyRotationRequest,
  GetKeyRotationStatusResponse,
  KeyIdResponse,
  KeyRequest,
  ListKeyRotationsRequest,
  ListKeyRotationsResponse,
  RotationsListEntry,
} from "./types.js";

export const DEFAULT_ROTATION_DAYS = 365;
/** AWS: "You can perform on-demand key rotation a maximum of 25 times per KMS key" (was 10 at launch). */
export const MAX_ON_DEMAND_ROTATIONS = 25;

/** UnsupportedOperationException unless `key` can rotate (symmetric, AWS_KMS origin). */
function checkRotatable(key: KeyEntry): void {
  if (key.spec !== "SYMMETRIC_DEFAULT") {
    throw new UnsupportedOperationException(`${key.arn} is a ${key.spec} key; only symmetric encryption keys rotate.`);
  }
  if (key.meta.Origin !== "AWS_KMS") {
    throw new UnsupportedOperationException(`${key.arn} origin is ${key.meta.Origin} which is not valid for this operation.`);
  }
}

/** Resolves a rotation operation's key: type and origin first, then the state rule. */
function rotatableKey(ctx: OperationContext, keyId: unknown, rule: "rotate" | "any"): KeyEntry {
  const key = ctx.key(keyId, "any");
  checkRotatable(key);
  checkKeyState(key, rule);
  return key;
}

/** After EnableKey: a key whose rotation date passed while it was disabled rotates now. */
export function rotateIfOverdue(ctx: OperationContext, key: KeyEntry): void {
  const rotation = key.extra.rotation;
  if (!rotation || ctx.now < rotation.next) return;
  appendSymmetricVersion(ctx.core, key, ctx.now, "AUTOMATIC");
  rotation.next = ctx.now + rotation.periodDays * DAY_MS;
}

export function enableKeyRotation(ctx: OperationContext, req: EnableKeyRotationRequest): void {
  const key = rotatableKey(ctx, req.KeyId, "rotate");
  const periodDays = integerField(req.RotationPeriodInDays, "rotationPeriodInDays", 90, 2560, DEFAULT_ROTATION_DAYS);
  ctx.write(() =>
    ctx.core.keys.update(key, (k) => {
      const current = k.extra.rotation;
      // A new period counts from the start of the current one; enabling starts a period now.
      const start = current ? current.next - current.periodDays * DAY_MS : ctx.now;
      k.extra.rotation = { periodDays, next: start + periodDays * DAY_MS };
    }),
  );
}

export function disableKeyRotation(ctx: OperationContext, req: KeyRequest): void {
  const key = rotatableKey(ctx, req.KeyId, "rotate");
  if (!key.extra.rotation) return;
  ctx.write(() => ctx.core.keys.update(key, (k) => delete k.extra.rotation));
}

export function getKeyRotationStatus(ctx: OperationContext, req: KeyRequest): GetKeyRotationStatusResponse {
  const key = rotatableKey(ctx, req.KeyId, "any");
  const rotation = key.extra.rotation;
  // AWS: "While a KMS key is pending deletion, its key rotation status is false".
  if (!rotation || key.state === "PendingDeletion") return { KeyId: key.arn, KeyRotationEnabled: false };
  return {
    KeyId: key.arn,
    KeyRotationEnabled: true,
    RotationPeriodInDays: rotation.periodDays,
    NextRotationDate: new Date(rotation.next),
  };
}

export function rotateKeyOnDemand(ctx: OperationContext, req: KeyRequest): KeyIdResponse {
  const key = rotatableKey(ctx, req.KeyId, "rotate");
  const done = key.extra.onDemandRotations ?? 0;
  if (done >= MAX_ON_DEMAND_ROTATIONS) {
    throw new LimitExceededException(`${key.arn} has been rotated on demand ${done} times, the most AWS allows per key`);
  }
  ctx.write(() =>
    ctx.core.keys.update(key, (k) => {
      appendSymmetricVersion(ctx.core, k, ctx.now, "ON_DEMAND");
      k.extra.onDemandRotations = done + 1;
    }),
  );
  return { KeyId: key.arn };
}

export function listKeyRotations(ctx: OperationContext, req: ListKeyRotationsRequest): ListKeyRotationsResponse {
  const key = rotatableKey(ctx, req.KeyId, "any");
  const include = req.IncludeKeyMaterial === undefined ? "ROTATIONS_ONLY" : enumValue(req.IncludeKeyMaterial, ["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"] as const, "includeKeyMaterial");
  const versions = key.record.versions;
  const newest = versions.length > 0 ? versions[versions.length - 1].version : 0;
  const listed = include === "ALL_KEY_MATERIAL" ? versions : versions.filter((v) => v.origin === "AUTOMATIC" || v.origin === "ON_DEMAND");
  const page = paginate("rotations", listed, req, (v) => String(v.version).padStart(10, "0"));
  const Rotations: RotationsListEntry[] = page.items.map((v) => {
    const entry: RotationsListEntry = { KeyId: key.id, KeyMaterialState: v.version === newest ? "CURRENT" : "NON_CURRENT" };
    if (v.origin === "AUTOMATIC" || v.origin === "ON_DEMAND") {
      entry.RotationDate = new Date(v.createdAt);
      entry.RotationType = v.origin;
    }
    return entry;
  });
  return { Rotations, ...pageFields(page) };
}

