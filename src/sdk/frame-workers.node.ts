/**
 * A pool of worker threads that work on the frames of messages in files
 * (file-frame-job.node.ts) for `encryptFile`/`decryptFile`.
 *
 * Each worker is started with `eval` code that imports THIS module by URL;
 * importing it in a worker flagged through `workerData` makes it serve
 * jobs (the statement at the bottom). This keeps working when the module
 * is bundled into another file (dist/…/cli.js): the URL is then that file's,
 * which is imported instead, and an eval worker's `process.argv[1]` is
 * "[worker eval]", so a bundled CLI entry does not mistake the worker for
 * the program being run. Running from TypeScript sources (tests, tsx), the
 * worker loads this module through tsx's CommonJS API.
 *
 * A job is posted once to each of the threads asked for; they claim its
 * chunks between them and read and write the files themselves, so no data
 * crosses threads. A worker answers with the number of chunks it did, or
 * with the error it met (revived here as its own SdkError class); when asked,
 * it also says each chunk it finishes. The pool is shared by every call in
 * the process and created on first use; its threads do not keep the process
 * alive while idle (they are unref'd), and `closeFrameWorkers()` ends them.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import * as errors from "./errors.js";
import { ChunkFailure, type FileFrameJob, stopJob, workOnJob } from "./file-frame-job.node.js";

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

interface JobRequest {
  id: number;
  job: FileFrameJob;
  /** Whether to post each chunk as it is done. */
  report: boolean;
}

/** An error as it crosses from a worker: its class name, message, and Node's system-error details (EFBIG, ENOSPC, …). */
type SentError = { name: string; message: string; code?: unknown; errno?: unknown; syscall?: unknown; path?: unknown };
const SYSTEM_ERROR_FIELDS = ["code", "errno", "syscall", "path"] as const;

function sendableError(cause: unknown): SentError {
  if (!(cause instanceof Error)) return { name: "Error", message: String(cause) };
  const sent: SentError = { name: cause.name, message: cause.message };
  for (const field of SYSTEM_ERROR_FIELDS) {
    const value = (cause as unknown as Record<string, unknown>)[field];
    if (value !== undefined) sent[field] = value;
  }
  return sent;
}
type JobReply = { id: number; chunk: number } | { id: number; chunks: number } | { id: number; error: SentError; chunk: number };

/** Rebuilds an SDK error sent from a worker as its own class (by name), other errors as Error. */
function reviveError(e: SentError): Error {
  const Class = (errors as Record<string, unknown>)[e.name];
  const err = typeof Class === "function" && Class.prototype instanceof errors.SdkError ? new (Class as new (m: string) => Error)(e.message) : new Error(e.message);
  if (!(err instanceof errors.SdkError)) err.name = e.name;
  for (const field of SYSTEM_ERROR_FIELDS) if (e[field] !== undefined) (err as unknown as Record<string, unknown>)[field] = e[field];
  return err;
}

/** The worker side: works on each job posted until the pool ends the thread. */
function serveJobs(): void {
  parentPort!.on("message", async ({ id, job, report }: JobRequest) => {
    const post = (reply: JobReply) => parentPort!.postMessage(reply);
    try {
      post({ id, chunks: await workOnJob(job, report ? (chunk) => post({ id, chunk }) : () => {}) });
    } catch (e) {
      const failure = e instanceof ChunkFailure ? e : new ChunkFailure(-1, e);
      post({ id, chunk: failure.chunk, error: sendableError(failure.cause) });
    } finally {
      job.key.fill(0);
    }
  });
}

interface Pending {
  resolve(chunks: number): void;
  reject(failure: ChunkFailure): void;
  onChunk?: (chunk: number) => void;
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead: Error | undefined;

  constructor(onExit: (w: PoolWorker) => void) {
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData: { [WORKER_FLAG]: true, moduleUrl: MODULE_URL, tsxApi: tsxCjsApiPath() } });
    this.worker.unref();
    this.worker.on("message", (reply: JobReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      if ("chunks" in reply || "error" in reply) {
        this.pending.delete(reply.id);
        if (this.pending.size === 0) this.worker.unref();
      }
      if ("error" in reply) p.reject(new ChunkFailure(reply.chunk, reviveError(reply.error)));
      else if ("chunks" in reply) p.resolve(reply.chunks);
      else p.onChunk?.(reply.chunk);
    });
    const fail = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(new ChunkFailure(Infinity, e));
      this.pending.clear();
      onExit(this);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`a frame worker thread exited (code ${code})`)));
  }

  run(id: number, job: FileFrameJob, onChunk: ((chunk: number) => void) | undefined): Promise<number> {
    if (this.dead) return Promise.reject(new ChunkFailure(Infinity, this.dead));
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onChunk });
      if (this.pending.size === 1) this.worker.ref();
      const request: JobRequest = { id, job, report: onChunk !== undefined };
      this.worker.postMessage(request);
    });
  }
}

class FrameWorkerPool {
  readonly #workers: PoolWorker[] = [];
  #nextId = 1;

  /** Posts `job` to `threads` workers (started as needed); resolves with the chunks done once every one has answered. */
  async run(threads: number, job: FileFrameJob, onChunk: ((chunk: number) => void) | undefined): Promise<number> {
    while (this.#workers.length < threads) this.#workers.push(new PoolWorker((w) => this.#remove(w)));
    const runs = this.#workers.slice(0, threads).map((w) =>
      w.run(this.#nextId++, job, onChunk).catch((failure: ChunkFailure) => {
        stopJob(job.board); // a worker that died did not stop the others
        throw failure;
      }),
    );
    const results = await Promise.allSettled(runs);
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as ChunkFailure] : []));
    // The failure in the earliest chunk is the one a one-thread decryption would have met.
    if (failures.length) throw failures.reduce((a, b) => (b.chunk < a.chunk ? b : a)).cause;
    return results.reduce((sum, r) => sum + (r.status === "fulfilled" ? r.value : 0), 0);
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
 * Works on `job` with `threads` worker threads of the shared pool, or here on
 * this thread when `threads` is 0 (yielding to the event loop between chunks,
 * so an abort can stop it). `onChunk` is called as each chunk is done.
 * Resolves with the number of chunks done (all of them, unless the job was
 * stopped) once no thread works on the job any more; rejects with the error
 * met in the earliest chunk.
 */
export async function runFileFrameJob(threads: number, job: FileFrameJob, onChunk?: (chunk: number) => void): Promise<number> {
  if (threads > 0) {
    pool ??= new FrameWorkerPool();
    return pool.run(threads, job, onChunk);
  }
  try {
    return await workOnJob(job, (chunk) => {
      onChunk?.(chunk);
      return new Promise<void>((resolve) => setImmediate(resolve));
    });
  } catch (e) {
    throw e instanceof ChunkFailure ? e.cause : e;
  }
}

/** Ends the shared worker threads (they are started again when next needed). */
export async function closeFrameWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

// The worker thread's entry (see the comment at the top).
if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG] === true) serveJobs();
