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
  private readonly bench: Bench;
  private readonly labels = new Map<string, Label>();
  private readonly pending: Array<{ label: Label; fn: () => unknown; isAsync: boolean }> = [];

  constructor(
    readonly runtime: string,
    timeMs: number,
  ) {
    // Few minimum iterations: a 1 MiB @noble/ciphers call takes ~30 ms, and time, not count, should bound each task.
    this.bench = new Bench({ time: timeMs, warmupTime: Math.min(250, timeMs), iterations: 8, warmupIterations: 4, throws: true });
  }

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

  /** Calibrates the batch size of each task, runs them all, and returns one row per task. */
  async run(onRow?: (row: Row) => void): Promise<Row[]> {
    for (const { label, fn, isAsync } of this.pending) {
      const name = `${label.group} | ${label.size} | ${label.lib}`;
      this.labels.set(name, label);
      const inner = Math.max(1, Math.round(BATCH_MS / (await trialMs(fn))));
      const now = () => this.bench.now();
      const result = (elapsed: number): FnReturnedObject => ({
        overriddenDuration: elapsed / inner,
        overriddenIterationCost: elapsed,
      });
      if (isAsync) {
        this.bench.add(name, async () => {
          const start = now();
          for (let i = 0; i < inner; i++) await fn();
          return result(now() - start);
        }, { async: true });
      } else {
        this.bench.add(name, () => {
          const start = now();
          for (let i = 0; i < inner; i++) fn();
          return result(now() - start);
        }, { async: false });
      }
    }
    const rows: Row[] = [];
    this.bench.addEventListener("cycle", (event) => {
      const task = event.task;
      if (!task) return;
      const row = this.toRow(task.name, task.result);
      if (row) {
        rows.push(row);
        onRow?.(row);
      }
    });
    await this.bench.run();
    return rows;
  }

  private toRow(name: string, result: unknown): Row | undefined {
    const label = this.labels.get(name);
    const r = result as { state?: string; latency?: { p50: number; rme: number; samplesCount: number } };
    if (!label || !r.latency || (r.state !== "completed" && r.state !== "aborted-with-statistics")) return undefined;
    const opsPerSec = 1000 / r.latency.p50;
    return {
      ...label,
      runtime: this.runtime,
      opsPerSec,
      mbPerSec: label.size > 0 ? (opsPerSec * label.size) / 1e6 : null,
      rme: r.latency.rme,
      samples: r.latency.samplesCount,
    };
  }
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
