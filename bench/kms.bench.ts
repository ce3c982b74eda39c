// KMS operations in process, one awaited call after another on one core.
// Prints ops/s; the lead merges the numbers into bench/RESULTS.md.
//
//   npx tsx bench/kms.bench.ts               about 500 ms per task
//   npx tsx bench/kms.bench.ts --time 200    shorter
//
// Part 1 (issue 4): Encrypt (1 KiB), Decrypt (of that blob) and GenerateDataKey
// (AES_256, with and without an encryption context) on a MemoryKeyStore and on
// a SqliteKeyStore, as the account root on a key with the default key policy,
// audit and quotas off (authorization is always on). Target: GenerateDataKey
// ≥ 200,000 ops/s with the memory store; SQLite within 20 % of that.
//
// Part 2 (issue 5): GenerateDataKey AES_256 through each access layer, alone
// and together: policies (KeyUser on the seed's key policy: the key policy is
// evaluated, the statement found after two that do not apply), quotas
// ("aws-current" in us-east-1: 100,000 symmetric requests a second) and audit
// (to memory). Target: all three ≥ 100,000 ops/s. Quota rows run on a clock
// going 4× real time, so the bucket never empties however fast the call is:
// they measure the cost of the check, not the limit. With a SqliteKeyStore the
// audit record of every call is a store transaction of its own (with
// synchronous FULL, an fsync per call; NORMAL leaves syncing to checkpoints,
// as SQLite's WAL mode allows). Then the cost of each
// layer on its own, in ns per call: a policy decision (kms.explain), a quota
// take (RequestQuotas.take) and an audit record (AuditLog.record to memory).
//
// Not a test: numbers depend on the machine and its load. Measures the sources
// (src/), not dist/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AuditLog, Kms, type KmsOptions, memoryAuditSink } from "../src/kms/index.js";
import { RequestQuotas } from "../src/quota/index.js";
import type { KeyStore } from "../src/store/key-store.js";
import { MemoryKeyStore } from "../src/store/memory-store.js";
import { SqliteKeyStore } from "../src/store/sqlite-store.js";
import { KEY_USER, seedKeyPolicy } from "../test/kms/helpers.js";
import { type Row, Suite, runtimeName } from "./measure.ts";

const { values: options } = parseArgs({ options: { time: { type: "string", default: "500" } } });
const timeMs = Number(options.time);
const GDK_TARGET = 200_000;
const LAYERS_TARGET = 100_000;
const LAYERS_GROUP = "GenerateDataKey AES_256, access layers";

/** Results are folded into this so no call can be dropped as dead code. */
let sink = 0;

async function addCoreTasks(suite: Suite, storeName: string, store: KeyStore): Promise<Kms> {
  const kms = new Kms({ store, rootKey: crypto.getRandomValues(new Uint8Array(32)), audit: false });
  const { KeyMetadata } = await kms.createKey({ Description: "bench" });
  const KeyId = KeyMetadata.KeyId;
  const Plaintext = crypto.getRandomValues(new Uint8Array(1024));
  const EncryptionContext = { tenant: "acme", purpose: "benchmark" };
  const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext });
  const lib = `wasmkms (${storeName})`;

  suite.addAsync({ group: "Encrypt", size: 1024, lib }, async () => {
    sink ^= (await kms.encrypt({ KeyId, Plaintext })).CiphertextBlob.length;
  });
  suite.addAsync({ group: "Decrypt", size: 1024, lib }, async () => {
    sink ^= (await kms.decrypt({ CiphertextBlob })).Plaintext.length;
  });
  suite.addAsync({ group: "GenerateDataKey AES_256", size: 0, lib }, async () => {
    sink ^= (await kms.generateDataKey({ KeyId, KeySpec: "AES_256" })).Plaintext.length;
  });
  suite.addAsync({ group: "GenerateDataKey AES_256 + context", size: 0, lib }, async () => {
    sink ^= (await kms.generateDataKey({ KeyId, KeySpec: "AES_256", EncryptionContext })).Plaintext.length;
  });
  return kms;
}

/** A clock 4× real time: quota buckets refill faster than any benchmark can empty them. */
const fastClock = { now: () => Date.now() * 4 };

/** The access-layer configurations of part 2, by row label. */
const LAYERS: [string, (dir: string) => KmsOptions][] = [
  ["policy", () => ({ audit: false })],
  ["policy + quotas", () => ({ audit: false, quotas: "aws-current", clock: fastClock })],
  ["policy + audit", () => ({ audit: memoryAuditSink() })],
  ["policy + quotas + audit", () => ({ audit: memoryAuditSink(), quotas: "aws-current", clock: fastClock })],
  [
    "policy + quotas + audit (SQLite FULL)",
    (dir) => ({ store: new SqliteKeyStore(join(dir, "full.db")), rootKey: crypto.getRandomValues(new Uint8Array(32)), quotas: "aws-current", clock: fastClock }),
  ],
  [
    "policy + quotas + audit (SQLite NORMAL)",
    (dir) => ({
      store: new SqliteKeyStore(join(dir, "normal.db"), { synchronous: "NORMAL" }),
      rootKey: crypto.getRandomValues(new Uint8Array(32)),
      quotas: "aws-current",
      clock: fastClock,
    }),
  ],
];

