/**
 * Reading and opening body frames of one message, given its content key
 * (data-format/message-body.md). `readFramePrefix` finds where a frame ends
 * without decrypting it, and `walkFrames` where a run of frames ends and how
 * much plaintext it holds (so frames can be cut apart and handed to workers,
 * or a whole message's plaintext given one array); `FrameOpener.open`
 * verifies and decrypts one frame with a single AES-GCM call, so no plaintext
 * exists unless the tag verifies, and `openInto` does the same into the
 * caller's array at an offset.
 */
import { AuthenticationError } from "../engine/index.js";
import { type AesGcmKey, aesGcmKey, EngineKey } from "./aes-gcm-key.js";
import { FrameAuthenticationError, MalformedMessageError } from "./errors.js";
import { type BodyKind, FrameCrypto, isFrameIv, MAX_GCM_LENGTH, SEQUENCE_NUMBER_END, TAG_LENGTH } from "./frame.js";
import { CONTENT_NON_FRAMED, type MessageHeader } from "./header.js";
import { isPromise, type MaybePromise } from "./maybe-promise.js";

/** Where a frame's parts lie: `prefix` bytes of framing, `length` of ciphertext, then the tag; `total` in all. */
export interface FramePrefix {
  readonly kind: BodyKind;
  /** The frame's sequence number (1 for a non-framed body). */
  readonly seq: number;
  /** Plaintext (= ciphertext) bytes. */
  readonly length: number;
  readonly prefix: number;
  readonly total: number;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function malformed(why: string): MalformedMessageError {
  return new MalformedMessageError(`malformed message: ${why}`);
}

/**
 * Reads the framing at the start of `bytes` (a frame of `header`'s body).
 * Returns `{ needed }` if `bytes` is too short to tell. Checks the IV and the
 * final frame's length; the caller checks the sequence number's order.
 */
export function readFramePrefix(bytes: Uint8Array, header: MessageHeader, maxLength = 2 ** 32 - 1): FramePrefix | { needed: number } {
  if (header.contentType === CONTENT_NON_FRAMED) {
    if (bytes.length < 20) return { needed: 20 };
    const length = u32(bytes, 12) * 2 ** 32 + u32(bytes, 16);
    if (length > MAX_GCM_LENGTH || length > maxLength) throw malformed(`a non-framed body of ${length} bytes`);
    return { kind: "single", seq: 1, length, prefix: 20, total: 20 + length + TAG_LENGTH };
  }
  if (bytes.length < 4) return { needed: 4 };
  const final = u32(bytes, 0) === SEQUENCE_NUMBER_END;
  const prefix = final ? 24 : 16;
  if (bytes.length < prefix) return { needed: prefix };
  const seq = u32(bytes, final ? 4 : 0);
  const ivEnd = final ? 20 : 16;
  if (!isFrameIv(bytes.subarray(ivEnd - 12, ivEnd), seq)) throw malformed(`frame ${seq} has the wrong IV`);
  const length = final ? u32(bytes, 20) : header.frameLength;
  if (length > header.frameLength) throw malformed(`the final frame holds ${length} bytes, more than the frame length ${header.frameLength}`);
  return { kind: final ? "final" : "regular", seq, length, prefix, total: prefix + length + TAG_LENGTH };
}

/** The frames `walkFrames` found: their framing, their plaintext bytes in all, and where the last one ends. */
export interface FrameRun {
  readonly prefixes: FramePrefix[];
  readonly plaintextLength: number;
  readonly end: number;
}

/**
 * Reads the framing of the frames at the start of `bytes`, numbered from
 * `firstSeq`, up to the final frame (or the non-framed body) or the end of
 * `bytes`, without decrypting anything. Throws MalformedMessageError for a
 * frame that is cut off, out of order, or malformed (readFramePrefix); the
 * caller decides what may follow the last frame.
 */
export function walkFrames(bytes: Uint8Array, header: MessageHeader, firstSeq: number, maxLength?: number): FrameRun {
  const prefixes: FramePrefix[] = [];
  let plaintextLength = 0;
  let off = 0;
  for (let seq = firstSeq; off < bytes.length; seq++) {
    const p = readFramePrefix(bytes.subarray(off), header, maxLength);
    if ("needed" in p || off + p.total > bytes.length) throw malformed("the message ends early (truncated in the body)");
    if (p.seq !== seq) throw malformed(`frame sequence number ${p.seq} where ${seq} was expected`);
    prefixes.push(p);
    plaintextLength += p.length;
    off += p.total;
    if (p.kind !== "regular") break;
  }
  return { prefixes, plaintextLength, end: off };
}

/**
 * The plaintext length of the body at the start of `body` (all the bytes
 * after the header), if its frames are all there and in order and it ends
 * with the final frame (non-framed: the one body); `footer`: a signature may
 * follow it, else nothing may. `undefined` for anything irregular.
 */
export function bodyPlaintextLength(body: Uint8Array, header: MessageHeader, maxFrameLength: number, footer: boolean): number | undefined {
  try {
    const run = walkFrames(body, header, 1, maxFrameLength);
    const last = run.prefixes.at(-1);
    return last && last.kind !== "regular" && (footer || run.end === body.length) ? run.plaintextLength : undefined;
  } catch {
    return undefined;
  }
}

/** What `#open` does for `open`: the frame's plaintext in a new array. */
const openNew = (cipher: AesGcmKey, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array) => cipher.open(iv, sealed, aad);

export class FrameOpener {
  readonly #frames: FrameCrypto;

