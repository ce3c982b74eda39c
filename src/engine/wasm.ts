/**
 * Loads the embedded WebAssembly engine and owns its linear memory.
 *
 * Node, Deno and Bun compile the module synchronously on first use; browsers,
 * which refuse large synchronous compiles on the main thread, call `init()`.
 * Without WebAssembly SIMD the engine fails closed: there is no scalar
 * fallback that could silently be variable-time.
 *
 * Memory regions (see assembly/layout.ts) are fixed; only the slot region
 * grows. `mem()` always returns a view of the current buffer, so callers must
 * not keep a view across anything that may allocate a slot.
 */
import { WASM_BASE64 } from "./_wasm.generated.js";

/** The raw exports of build/engine.wasm (pointers and lengths are numbers). */
// biome-ignore lint: the export table is dynamic
export type EngineExports = Record<string, any> & { memory: WebAssembly.Memory };

/** A module with one function returning a v128 constant: validates only where SIMD exists. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0x0b,
]);

export class Engine {
  readonly x: EngineExports;
  readonly memory: WebAssembly.Memory;
  readonly SCRATCH: number;
  readonly WINDOW: number;
  readonly WINDOW_SIZE: number;
  readonly SLOTS: number;
  readonly SLOT_SIZE: number;
  readonly GCM_CTX: number;
  readonly GCM_STAGE: number;
  /** 96-bit IVs a key setup can prepare (gcm_setup_ivs). */
  readonly PRESET_MAX: number;
  private view: Uint8Array;

  constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as EngineExports;
    this.memory = this.x.memory;
    const g = (name: string): number => (this.x[name] as WebAssembly.Global).value as number;
    this.SCRATCH = g("SCRATCH");
    this.WINDOW = g("WINDOW");
    this.WINDOW_SIZE = g("WINDOW_SIZE");
    this.SLOTS = g("SLOTS");
    this.SLOT_SIZE = g("SLOT_SIZE");
    this.GCM_CTX = g("GCM_CTX");
    this.GCM_STAGE = g("GCM_STAGE");
    this.PRESET_MAX = g("PRESET_MAX");
    if ((this.x.heapBase() as number) > this.SCRATCH) {
      throw new Error("wasmkms engine: static data overlaps the scratch region");
    }
    this.view = new Uint8Array(this.memory.buffer);
  }

  /**
   * A view of linear memory; recreated after the memory grows. Growing
   * detaches the old buffer, which leaves its views with length 0: checking
   * that costs a few ns, `memory.buffer` (an API call) ~25 ns on V8.
   */
  mem(): Uint8Array {
    if (this.view.length === 0) this.view = new Uint8Array(this.memory.buffer);
    return this.view;
  }

  /** Makes sure linear memory reaches at least `end` bytes. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const page = 65536;
    const grow = Math.max(Math.ceil((end - have) / page), Math.ceil(have / page / 4));
    this.memory.grow(grow);
    this.view = new Uint8Array(this.memory.buffer);
  }
}

let engineInstance: Engine | undefined;

function wasmBytes(): Uint8Array {
  const bin = atob(WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function checkSimd(): void {
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(SIMD_PROBE)) {
    throw new Error(
      "wasmkms engine: this runtime lacks WebAssembly SIMD (v128); the constant-time engine needs it and has no fallback",
    );
  }
}

const imports = {
  env: {
    abort(): never {
      throw new Error("wasmkms engine: internal abort");
    },
  },
};

/** Returns the engine, compiling it synchronously on first use. */
export function engine(): Engine {
  if (engineInstance) return engineInstance;
  checkSimd();
  const module = new WebAssembly.Module(wasmBytes() as BufferSource);
  engineInstance = new Engine(new WebAssembly.Instance(module, imports));
  return engineInstance;
}

/** Compiles the engine asynchronously (needed in browsers before the synchronous API is used). */
export async function init(): Promise<void> {
  if (engineInstance) return;
  checkSimd();
  const module = await WebAssembly.compile(wasmBytes() as BufferSource);
  const instance = await WebAssembly.instantiate(module, imports);
  engineInstance ??= new Engine(instance);
}

/**
 * Copies `data` through the I/O window in window-sized chunks, calling
 * `fn(ptr, len)` on each; with `out`, copies each processed chunk back into
 * `out` at the same offset. Wipes the window bytes it used.
 */
export function feedWindow(e: Engine, data: Uint8Array, fn: (ptr: number, len: number) => void, out?: Uint8Array): void {
  const { WINDOW, WINDOW_SIZE } = e;
  const mem = e.mem(); // the kernels never grow memory
  const n = data.length;
  for (let off = 0; off < n; off += WINDOW_SIZE) {
    const len = Math.min(WINDOW_SIZE, n - off);
    mem.set(len === n ? data : data.subarray(off, off + len), WINDOW);
    fn(WINDOW, len);
    if (out) out.set(mem.subarray(WINDOW, WINDOW + len), off);
  }
  mem.fill(0, WINDOW, WINDOW + Math.min(n, WINDOW_SIZE));
}
