/**
 * Workloads for the crash test (durability.test.ts): what the child process
 * (durability-child.ts) does in a loop until it is killed, and how the parent
 * checks the store afterwards.
 *
 * A workload step runs one unit of work that must be atomic and durable and
 * returns its acknowledgement, e.g. "ACK <keyId> <versionCount>"; the child
 * prints it only after the step returned. A new workload (e.g. one that drives
 * a Kms and acknowledges ciphertexts it must still decrypt) is one more entry
 * in `workloads` plus a checker for its acknowledgements.
 */
import { createHash } from "node:crypto";
import type { KeyRecord } from "../../src/store/key-store.js";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import { kmsWorkload } from "../kms/durability-workload.js";

export interface Workload {
  /** One atomic unit of work; resolves to its acknowledgement line (without newline). */
  step(): string | Promise<string>;
}

export type WorkloadFactory = (dbPath: string, random: () => number) => Workload | Promise<Workload>;

export const workloads: Record<string, WorkloadFactory> = {
  store: (dbPath, random) => storeWorkload(new SqliteKeyStore(dbPath), random),
  kms: (dbPath, random) => kmsWorkload(dbPath, random),
};

/** Seeded PRNG (mulberry32) for the workload's choices; the seed is logged with a failure. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const MAX_VERSIONS = 12;
const MAX_KEYS = 40;
export const LATEST_ALIAS = "alias/latest";
export const keyAlias = (keyId: string) => `alias/key-${keyId}`;
export const versionCountName = (keyId: string) => `versions/${keyId}`;
/** Written with a key's deletion, so a deletion that committed but was never acknowledged shows. */
export const tombstoneName = (keyId: string) => `deleted/${keyId}`;

/** The (fake) wrapped material of a version: derived from key id and version, so any byte out of place shows. */
export function versionMaterial(keyId: string, version: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${keyId}#${version}`).digest());
}

/** Checksum over the parts of a record the workload writes; stored in the record itself. */
export function recordChecksum(record: KeyRecord): string {
  const versions = record.versions.map((v) => [v.version, Buffer.from(v.wrapped).toString("hex"), v.origin]);
  return createHash("sha256").update(JSON.stringify([record.keyId, record.metadata, versions])).digest("hex");
}

function countBytes(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function readCount(bytes: Uint8Array | undefined): number | undefined {
  return bytes && bytes.length === 4 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) : undefined;
}

/**
 * Creates keys, rotates them (each rotation rewrites the record with one more
 * version), and deletes old ones, each step in one transaction that also
 * writes an alias, a version counter and an audit line (the step's
 * acknowledgement). Acknowledgements: "ACK <keyId> <n>" (the key exists with
 * n versions) and "DEL <keyId>" (the key is gone).
 */
export function storeWorkload(store: SqliteKeyStore, random: () => number): Workload {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  return {
    step: () =>
      store.transaction(() => {
        const ids = store.listKeyIds();
        if (ids.length >= MAX_KEYS && random() < 0.3) {
          const victim = pick(ids);
          store.deleteKey(victim);
          store.deleteAlias(keyAlias(victim));
          store.deleteMeta(versionCountName(victim));
          store.putMeta(tombstoneName(victim), new Uint8Array(0));
          if (store.getAlias(LATEST_ALIAS)?.targetKeyId === victim) store.deleteAlias(LATEST_ALIAS);
          store.appendAudit(`DEL ${victim}`);
          return `DEL ${victim}`;
        }
        const existing = ids.length > 0 && random() < 0.75 ? store.getKey(pick(ids)) : undefined;
        const record = existing && existing.versions.length < MAX_VERSIONS ? existing : newRecord(crypto.randomUUID());
        const version = record.versions.length + 1;
        record.versions.push({
          version,
          wrapped: versionMaterial(record.keyId, version),
          createdAt: version,
          origin: version === 1 ? "CREATE" : "ON_DEMAND",
        });
        // Records of varying size, so writes span one page or several.
        record.metadata.Description = "x".repeat(Math.floor(random() * 6000));
        record.metadata.versionCount = version;
        record.extra.checksum = recordChecksum(record);
        store.putKey(record);
        const alias = store.getAlias(keyAlias(record.keyId));
        store.putAlias({
          aliasName: keyAlias(record.keyId),
          targetKeyId: record.keyId,
          creationDate: alias?.creationDate ?? version,
          lastUpdatedDate: version,
        });
        store.putAlias({ aliasName: LATEST_ALIAS, targetKeyId: record.keyId, creationDate: 0, lastUpdatedDate: version });
        store.putMeta(versionCountName(record.keyId), countBytes(version));
        store.appendAudit(`ACK ${record.keyId} ${version}`);
        return `ACK ${record.keyId} ${version}`;
      }),
  };
}

function newRecord(keyId: string): KeyRecord {
  return { keyId, metadata: { KeyId: keyId }, versions: [], policies: {}, tags: [], extra: {} };
}

/** What the parent learnt from acknowledgements: versions per live key, and deleted keys. */
export interface AckedState {
  versions: Map<string, number>;
  deleted: Set<string>;
}