async function addLayerTasks(suite: Suite, dir: string): Promise<Kms[]> {
  const open: Kms[] = [];
  for (const [lib, options] of LAYERS) {
    const kms = new Kms({ region: "us-east-1", ...options(dir) });
    open.push(kms);
    const KeyId = (await kms.createKey({ Policy: seedKeyPolicy() })).KeyMetadata.KeyId;
    const user = kms.as(KEY_USER);
    suite.addAsync({ group: LAYERS_GROUP, size: 0, lib }, async () => {
      sink ^= (await user.generateDataKey({ KeyId, KeySpec: "AES_256" })).Plaintext.length;
    });
  }
  return open;
}

/** Mean nanoseconds per call, best of 5 rounds. */
function nsPerCall(fn: () => unknown, calls = 50_000): number {
  for (let i = 0; i < calls; i++) fn();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, ((performance.now() - t0) * 1e6) / calls);
  }
  return best;
}

async function layerCosts(): Promise<Record<string, number>> {
  const kms = new Kms({ audit: false });
  const { KeyId, Arn } = (await kms.createKey({ Policy: seedKeyPolicy() })).KeyMetadata;
  const quotas = new RequestQuotas("aws-current", { region: "us-east-1", clock: fastClock });
  const log = new AuditLog(memoryAuditSink());
  const request = { KeyId, KeySpec: "AES_256" };
  const audit = {
    operation: "GenerateDataKey",
    region: "us-east-1",
    account: "111122223333",
    principal: KEY_USER,
    request,
    response: { KeyId: Arn },
    keyArns: [Arn],
    readOnly: true,
  };
  const costs = {
    "policy decision (kms.explain, KeyUser, seed key policy)": nsPerCall(() => kms.explain({ principal: KEY_USER, action: "kms:GenerateDataKey", keyId: KeyId })),
    "quota take (RequestQuotas.take, symmetric pool)": nsPerCall(() => quotas.take("GenerateDataKey", "SYMMETRIC_DEFAULT")),
    "audit record (AuditLog.record, memory sink)": nsPerCall(() => log.record({ time: Date.now(), ...audit }), 20_000),
  };
  kms.close();
  return costs;
}

function printRow(row: Row): void {
  const rate = row.mbPerSec === null ? "" : `${row.mbPerSec.toFixed(1)} MB/s`;
  console.log(
    `  ${row.group.padEnd(40)} ${row.lib.padEnd(40)} ${Math.round(row.opsPerSec).toLocaleString("en-US").padStart(10)} ops/s  ${rate.padStart(12)}  ±${row.rme.toFixed(1)}%`,
  );
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const dir = mkdtempSync(join(tmpdir(), "wasmkms-bench-"));
const suite = new Suite(runtimeName(), timeMs);
const open = [
  await addCoreTasks(suite, "memory", new MemoryKeyStore()),
  await addCoreTasks(suite, "SQLite", new SqliteKeyStore(join(dir, "bench.db"))),
  ...(await addLayerTasks(suite, dir)),
];
console.log(`${runtimeName()}: ${timeMs} ms per task, one awaited call at a time`);
try {
  const rows = await suite.run(printRow);
  const gdk = (lib: string) => rows.find((r) => r.group === "GenerateDataKey AES_256" && r.lib === lib)?.opsPerSec ?? 0;
  const memory = gdk("wasmkms (memory)");
  const sqlite = gdk("wasmkms (SQLite)");
  console.log(`\nGenerateDataKey, memory store: ${fmt(memory)} ops/s (target ${fmt(GDK_TARGET)}: ${memory >= GDK_TARGET ? "met" : "NOT met"})`);
  console.log(`GenerateDataKey, SQLite store: ${((sqlite / memory) * 100).toFixed(0)} % of memory (target ≥ 80 %: ${sqlite >= 0.8 * memory ? "met" : "NOT met"})`);

  const layer = (lib: string) => rows.find((r) => r.group === LAYERS_GROUP && r.lib === lib)?.opsPerSec ?? 0;
  const all = layer("policy + quotas + audit");
  console.log(
    `\nGenerateDataKey with policies, quotas "aws-current" (us-east-1) and audit to memory: ${fmt(all)} ops/s ` +
      `(target ${fmt(LAYERS_TARGET)}: ${all >= LAYERS_TARGET ? "met" : "NOT met"})`,
  );
  const base = layer("policy");
  for (const [lib] of LAYERS.slice(1)) {
    console.log(`  ${lib.padEnd(40)} ${((1e9 / layer(lib) - 1e9 / base) | 0).toLocaleString("en-US").padStart(7)} ns per call more than policy alone`);
  }
  console.log("\nCost of each layer on its own (ns per call, best of 5 rounds):");
  for (const [name, ns] of Object.entries(await layerCosts())) console.log(`  ${name.padEnd(58)} ${fmt(ns).padStart(7)} ns`);
} finally {
  for (const kms of open) kms.close();
  rmSync(dir, { recursive: true, force: true });
  if (sink === 0.5) console.log(sink);
}
