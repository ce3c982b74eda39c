/**
 * What recording a call costs: AuditLog.record for a GenerateDataKey with an
 * encryption context, into memory, into a MemoryKeyStore and into a
 * SqliteKeyStore (inside a transaction, as the Kms writes it); and one
 * RequestQuotas.take (best of several rounds). Run: npx tsx bench/audit.bench.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditInput, AuditLog, type AuditSink, memoryAuditSink, storeAuditSink } from "../src/audit/index.js";
import { systemClock } from "../src/clock.js";
import { RequestQuotas } from "../src/quota/index.js";
import { MemoryKeyStore } from "../src/store/memory-store.js";
import { SqliteKeyStore } from "../src/store/sqlite-store.js";
import { ARN_A, KEY_A, REGION, ROOT, ACCOUNT } from "../test/audit/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "wasmkms-audit-cost-"));

/** Best time per call over `rounds` rounds of `n` calls, in µs. */
function bestMicros(fn: () => void, n: number, rounds = 5): number {
  for (let i = 0; i < n; i++) fn(); // warm up
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - start) * 1000) / n);
  }
  return best;
}

function gdkInput(): AuditInput {
  return {
    time: Date.now(),
    operation: "GenerateDataKey",
    region: REGION,
    account: ACCOUNT,
    principal: ROOT,
    request: { KeyId: KEY_A, KeySpec: "AES_256", EncryptionContext: { tenant: "acme", purpose: "benchmark" } },
    response: { KeyId: ARN_A, Plaintext: new Uint8Array(32), CiphertextBlob: new Uint8Array(120) },
    keyArns: [ARN_A],
    readOnly: true,
  };
}

{
  const results: Record<string, number> = {};
  const call = gdkInput();
  const sinks: [string, () => { sink: AuditSink; inTransaction?: (fn: () => void) => void; close?: () => void }][] = [
    ["record(), memory sink", () => ({ sink: memoryAuditSink() })],
    [
      "record(), MemoryKeyStore",
      () => {
        const store = new MemoryKeyStore();
        return { sink: storeAuditSink(store), inTransaction: (fn) => store.transaction(fn), close: () => store.close() };
      },
    ],
    [
      "record(), SqliteKeyStore (NORMAL)",
      () => {
        const store = new SqliteKeyStore(join(dir, "cost.sqlite"), { synchronous: "NORMAL" });
        return { sink: storeAuditSink(store), inTransaction: (fn) => store.transaction(fn), close: () => store.close() };
      },
    ],
  ];
  for (const [name, make] of sinks) {
    const { sink, inTransaction, close } = make();
    const log = new AuditLog(sink);
    const record = () => {
      call.time++;
      log.record(call);
    };
    const n = name.includes("Sqlite") ? 500 : 20_000;
    results[name] = bestMicros(inTransaction ? () => inTransaction(record) : record, n);
    if (!log.verify().ok) throw new Error(`${name}: the chain does not verify`);
    close?.();
  }
  const quotas = new RequestQuotas("aws-current", { region: "us-east-1", clock: systemClock });
  results["take(), aws-current us-east-1"] = bestMicros(() => void quotas.take("GenerateDataKey", "SYMMETRIC_DEFAULT"), 200_000);
  const off = new RequestQuotas(false, { region: "us-east-1", clock: systemClock });
  results["take(), quotas off"] = bestMicros(() => void off.take("GenerateDataKey", "SYMMETRIC_DEFAULT"), 200_000);
  console.log(
    Object.entries(results)
      .map(([name, us]) => `  ${name.padEnd(36)} ${us.toFixed(2).padStart(7)} µs`)
      .join("\n"),
  );
}
rmSync(dir, { recursive: true, force: true });