export function applyAck(state: AckedState, line: string): void {
  const [kind, keyId, count] = line.split(" ");
  if (kind === "ACK") {
    state.versions.set(keyId, Math.max(state.versions.get(keyId) ?? 0, Number(count)));
  } else if (kind === "DEL") {
    state.versions.delete(keyId);
    state.deleted.add(keyId);
  }
}

/**
 * Every way the store breaks the workload's invariants or forgets an
 * acknowledgement. The step running when the child was killed may have
 * committed without being acknowledged: a deletion of that kind (at most one)
 * is allowed, and recorded in `acked`.
 */
export function storeProblems(store: SqliteKeyStore, acked: AckedState): string[] {
  const problems: string[] = [];
  const unacknowledgedDeletions = [...acked.versions.keys()].filter(
    (keyId) => store.getKey(keyId) === undefined && store.getMeta(tombstoneName(keyId)) !== undefined,
  );
  if (unacknowledgedDeletions.length > 1) problems.push(`unacknowledged deletions: ${unacknowledgedDeletions}`);
  for (const keyId of unacknowledgedDeletions) applyAck(acked, `DEL ${keyId}`);

  const ids = store.listKeyIds();
  const present = new Set(ids);
  for (const keyId of ids) {
    const record = store.getKey(keyId);
    if (!record) {
      problems.push(`${keyId}: listed but unreadable`);
      continue;
    }
    const n = record.versions.length;
    record.versions.forEach((v, i) => {
      if (v.version !== i + 1) problems.push(`${keyId}: version ${i + 1} is numbered ${v.version}`);
      const want = versionMaterial(keyId, v.version);
      if (v.wrapped.length !== want.length || !v.wrapped.every((b, j) => b === want[j])) {
        problems.push(`${keyId}: material of version ${v.version} is wrong`);
      }
    });
    if (record.metadata.versionCount !== n) problems.push(`${keyId}: versionCount ${record.metadata.versionCount}, ${n} versions`);
    if (record.extra.checksum !== recordChecksum(record)) problems.push(`${keyId}: checksum mismatch`);
    const counted = readCount(store.getMeta(versionCountName(keyId)));
    if (counted !== n) problems.push(`${keyId}: meta counter says ${counted}, record has ${n} versions`);
    const alias = store.getAlias(keyAlias(keyId));
    if (alias?.targetKeyId !== keyId || alias.lastUpdatedDate !== n) {
      problems.push(`${keyId}: alias ${JSON.stringify(alias)} does not match version ${n}`);
    }
    if ((acked.versions.get(keyId) ?? 0) > n) problems.push(`${keyId}: ${acked.versions.get(keyId)} versions acknowledged, ${n} stored`);
    if (acked.deleted.has(keyId)) problems.push(`${keyId}: deletion was acknowledged, yet it is there`);
    if (store.getMeta(tombstoneName(keyId))) problems.push(`${keyId}: present and marked deleted`);
  }
  for (const keyId of acked.versions.keys()) {
    if (!present.has(keyId)) problems.push(`${keyId}: acknowledged, but missing`);
  }
  for (const alias of store.listAliases()) {
    if (!present.has(alias.targetKeyId)) problems.push(`${alias.aliasName}: points at missing key ${alias.targetKeyId}`);
  }
  problems.push(...auditProblems(store, acked, present));
  return problems;
}

/**
 * The audit lines are written in the same transactions as the steps they
 * acknowledge, so they match the stored state exactly: one line per committed
 * step (every acknowledged one included), the line of each key's current
 * version present, and a DEL line exactly for each deleted key.
 */
function auditProblems(store: SqliteKeyStore, acked: AckedState, present: Set<string>): string[] {
  const problems: string[] = [];
  const lines = store.readAudit();
  if (store.auditCount() !== lines.length) problems.push(`auditCount ${store.auditCount()}, ${lines.length} lines`);
  const seen = new Set(lines);
  if (seen.size !== lines.length) problems.push("an audit line appears twice");
  for (const [keyId, n] of acked.versions) {
    if (!seen.has(`ACK ${keyId} ${n}`)) problems.push(`${keyId}: version ${n} acknowledged, but not in the audit log`);
  }
  for (const keyId of acked.deleted) {
    if (!seen.has(`DEL ${keyId}`)) problems.push(`${keyId}: deletion acknowledged, but not in the audit log`);
  }
  for (const keyId of present) {
    const n = store.getKey(keyId)?.versions.length;
    if (!seen.has(`ACK ${keyId} ${n}`)) problems.push(`${keyId}: stored with ${n} versions, no audit line for it`);
    if (seen.has(`ACK ${keyId} ${(n ?? 0) + 1}`)) problems.push(`${keyId}: audit line for version ${(n ?? 0) + 1}, which was not stored`);
  }
  for (const line of lines) {
    const [kind, keyId] = line.split(" ");
    const deleted = store.getMeta(tombstoneName(keyId)) !== undefined;
    if (kind === "DEL" && (!deleted || present.has(keyId))) problems.push(`audit says ${keyId} was deleted, the store does not`);
    if (kind === "ACK" && !present.has(keyId) && !seen.has(`DEL ${keyId}`)) problems.push(`audit has ${keyId}, which is missing`);
  }
  return problems;
}
