/**
 * A pool of worker threads that seal and open batches of frames
 * (frame-batch.ts) for `encryptFile`/`decryptFile`.
 *
 * Each worker is started with `eval` code that imports THIS module by URL;
 * importing it in a worker flagged through `workerData` makes it serve
 * batches (the statement at the bottom). This keeps working when the module
 * is bundled into another file (dist/…/cli.js): the URL is then that file's,
 * which is imported instead, and an eval worker's `process.argv[1]` is
 * "[worker eval]", so a bundled CLI entry does not mistake the worker for
 * the program being run. Running from TypeScript sources (tests, tsx), the
 * worker loads this module through tsx's CommonJS API.
 *
 * Batches carry their key, message id and data (transferred, not copied);
 * results come back transferred too. The pool is shared by every call in the
 * process and created on first use; its threads do not keep the process
 * alive while idle (they are unref'd), and `closeFrameWorkers()` ends them.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import * as errors from "./errors.js";
import { type FrameBatch, openFrameBatch, sealFrameBatch } from "./frame-batch.js";

const WORKER_FLAG = "wasmkmsFrameWorker";
const MODULE_URL = import.meta.url;
/** Imports this module in the worker: directly, or through tsx when running from TypeScript sources. */
const WORKER_CODE = `const { workerData: d } = require("node:worker_threads");
if (d.tsxApi) require(d.tsxApi).require(require("node:url").fileURLToPath(d.moduleUrl), __filename);
else import(d.moduleUrl);`;

/**
 * From sources (a .ts URL), the path of tsx's CommonJS API, which loads TypeScript in a worker (--import hooks
 * do not reach workers on Node 20). It compiles to CommonJS: the modules this one imports must not use top-level await.
 */
function tsxCjsApiPath(): string | undefined {
  if (!MODULE_URL.endsWith(".ts")) return undefined;
  return createRequire(fileURLToPath(MODULE_URL)).resolve("tsx/cjs/api");
}

export type BatchMode = "seal" | "open";

interface BatchRequest {
  id: number;
  mode: BatchMode;
  batch: FrameBatch;
}

type BatchReply = { id: number; data: Uint8Array } | { id: number; error: { name: string; message: string } };

async function runBatch(mode: BatchMode, batch: FrameBatch): Promise<Uint8Array> {
  return mode === "seal" ? sealFrameBatch(batch) : openFrameBatch(batch);
}

/** Rebuilds an SDK error sent from a worker as its own class (by name), other errors as Error. */
function reviveError(e: { name: string; message: string }): Error {
  const Class = (errors as Record<string, unknown>)[e.name];
  const err = typeof Class === "function" && Class.prototype instanceof errors.SdkError ? new (Class as new (m: string) => Error)(e.message) : new Error(e.message);
  if (!(err instanceof errors.SdkError)) err.name = e.name;
  return err;
}

/** The worker side: answers batch requests until the pool ends the thread. */
function serveBatches(): void {
  parentPort!.on("message", async ({ id, mode, batch }: BatchRequest) => {
    let reply: BatchReply;
    try {
      const data = await runBatch(mode, batch);
      reply = { id, data };
      parentPort!.postMessage(reply, [data.buffer as ArrayBuffer]);
    } catch (e) {
      reply = { id, error: { name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) } };
      parentPort!.postMessage(reply);
    } finally {
      if (mode === "seal") batch.data.fill(0); // plaintext
      batch.key.fill(0);
    }
  });
}

interface Pending {
  resolve(data: Uint8Array): void;
  reject(e: Error): void;
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead: Error | undefined;

  constructor(onExit: (w: PoolWorker) => void) {
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData: { [WORKER_FLAG]: true, moduleUrl: MODULE_URL, tsxApi: tsxCjsApiPath() } });
    this.worker.unref();
    this.worker.on("message", (reply: BatchReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ("error" in reply) p.reject(reviveError(reply.error));
      else p.resolve(reply.data);
    });
    const fail = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      onExit(this);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`a frame worker thread exited (code ${code})`)));
  }

  run(id: number, mode: BatchMode, batch: FrameBatch): Promise<Uint8Array> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      const request: BatchRequest = { id, mode, batch };
      this.worker.postMessage(request, [batch.data.buffer as ArrayBuffer]);
    });
  }
}

class FrameWorkerPool {
  readonly #workers: PoolWorker[] = [];
  #nextId = 1;

  get size(): number {
    return this.#workers.length;
  }

  /** Runs `batch` on the least busy of `threads` workers (started as needed). Its data buffer is transferred: do not reuse it. */
  run(threads: number, mode: BatchMode, batch: FrameBatch): Promise<Uint8Array> {
    while (this.#workers.length < threads) this.#workers.push(new PoolWorker((w) => this.#remove(w)));
    let best = this.#workers[0];
    for (let i = 1; i < threads; i++) if (this.#workers[i].pending.size < best.pending.size) best = this.#workers[i];
    return best.run(this.#nextId++, mode, batch);
  }

  #remove(w: PoolWorker): void {
    const i = this.#workers.indexOf(w);
    if (i >= 0) this.#workers.splice(i, 1);
  }

  async close(): Promise<void> {
    const all = this.#workers.splice(0);
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}

let pool: FrameWorkerPool | undefined;

/** The default number of worker threads: one per CPU the process may use, at most 8. */
export function defaultFrameWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * Seals or opens a batch: on `threads` worker threads of the shared pool, or
 * here on this thread when `threads` is 0. `batch.data` is handed over.
 */
export function runFrameBatch(threads: number, mode: BatchMode, batch: FrameBatch): Promise<Uint8Array> {
  if (threads <= 0) return runBatch(mode, batch);
  pool ??= new FrameWorkerPool();
  return pool.run(threads, mode, batch);
}

/** Ends the shared worker threads (they are started again when next needed). */
export async function closeFrameWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

// The worker thread's entry (see the comment at the top).
if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG] === true) serveBatches();
