/**
 * Time-driven changes to keys, applied lazily: when an operation touches a key
 * whose next event is due (entry.nextEventAt ≤ now), and for every key by
 * `kms.sweep()`.
 *
 * - PendingDeletion past its DeletionDate: the key and its aliases are deleted.
 * - Imported material past its ValidTo: the material is deleted and the key is
 *   PendingImport (AWS: "When the key material expires, … the key state
 *   changes to PendingImport"), or stays PendingDeletion if it is.
 * - Automatic rotation due (Enabled keys only; AWS does not rotate disabled or
 *   pending-deletion keys): one new version per missed period, each dated at
 *   its scheduled time, so the history reads as if rotation had run on time.
 *
 * Each is recorded in the audit log as AWS KMS records it, as an event of the
 * service itself (principal kms.amazonaws.com): DeleteKey, RotateKey,
 * DeleteExpiredKeyMaterial, inside the transaction that makes the change.
 */
import type { KeyEntry, VersionOrigin } from "./key-entry.js";
import type { KmsCore } from "./operation.js";
import type { SweepResult } from "./types.js";

export const DAY_MS = 86_400_000;
/** Bytes of SYMMETRIC_DEFAULT key material (AES-256). */
export const SYMMETRIC_KEY_BYTES = 32;

/** Records a change KMS made on its own (not a caller's request). */
function serviceEvent(core: KmsCore, entry: KeyEntry, operation: string, now: number): void {
  core.audit?.record({
    time: now,
    operation,
    region: core.scope.region,
    account: core.scope.account,
    principal: "kms.amazonaws.com",
    request: { KeyId: entry.arn },
    keyArns: [entry.arn],
    readOnly: false,
  });
}

/** Appends a new symmetric version with fresh material (call inside keys.update). */
export function appendSymmetricVersion(core: KmsCore, entry: KeyEntry, at: number, origin: VersionOrigin): number {
  const versions = entry.record.versions;
  const version = versions.length === 0 ? 1 : versions[versions.length - 1].version + 1;
  const material = core.random.take(SYMMETRIC_KEY_BYTES);
  const wrapped = core.root.wrapMaterial(entry.idBytes, version, material);
  material.fill(0);
  versions.push({ version, wrapped, createdAt: at, origin });
  return version;
}

/** Removes imported material (DeleteImportedKeyMaterial, expiry): PendingImport unless pending deletion. */
export function removeImportedMaterial(entry: KeyEntry): void {
  entry.record.versions = [];
  const m = entry.meta;
  delete m.ValidTo;
  if (m.KeyState !== "PendingDeletion") m.KeyState = "PendingImport";
}

/**
 * Applies whatever is due on `entry` at `now`. Returns the entry, or undefined
 * when the key has been deleted. `tally` counts what happened (for sweep).
 */
export function settle(core: KmsCore, entry: KeyEntry, now: number, tally?: SweepResult): KeyEntry | undefined {
  if (now < entry.nextEventAt) return entry;
  return core.keys.write(() => {
    const m = entry.meta;
    if (m.KeyState === "PendingDeletion" && m.DeletionDate !== undefined && now >= m.DeletionDate) {
      core.keys.delete(entry);
      serviceEvent(core, entry, "DeleteKey", now);
      if (tally) tally.deleted++;
      return undefined;
    }
    core.keys.update(entry, () => {
      if (m.ValidTo !== undefined && now >= m.ValidTo) {
        removeImportedMaterial(entry);
        serviceEvent(core, entry, "DeleteExpiredKeyMaterial", now);
        if (tally) tally.expired++;
      }
      const rotation = entry.extra.rotation;
      while (rotation && m.KeyState === "Enabled" && now >= rotation.next) {
        appendSymmetricVersion(core, entry, rotation.next, "AUTOMATIC");
        serviceEvent(core, entry, "RotateKey", now);
        rotation.next += rotation.periodDays * DAY_MS;
        if (tally) tally.rotated++;
      }
    });
    return entry;
  });
}

/** Deletes every key whose deletion date has passed and runs every due rotation and expiry. */
export function sweep(core: KmsCore, now: number): SweepResult {
  const tally: SweepResult = { deleted: 0, rotated: 0, expired: 0 };
  for (const id of core.keys.keyIds()) {
    const entry = core.keys.get(id);
    if (entry) settle(core, entry, now, tally);
  }
  return tally;
}
