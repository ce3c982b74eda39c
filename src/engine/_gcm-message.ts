/**
 * The message paths of Aes256Gcm (aes256gcm.ts) through the engine's I/O
 * window, given a key slot and checked arguments:
 *
 *   one call  [iv | aad | message | tag] fit in the window: one engine call
 *             seals or opens in place there (gcm_seal / gcm_open), and an
 *             opened message is copied out only once its tag has verified
 *   streamed  larger messages: J0 and the AAD first (startMessage, shared with
 *             the streaming encryptor/decryptor), then the message window by
 *             window, then the tag
 *
 * Both leave nothing of a message in the window. The caller checks the key,
 * the tag length, `sealed` (ciphertextLength) and the room in the output; IVs,
 * AAD and overlaps are checked here.
 */
import { checkIvAndAad, checkLength } from "./_gcm-checks.js";
import { bytes } from "./validate.js";
import { engine, feedWindow, type Engine } from "./wasm.js";

/** Thrown when a GCM tag does not verify. */
export class AuthenticationError extends Error {
  constructor(message = "AES-GCM authentication failed: the ciphertext, IV, AAD, tag or key is wrong") {
    super(message);
    this.name = "AuthenticationError";
  }
}

/** Lays out [iv | aad | message] at the start of the window for a one-call seal/open; returns where aad and message start. */
function stageInWindow(e: Engine, iv: Uint8Array, aad: Uint8Array, message: Uint8Array): { mem: Uint8Array; a: number; m: number } {
  const mem = e.mem();
  const a = e.WINDOW + iv.length;
  const m = a + aad.length;
  mem.set(iv, e.WINDOW);
  mem.set(aad, a);
  mem.set(message, m);
  return { mem, a, m };
}

/**
 * Throws unless `output` (written from `offset`, `outputLength` bytes) and
 * `input` (`inputLength` bytes) are apart or start at the same byte: a
 * streamed call reads the input chunk by chunk, so an output ahead of or
 * behind it would overwrite input not yet read.
 */
function checkOverlap(
  input: Uint8Array, inputLength: number, output: Uint8Array, offset: number, outputLength: number, where: string, name: string,
): void {
  const start = output.byteOffset + offset;
  const from = input.byteOffset;
  if (input.buffer === output.buffer && start !== from && start < from + inputLength && from < start + outputLength) {
    throw new RangeError(`${where}: output overlaps the ${name} (other than in place)`);
  }
}

/**
 * Seals into out[offset …] (room, plaintext and tag length already checked by
 * the caller): in one engine call through the window when everything fits,
 * else streamed.
 */
export function sealTo(
  key: number, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | undefined, tagLength: number,
  out: Uint8Array, offset: number, where: string,
): void {
  aad = checkIvAndAad(iv, aad, where);
  checkLength(plaintext.length, where);
  const e = engine();
  const x = e.x;
  const n = plaintext.length;
  const W = e.WINDOW;
  if (iv.length + aad.length + n + 16 <= e.WINDOW_SIZE) {
    // One call: [iv | aad | message | tag] in the window. The plaintext is
    // overwritten in place by ciphertext, so nothing secret is left behind.
    const { mem, a, m } = stageInWindow(e, iv, aad, plaintext);
    x.gcm_seal(key, e.GCM_CTX, W, iv.length, a, aad.length, m, n, m + n);
    out.set(mem.subarray(m, m + n + tagLength), offset);
    return;
  }
  // Streamed through the window, chunk by chunk.
  checkOverlap(plaintext, n, out, offset, n + tagLength, where, "plaintext");
  const ctx = e.GCM_CTX;
  startMessage(e, key, ctx, iv, aad);
  feedWindow(e, plaintext, (p, len) => x.gcm_encrypt(key, ctx, p, len), offset === 0 && out.length === n + tagLength ? out : out.subarray(offset));
  x.gcm_tag(key, ctx, e.GCM_STAGE);
  out.set(e.mem().subarray(e.GCM_STAGE, e.GCM_STAGE + tagLength), offset + n);
  e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 16);
}

/** Checks `sealed` (ciphertext ‖ tag) against the tag length; returns the ciphertext length. */
export function ciphertextLength(sealed: Uint8Array, tagLength: number, where: string): number {
  bytes(sealed, where, "sealed");
  if (sealed.length < tagLength) {
    throw new RangeError(`${where}: sealed must be at least ${tagLength} bytes (the tag), got ${sealed.length}`);
  }
  const n = sealed.length - tagLength;
  checkLength(n, where);
  return n;
}

/**
 * Opens `sealed` (n bytes of ciphertext ‖ tag, checked by ciphertextLength)
 * into out[offset, offset + n) (room checked by the caller); throws
 * AuthenticationError, with nothing of the plaintext left in `out` or the
 * window, when the tag does not verify.
 */
export function openTo(
  key: number, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array | undefined, tagLength: number,
  out: Uint8Array, offset: number, where: string,
): void {
  aad = checkIvAndAad(iv, aad, where);
  const e = engine();
  const x = e.x;
  const n = sealed.length - tagLength;
  const W = e.WINDOW;
  if (iv.length + aad.length + sealed.length <= e.WINDOW_SIZE) {
    // One call: `out` is written only once the tag has verified.
    const { mem, a, m } = stageInWindow(e, iv, aad, sealed);
    const ok = x.gcm_open(key, e.GCM_CTX, W, iv.length, a, aad.length, m, n, m + n, tagLength);
    if (ok) out.set(mem.subarray(m, m + n), offset);
    mem.fill(0, W, m + sealed.length);
    if (!ok) throw new AuthenticationError();
    return;
  }
  // Streamed: the plaintext goes out before the tag is checked, which only
  // this synchronous call can see (JS runs one thing at a time), and is wiped
  // if the tag fails. Memory other threads can read (a SharedArrayBuffer)
  // gets it only after the tag verifies, through a private array.
  checkOverlap(sealed, sealed.length, out, offset, n, where, "sealed message");
  const ctx = e.GCM_CTX;
  startMessage(e, key, ctx, iv, aad);
  const shared = !(out.buffer instanceof ArrayBuffer);
  const to = shared ? new Uint8Array(n) : offset === 0 && out.length === n ? out : out.subarray(offset, offset + n);
  feedWindow(e, sealed.subarray(0, n), (p, len) => x.gcm_decrypt(key, ctx, p, len), to);
  e.mem().set(sealed.subarray(n), e.GCM_STAGE);
  const ok = x.gcm_verify(key, ctx, e.GCM_STAGE, tagLength);
  e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 16);
  if (!ok) {
    to.fill(0);
    throw new AuthenticationError();
  }
  if (shared) {
    out.set(to, offset);
    to.fill(0);
  }
}

/** Starts a message in context `ctx`: J0 from the IV, then the AAD. */
export function startMessage(e: Engine, key: number, ctx: number, iv: Uint8Array, aad: Uint8Array): void {
  const x = e.x;
  if (iv.length === 12) {
    e.mem().set(iv, e.GCM_STAGE);
    x.gcm_iv96(key, ctx, e.GCM_STAGE);
  } else {
    x.gcm_reset(ctx);
    feedWindow(e, iv, (p, n) => x.gcm_absorb(key, ctx, p, n));
    x.gcm_iv_finish(key, ctx);
  }
  feedWindow(e, aad, (p, n) => x.gcm_absorb(key, ctx, p, n));
}
