/**
 * Crash durability of a Kms on SqliteKeyStore: a child process creating,
 * rotating and encrypting with keys is SIGKILLed at random moments, 20 times
 * on one file. After each kill the store opens with the same root key, every
 * acknowledged key is present, and every acknowledged ciphertext decrypts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runAndKill } from "../store/kill-loop.js";
import { kmsProblems } from "./durability-workload.js";

const KILLS = 20;
const dir = mkdtempSync(join(tmpdir(), "wasmkms-kms-durability-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`a Kms keeps every acknowledged key and ciphertext across ${KILLS} SIGKILLs`, { timeout: 120_000 }, async () => {
  const dbPath = join(dir, "kms.sqlite");
  const acks: string[] = [];
  const baseSeed = Math.floor(Math.random() * 2 ** 31);
  let midRunKills = 0;
  for (let i = 0; i < KILLS; i++) {
    const seed = baseSeed + i;
    const early = i % 5 === 0;
    const run = await runAndKill(dbPath, "kms", seed, early ? Math.random() * 3 : 20 + Math.random() * 250, early && i % 10 === 0);
    acks.push(...run.acks);
    if (run.acks.length > 0) midRunKills++;
    const problems = await kmsProblems(dbPath, acks);
    expect(problems, `after kill ${i + 1} (seed ${seed}, ${run.acks.length} acks)`).toEqual([]);
  }
  expect(acks.filter((a) => a.startsWith("KEY")).length).toBeGreaterThan(0);
  expect(acks.filter((a) => a.startsWith("CT")).length).toBeGreaterThan(KILLS);
  expect(midRunKills).toBeGreaterThan(KILLS / 2);
});