  private constructor(
    private cipher: AesGcmKey | undefined,
    messageId: Uint8Array,
  ) {
    this.#frames = new FrameCrypto(messageId);
  }

  /** An opener over `contentKey` (copied; the caller may wipe it) for the message with `messageId`. */
  static async create(contentKey: Uint8Array, messageId: Uint8Array): Promise<FrameOpener> {
    return new FrameOpener(await aesGcmKey(contentKey), messageId);
  }

  /** An opener over an AES-GCM key (e.g. the one that verified the header), which it then owns and destroys. */
  static over(cipher: AesGcmKey, messageId: Uint8Array): FrameOpener {
    return new FrameOpener(cipher, messageId);
  }

  /** True when frames open synchronously (256-bit keys, on the engine); WebCrypto keys give promises. */
  get synchronous(): boolean {
    if (!this.cipher) throw new Error("FrameOpener used after destroy()");
    return this.cipher instanceof EngineKey;
  }

  /**
   * Verifies and decrypts one whole frame (`frame.length === p.total`).
   * Synchronous for 256-bit keys (the engine), a promise for legacy 128/192-bit
   * suites (WebCrypto). Throws FrameAuthenticationError if the tag fails.
   */
  open(frame: Uint8Array, p: FramePrefix): MaybePromise<Uint8Array> {
    return this.#open(frame, p, openNew);
  }

  /**
   * `open` into output[offset, offset + p.length); returns p.length. If the
   * tag fails, nothing of the frame's plaintext is left in `output`.
   */
  openInto(frame: Uint8Array, p: FramePrefix, output: Uint8Array, offset: number): MaybePromise<number> {
    return this.#open(frame, p, (cipher, iv, sealed, aad) => cipher.openInto(iv, sealed, aad, output, offset));
  }

  /** Finds the frame's IV, AAD and sealed bytes for `call`, and reports a tag that fails as the frame's. */
  #open<T>(frame: Uint8Array, p: FramePrefix, call: (cipher: AesGcmKey, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array) => MaybePromise<T>): MaybePromise<T> {
    const cipher = this.cipher;
    if (!cipher) throw new Error("FrameOpener used after destroy()");
    const ivEnd = p.kind === "final" ? p.prefix - 4 : p.prefix;
    const iv = p.kind === "single" ? frame.subarray(0, 12) : frame.subarray(ivEnd - 12, ivEnd);
    const aad = this.#frames.aadFor(p.kind, p.seq, p.length);
    let opened: MaybePromise<T>;
    try {
      opened = call(cipher, iv, frame.subarray(p.prefix, p.total), aad);
    } catch (e) {
      throw frameFailure(e, p);
    }
    if (!isPromise(opened)) return opened;
    return opened.catch((e) => {
      throw frameFailure(e, p);
    });
  }

  /** Wipes the key (idempotent). */
  destroy(): void {
    this.cipher?.destroy();
    this.cipher = undefined;
  }
}

/** The error to report for a frame that failed to open. */
function frameFailure(e: unknown, p: FramePrefix): unknown {
  if (!(e instanceof AuthenticationError)) return e;
  return new FrameAuthenticationError(p.kind === "single" ? "the message body does not authenticate" : `frame ${p.seq} (${p.kind}) does not authenticate`);
}
