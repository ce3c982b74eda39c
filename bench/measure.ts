// Measurement core shared by the Node benchmark (engine.bench.ts) and the
// Deno/Bun one (runtime.bench.ts): a tinybench Bench whose tasks are labelled
// with what they measure, batched so that short operations are not swamped by
// timer overhead, and reduced to plain rows (median ops/s, MB/s).
import { Bench, type FnReturnedObject } from "tinybench";

/** What one task measures. `size` is the message size in bytes (0 when throughput in bytes is meaningless). */
export interface Label {
  group: string; // e.g. "AES-256-GCM seal", "SHA-256", "HKDF-SHA512 (32-byte output)"
  size: number;
  lib: string; // e.g. "wasmkms", "node:crypto", "WebCrypto"
}

/** One measured result. MB = 10^6 bytes. */
export interface Row extends Label {
  runtime: string;
  opsPerSec: number; // from the median time per operation
  mbPerSec: number | null;
  rme: number; // relative margin of error of the mean, percent
  samples: number;
}

/**
 * How the engine benchmark runs each task: in `rounds` rounds, the libraries taking turns, for `timeFactor` ×
 * the --time option in all; the median round is reported. Under Node the first task of each message size pays
 * for the heap adapting to that size's allocations (measured: the first 1 MiB task ~10% slow, whichever library
 * it is); Deno tiers WebAssembly up later than Node, and the machine may be shared.
 */
export interface RoundPlan {
  rounds: number;
  timeFactor: number;
}
export const NODE_ROUNDS: RoundPlan = { rounds: 3, timeFactor: 2 };
export const DENO_BUN_ROUNDS: RoundPlan = { rounds: 5, timeFactor: 3 };

/** Milliseconds per round of one task under `plan` for the --time option `timeMs`. */
export function roundMs(plan: RoundPlan, timeMs: number): number {
  return (timeMs * plan.timeFactor) / plan.rounds;
}

/** A Suite for this runtime that runs its tasks as `plan` says. */
export function suiteFor(plan: RoundPlan, timeMs: number): Suite {
  return new Suite(runtimeName(), timeMs * plan.timeFactor, plan.rounds);
}

/** Prefix of the JSON line of rows that runtime.bench.ts prints for engine.bench.ts. */
export const RESULT_MARKER = "WASMKMS_BENCH_ROWS ";

/** Aim for batches of about this long, so each timer reading covers many short calls. */
const BATCH_MS = 0.2;

/** Roughly how long one call takes (ms), from a few untimed-by-tinybench trial calls. */
async function trialMs(fn: () => unknown): Promise<number> {
  let calls = 0;
  const start = performance.now();
  while (calls < 1000 && performance.now() - start < 20) {
    await fn();
    calls++;
  }
  return (performance.now() - start) / calls;
}

export class Suite {
  private readonly pending: Array<{ label: Label; fn: () => unknown; isAsync: boolean }> = [];

  /**
   * `rounds` > 1 runs every task that many times, in turn, and reports each task's median round: a burst of load
   * from elsewhere on a shared machine then lands on every library's rounds alike instead of on one library's only.
   */
  constructor(
    readonly runtime: string,
    readonly timeMs: number,
    readonly rounds = 1,
  ) {}

  /** Adds a synchronous operation. */
  add(label: Label, fn: () => unknown): this {
    this.pending.push({ label, fn, isAsync: false });
    return this;
  }

  /** Adds an operation that returns a promise (WebCrypto); each call is awaited before the next. */
  addAsync(label: Label, fn: () => Promise<unknown>): this {
    this.pending.push({ label, fn, isAsync: true });
    return this;
  }

  /** Calibrates the batch size of each task, runs them all (in `rounds` rounds), and returns one row per task. */
  async run(onRow?: (row: Row) => void): Promise<Row[]> {
    const byTask = new Map<string, Row[]>();
    for (let round = 0; round < this.rounds; round++) {
      for (const row of await this.runRound()) {
        const name = taskName(row);
        byTask.set(name, [...(byTask.get(name) ?? []), row]);
      }
    }
    const rows = [...byTask.values()].map((rounds) => rounds.sort((a, b) => a.opsPerSec - b.opsPerSec)[rounds.length >> 1]!);
    for (const row of rows) onRow?.(row);
    return rows;
  }

  private async runRound(): Promise<Row[]> {
    // Few minimum iterations: a 1 MiB @noble/ciphers call takes ~30 ms, and time, not count, should bound each task.
    const timeMs = this.timeMs / this.rounds;
    const bench = new Bench({ time: timeMs, warmupTime: Math.min(250, timeMs), iterations: 8, warmupIterations: 4, throws: true });
    const labels = new Map<string, Label>();
    for (const { label, fn, isAsync } of this.pending) {
      const name = taskName(label);
      labels.set(name, label);
      const inner = Math.max(1, Math.round(BATCH_MS / (await trialMs(fn))));
      const now = () => bench.now();
      const result = (elapsed: number): FnReturnedObject => ({
        overriddenDuration: elapsed / inner,
        overriddenIterationCost: elapsed,
      });
      if (isAsync) {
        bench.add(name, async () => {
          const start = now();
          for (let i = 0; i < inner; i++) await fn();
          return result(now() - start);
        }, { async: true });
      } else {
        bench.add(name, () => {
          const start = now();
          for (let i = 0; i < inner; i++) fn();
          return result(now() - start);
        }, { async: false });
      }
    }
    await bench.run();
    return bench.tasks.flatMap((task) => toRow(labels.get(task.name), this.runtime, task.result) ?? []);
  }
}

function taskName(label: Label): string {
  return `${label.group} | ${label.size} | ${label.lib}`;
}

function toRow(label: Label | undefined, runtime: string, result: unknown): Row | undefined {
  const r = result as { state?: string; latency?: { p50: number; rme: number; samplesCount: number } };
  if (!label || !r.latency || (r.state !== "completed" && r.state !== "aborted-with-statistics")) return undefined;
  const opsPerSec = 1000 / r.latency.p50;
  return {
    ...label,
    runtime,
    opsPerSec,
    mbPerSec: label.size > 0 ? (opsPerSec * label.size) / 1e6 : null,
    rme: r.latency.rme,
    samples: r.latency.samplesCount,
  };
}

/** "node 20.20.2", "deno 2.9.6" or "bun 1.4.5". */
export function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}

/** Human-readable message size: 64 B, 1 KiB, 16 KiB, 1 MiB. */
export function sizeName(bytes: number): string {
  if (bytes >= 1 << 20) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
