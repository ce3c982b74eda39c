/**
 * Crash durability of SqliteKeyStore: a child process creating, rotating and
 * deleting keys is SIGKILLed at random moments, over and over, on one file.
 * After every kill the store must open, hold every acknowledged write, and
 * show no transaction in part (see storeProblems).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import { type AckedState, applyAck, storeProblems } from "./durability-workload.js";
import { runAndKill } from "./kill-loop.js";

const KILLS = 24;
const dir = mkdtempSync(join(tmpdir(), "wasmkms-durability-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`keeps every acknowledged write across ${KILLS} SIGKILLs`, { timeout: 90_000 }, async () => {
  const dbPath = join(dir, "keys.sqlite");
  const acked: AckedState = { versions: new Map(), deleted: new Set() };
  const baseSeed = Math.floor(Math.random() * 2 ** 31);
  let totalAcks = 0;
  let midRunKills = 0;
  for (let i = 0; i < KILLS; i++) {
    const seed = baseSeed + i;
    // Every fourth kill comes early: right at READY, or before it (while the
    // child opens the store and SQLite replays the previous run's WAL).
    const early = i % 4 === 0;
    const run = await runAndKill(dbPath, "store", seed, early ? Math.random() * 3 : 10 + Math.random() * 150, early && i % 8 === 0);
    for (const line of run.acks) applyAck(acked, line);
    totalAcks += run.acks.length;
    if (run.acks.length > 0) midRunKills++;

    const store = new SqliteKeyStore(dbPath);
    let problems: string[];
    try {
      problems = storeProblems(store, acked);
    } finally {
      store.close();
    }
    expect(problems, `after kill ${i + 1} (seed ${seed}, ${run.acks.length} acks)`).toEqual([]);
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      db.close();
    }
  }
  // The runs did real work, and most kills landed while the child was writing.
  expect(totalAcks).toBeGreaterThan(KILLS * 2);
  expect(midRunKills).toBeGreaterThan(KILLS / 2);
  expect(acked.deleted.size + acked.versions.size).toBeGreaterThan(0);
});
