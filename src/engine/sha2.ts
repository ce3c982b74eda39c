/**
 * SHA-224, SHA-256, SHA-384 and SHA-512 (FIPS 180-4) on the WebAssembly
 * engine (assembly/sha256.ts, assembly/sha512.ts).
 *
 * Data of any size is copied through the engine's I/O window in chunks. A
 * streaming hash keeps its state bytes here in JavaScript: each call copies
 * them into the engine's hash scratch, runs, copies them back and wipes the
 * scratch, so an abandoned hash object holds nothing inside the engine. The
 * window bytes a call used are wiped before it returns.
 *
 * Constant time: see the kernels; this glue branches only on lengths.
 */
import { type Engine, engine, feedWindow } from "./wasm.js";
import { bytes } from "./validate.js";

export type HashAlgorithm = "sha224" | "sha256" | "sha384" | "sha512";

/** A streaming hash (or HMAC). `digest()` finishes it: later calls throw. */
export interface Hash {
  readonly outputLen: number;
  readonly blockLen: number;
  update(data: Uint8Array): this;
  digest(): Uint8Array;
  /** An independent copy of the hash in its current state. */
  clone(): Hash;
}

/** `sha256(data)`, plus `sha256.create()` for streaming. */
export interface HashFunction {
  (data: Uint8Array): Uint8Array;
  create(): Hash;
  readonly outputLen: number;
  readonly blockLen: number;
}

/** What the glue knows about one algorithm: sizes, and its id in the generic (HMAC, HKDF) exports. */
export interface Sha2Params {
  readonly name: HashAlgorithm;
  /** 224, 256, 384 or 512: the `alg` argument of the HMAC and HKDF exports. */
  readonly id: number;
  readonly outputLen: number;
  readonly blockLen: number;
  /** Bytes of the engine's state struct (SHA256_STATE_SIZE or SHA512_STATE_SIZE). */
  readonly stateSize: number;
}

const PARAMS: Record<HashAlgorithm, Sha2Params> = {
  sha224: { name: "sha224", id: 224, outputLen: 28, blockLen: 64, stateSize: 104 },
  sha256: { name: "sha256", id: 256, outputLen: 32, blockLen: 64, stateSize: 104 },
  sha384: { name: "sha384", id: 384, outputLen: 48, blockLen: 128, stateSize: 200 },
  sha512: { name: "sha512", id: 512, outputLen: 64, blockLen: 128, stateSize: 200 },
};

/** The accepted names as the error messages list them: "sha224", "sha256", ... */
const ACCEPTED = Object.keys(PARAMS).map((name) => JSON.stringify(name)).join(", ");

/** Looks up `alg`, throwing a TypeError that names the accepted values. */
export function sha2Params(alg: unknown, where: string): Sha2Params {
  if (typeof alg === "string" && Object.hasOwn(PARAMS, alg)) return PARAMS[alg as HashAlgorithm];
  const got = typeof alg === "string" ? JSON.stringify(alg) : alg === null ? "null" : typeof alg;
  throw new TypeError(`${where}: alg must be one of ${ACCEPTED}, got ${got}`);
}

/** `make(p)` for every algorithm's parameters, keyed by algorithm name. */
export function perAlgorithm<T>(make: (p: Sha2Params) => T): Record<HashAlgorithm, T> {
  return Object.fromEntries(Object.values(PARAMS).map((p) => [p.name, make(p)])) as Record<HashAlgorithm, T>;
}

/** Where streaming states are staged during a call: the start of the engine's hash scratch. */
export function stagingArea(e: Engine): number {
  return e.x.HASH_SCRATCH.value as number;
}

/** Copies `len` bytes (a result, or a staged state) out of the engine at `ptr` and wipes them there. */
export function takeOutput(e: Engine, ptr: number, len: number): Uint8Array {
  const mem = e.mem();
  const out = mem.slice(ptr, ptr + len);
  mem.fill(0, ptr, ptr + len);
  return out;
}

/** The engine operations behind a streaming hash; `st` is the staged state's address. */
export interface StreamKernel {
  readonly where: string;
  readonly outputLen: number;
  readonly blockLen: number;
  update(e: Engine, st: number, ptr: number, len: number): void;
  /** Writes the output at `out` and wipes the staged state. */
  final(e: Engine, st: number, out: number): void;
}

/** A hash whose state lives in `state` between calls (see the file comment). */
export class StreamingHash implements Hash {
  private state: Uint8Array | undefined;

  constructor(
    private readonly kernel: StreamKernel,
    state: Uint8Array,
  ) {
    this.state = state;
  }

  get outputLen(): number {
    return this.kernel.outputLen;
  }

  get blockLen(): number {
    return this.kernel.blockLen;
  }

  update(data: Uint8Array): this {
    const state = this.live("update");
    bytes(data, this.kernel.where, "data");
    if (data.length === 0) return this;
    const e = engine();
    const st = stagingArea(e);
    e.mem().set(state, st);
    feedWindow(e, data, (ptr, len) => this.kernel.update(e, st, ptr, len));
    state.set(takeOutput(e, st, state.length));
    return this;
  }

  digest(): Uint8Array {
    const state = this.live("digest");
    this.state = undefined;
    const e = engine();
    const st = stagingArea(e);
    e.mem().set(state, st);
    state.fill(0);
    this.kernel.final(e, st, e.WINDOW);
    return takeOutput(e, e.WINDOW, this.kernel.outputLen);
  }

  clone(): Hash {
    return new StreamingHash(this.kernel, this.live("clone").slice());
  }

  private live(method: string): Uint8Array {
    if (this.state === undefined) {
      throw new Error(`${this.kernel.where}: ${method}() called after digest(); create a new hash`);
    }
    return this.state;
  }
}

function kernelOf(p: Sha2Params): StreamKernel {
  return {
    where: p.name,
    outputLen: p.outputLen,
    blockLen: p.blockLen,
    update: (e, st, ptr, len) => e.x[`${p.name}_update`](st, ptr, len),
    final: (e, st, out) => e.x[`${p.name}_final`](st, out),
  };
}

const KERNELS = perAlgorithm(kernelOf);

/** A fresh streaming hash for `p`. */
export function createSha2(p: Sha2Params): Hash {
  const e = engine();
  const st = stagingArea(e);
  e.x[`${p.name}_init`](st);
  return new StreamingHash(KERNELS[p.name], takeOutput(e, st, p.stateSize));
}

/** Hashes `data` (already validated): one engine call when it fits in the window. */
export function sha2Digest(p: Sha2Params, data: Uint8Array): Uint8Array {
  const e = engine();
  if (data.length > e.WINDOW_SIZE) return createSha2(p).update(data).digest();
  e.mem().set(data, e.WINDOW);
  e.x[p.name](e.WINDOW, data.length, e.WINDOW);
  e.mem().fill(0, e.WINDOW + p.outputLen, e.WINDOW + Math.max(data.length, p.outputLen));
  return takeOutput(e, e.WINDOW, p.outputLen);
}

function hashFunction(p: Sha2Params): HashFunction {
  const fn = (data: Uint8Array): Uint8Array => sha2Digest(p, bytes(data, p.name, "data"));
  return Object.assign(fn, {
    create: () => createSha2(p),
    outputLen: p.outputLen,
    blockLen: p.blockLen,
  });
}

export const sha224: HashFunction = hashFunction(PARAMS.sha224);
export const sha256: HashFunction = hashFunction(PARAMS.sha256);
export const sha384: HashFunction = hashFunction(PARAMS.sha384);
export const sha512: HashFunction = hashFunction(PARAMS.sha512);
