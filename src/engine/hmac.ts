/**
 * HMAC-SHA-224, -SHA-256, -SHA-384 and -SHA-512 (RFC 2104) on the WebAssembly
 * engine (assembly/hmac.ts).
 *
 * One engine call when the key and message fit in the I/O window together;
 * otherwise a streaming HMAC. Keys longer than the window are hashed here
 * first, which RFC 2104 §2 makes equivalent (any key longer than the block is
 * replaced by its hash); shorter long keys are hashed by the engine.
 * The streaming object keeps the keyed inner and outer hash states in
 * JavaScript between calls, like the hashes in sha2.ts.
 *
 * Constant time: see assembly/hmac.ts; this glue branches only on lengths.
 */
import { type Engine, engine } from "./wasm.js";
import { bytes } from "./validate.js";
import {
  type Hash,
  type HashAlgorithm,
  type Sha2Params,
  type StreamKernel,
  StreamingHash,
  perAlgorithm,
  sha2Digest,
  sha2Params,
  stagingArea,
  takeOutput,
} from "./sha2.js";

function hmacKernel(p: Sha2Params): StreamKernel {
  return {
    where: "hmac",
    outputLen: p.outputLen,
    blockLen: p.blockLen,
    update: (e, st, ptr, len) => e.x.hmac_update(p.id, st, ptr, len),
    final: (e, st, out) => e.x.hmac_final(p.id, st, out),
  };
}

const KERNELS = perAlgorithm(hmacKernel);

/** The key as the engine will take it: hashed first (RFC 2104 §2) if it would not fit in the window. */
function windowKey(e: Engine, p: Sha2Params, key: Uint8Array): Uint8Array {
  return key.length > e.WINDOW_SIZE ? sha2Digest(p, key) : key;
}

/** A streaming HMAC keyed with `key` (arguments already validated). */
export function createHmac(p: Sha2Params, key: Uint8Array): Hash {
  const e = engine();
  const k = windowKey(e, p, key);
  const st = stagingArea(e);
  e.mem().set(k, e.WINDOW);
  e.x.hmac_init(p.id, st, e.WINDOW, k.length);
  e.mem().fill(0, e.WINDOW, e.WINDOW + k.length);
  if (k !== key) k.fill(0);
  return new StreamingHash(KERNELS[p.name], takeOutput(e, st, 2 * p.stateSize));
}

/** HMAC of `data` under `key` (arguments already validated). */
export function mac(p: Sha2Params, key: Uint8Array, data: Uint8Array): Uint8Array {
  const e = engine();
  const used = key.length + data.length;
  if (used > e.WINDOW_SIZE) return createHmac(p, key).update(data).digest();
  const w = e.WINDOW;
  const mem = e.mem();
  mem.set(key, w);
  mem.set(data, w + key.length);
  e.x.hmac(p.id, w, key.length, w + key.length, data.length, w);
  mem.fill(0, w + p.outputLen, w + Math.max(used, p.outputLen));
  return takeOutput(e, w, p.outputLen);
}

/** HMAC (RFC 2104) of `data` under `key` with SHA-224, SHA-256, SHA-384 or SHA-512. */
function hmacOneShot(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  const p = sha2Params(alg, "hmac");
  return mac(p, bytes(key, "hmac", "key"), bytes(data, "hmac", "data"));
}

export const hmac = Object.assign(hmacOneShot, {
  /** A streaming HMAC: `.update(data)` any number of times, then `.digest()`. */
  create(alg: HashAlgorithm, key: Uint8Array): Hash {
    const p = sha2Params(alg, "hmac");
    return createHmac(p, bytes(key, "hmac", "key"));
  },
});
