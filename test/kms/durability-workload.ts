/**
 * The Kms-level crash workload (run by test/store/durability-child.ts as
 * workload "kms"): a Kms on a SqliteKeyStore creates keys, rotates them and
 * encrypts with them; every acknowledgement is printed only after the call
 * returned. After a SIGKILL the checker reopens the store with the same root
 * key: every acknowledged key must be there and every acknowledged ciphertext
 * must decrypt to its plaintext (so every key version it used survived). The
 * audit log in the store must verify, and hold a record of every
 * acknowledged call (a call's record is written before the call returns).
 */
import { AuditLog, Kms, storeAuditSink } from "../../src/kms/index.js";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";

export const DURABILITY_ROOT_KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);
const MAX_KEYS = 12;
const MAX_ROTATIONS = 6;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export async function kmsWorkload(dbPath: string, random: () => number): Promise<{ step(): Promise<string> }> {
  const kms = new Kms({ store: new SqliteKeyStore(dbPath), rootKey: DURABILITY_ROOT_KEY });
  const keys = ((await kms.listKeys({ Limit: 1000 })).Keys ?? []).map((k) => k.KeyId as string);
  const pick = () => keys[Math.floor(random() * keys.length)];
  let n = 0;
  return {
    async step() {
      // Encrypt writes nothing and is fast; pace the loop so a run's
      // acknowledgements stay in the hundreds and the checks stay quick.
      await new Promise((resolve) => setTimeout(resolve, 1));
      const r = random();
      if (keys.length === 0 || (r < 0.15 && keys.length < MAX_KEYS)) {
        const { KeyMetadata } = await kms.createKey({ Description: `durability ${n++}` });
        keys.push(KeyMetadata!.KeyId!);
        return `KEY ${KeyMetadata!.KeyId}`;
      }
      const keyId = pick();
      if (r < 0.3) {
        const rotations = (await kms.listKeyRotations({ KeyId: keyId })).Rotations ?? [];
        if (rotations.length < MAX_ROTATIONS) {
          await kms.rotateKeyOnDemand({ KeyId: keyId });
          return `ROT ${keyId}`;
        }
      }
      const plaintext = crypto.getRandomValues(new Uint8Array(1 + Math.floor(random() * 200)));
      const context = String(n++);
      const { CiphertextBlob } = await kms.encrypt({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: { n: context } });
      return `CT ${keyId} ${context} ${hex(plaintext)} ${hex(CiphertextBlob!)}`;
    },
  };
}

/** Reopens the store and lists every acknowledgement that is not honoured. */
export async function kmsProblems(dbPath: string, acks: string[]): Promise<string[]> {
  const store = new SqliteKeyStore(dbPath);
  // The checker's own calls are not audited: the log stays the workload's.
  const kms = new Kms({ store, rootKey: DURABILITY_ROOT_KEY, audit: false });
  const problems: string[] = [];
  try {
    const log = new AuditLog(storeAuditSink(store));
    const chain = log.verify();
    if (!chain.ok) problems.push(`audit log: record ${chain.index}: ${chain.reason}`);
    for (const [kind, operation] of [["KEY", "CreateKey"], ["ROT", "RotateKeyOnDemand"], ["CT", "Encrypt"]]) {
      const acked = acks.filter((a) => a.startsWith(`${kind} `)).length;
      const recorded = log.query({ eventName: operation }).filter((e) => e.errorCode === undefined).length;
      if (recorded < acked) problems.push(`audit log: ${recorded} successful ${operation} records for ${acked} acknowledged calls`);
    }
    for (const line of acks) {
      const [kind, keyId, context, plaintext, blob] = line.split(" ");
      try {
        if (kind === "KEY" || kind === "ROT") {
          await kms.describeKey({ KeyId: keyId });
        } else if (kind === "CT") {
          const out = await kms.decrypt({ CiphertextBlob: Buffer.from(blob, "hex"), EncryptionContext: { n: context } });
          if (hex(out.Plaintext!) !== plaintext) problems.push(`${line.slice(0, 60)}…: decrypts to other bytes`);
          if (out.KeyId?.endsWith(keyId) !== true) problems.push(`${line.slice(0, 60)}…: attributed to ${out.KeyId}`);
        }
      } catch (e) {
        problems.push(`${line.slice(0, 60)}…: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    // Nothing half-written: every listed key describes and encrypts.
    for (const key of (await kms.listKeys({ Limit: 1000 })).Keys ?? []) {
      try {
        await kms.encrypt({ KeyId: key.KeyId!, Plaintext: new Uint8Array([1]) });
      } catch (e) {
        problems.push(`${key.KeyId}: listed but unusable: ${(e as Error).name}`);
      }
    }
  } finally {
    kms.close();
  }
  return problems;
}
