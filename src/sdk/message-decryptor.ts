/**
 * The decryption side of one message (client-apis/decrypt.md), fed bytes in
 * pieces of any size and shared by one-shot `decrypt` and `decryptStream`.
 *
 *   header: parse (strictly, waiting for enough bytes), then `openHeaderKey`
 *           (policy, materials, commitment key, header tag); the AES-GCM key
 *           that verified the header tag opens the frames
 *   body:   each frame is checked (sequence number, IV, final frame length)
 *           and opened with one AES-GCM call (FrameOpener), so its plaintext
 *           exists only once its tag has verified; `push` returns it then
 *   footer: signing suites verify ECDSA over the hash of header ‖ body; the
 *           final frame's plaintext is held back until that succeeds
 *           (regular frames are released as they verify, as the ESDK does:
 *           a caller must not treat them as signed before `end()` resolves)
 *
 * Nothing is awaited unless it has to be (`feed`): with materials from a
 * cache, a 256-bit key and no signature, a whole message is read in one
 * synchronous call.
 *
 * One-shot decryption passes the whole message to the constructor; signed
 * messages are then verified with WebCrypto over those bytes at the end
 * instead of being hashed piece by piece (see signature.ts). Its body's
 * plaintext length is then known from the framing before any frame is
 * opened (bodyPlaintextLength), so every frame is opened straight into one
 * array of that length, which is released whole at the end (the result of
 * `decrypt`, without a copy); a body that is irregular in any way is read
 * frame by frame as a stream is, which reports what is wrong.
 *
 * At most one frame is buffered (plus the header). Any error is final: the
 * key is wiped, held plaintext is wiped, and later calls throw.
 */
import type { Hash } from "../engine/index.js";
import { ciphertextOutput } from "../engine/output-pool.js";
import { ChunkQueue } from "./chunk-queue.js";
import { MalformedMessageError, SdkError } from "./errors.js";
import { bodyPlaintextLength, FrameOpener, type FramePrefix, readFramePrefix } from "./frame-opener.js";
import { type MessageHeader, type ParsedHeader, parseHeader } from "./header.js";
import { isPromise, type MaybePromise } from "./maybe-promise.js";
import { type OpenedHeaderKey, openHeaderKey } from "./open-header.js";
import type { DecryptSettings } from "./options.js";
import { checkSignatureLength, signatureHash, verifyDigest, verifyMessage } from "./signature.js";

type Stage = "header" | "body" | "footer" | "done" | "failed";

/** The length of the last header read, for the size of the next header's first copy. */
let typicalHeaderLength = 1024;

function malformed(why: string): MalformedMessageError {
  return new MalformedMessageError(`malformed message: ${why}`);
}

export class MessageDecryptor {
  #stage: Stage = "header";
  readonly #queue = new ChunkQueue();
  readonly #settings: DecryptSettings;
  #header: MessageHeader | undefined;
  #headerNeeded = 1;
  #headerPeek = 0;
  #opener: FrameOpener | undefined;
  #hash: Hash | undefined;
  #verificationKey: Uint8Array | undefined;
  #seq = 1;
  /** Plaintext held back: the final frame's until the signature verifies, or (#heldAt ≥ 0) the one-shot body. */
  #held: Uint8Array | undefined;
  /** Where the next frame's plaintext goes in #held when frames are opened into it; -1 when each frame gets its own array. */
  #heldAt = -1;
  #error: unknown;
  readonly #wholeMessage: Uint8Array | undefined;
  /** Bytes of the message consumed so far (header and whole frames). */
  #consumed = 0;

  /** @param wholeMessage the complete message, when it will be pushed in one piece (one-shot decrypt). */
  constructor(settings: DecryptSettings, wholeMessage?: Uint8Array) {
    this.#settings = settings;
    this.#wholeMessage = wholeMessage;
  }

  /** The verified header, once it has been read. */
  get header(): MessageHeader | undefined {
    return this.#header;
  }

  /** Feeds message bytes; returns the plaintext that may now be released. */
  async push(chunk: Uint8Array): Promise<Uint8Array[]> {
    return this.feed(chunk, false);
  }

  /** Signals the end of the message; returns the last plaintext, or throws if the message is incomplete or bad. */
  async end(): Promise<Uint8Array[]> {
    return this.feed(undefined, true);
  }

  /**
   * `push(chunk)` (if given), then `end()` if `end` is set, synchronously
   * while nothing needs awaiting (materials from a cache, 256-bit keys, no
   * signature): the one-shot `decrypt` runs a small message without a single
   * await. Returns the plaintext to release; on failure wipes it and throws.
   */
  feed(chunk: Uint8Array | undefined, end: boolean): MaybePromise<Uint8Array[]> {
    this.#checkUsable();
    const out: Uint8Array[] = [];
    try {
      if (chunk) this.#queue.push(chunk);
      const pending = this.#run(out, end);
      if (!pending) return out;
      return pending.then(
        () => out,
        (e) => this.#fail(e, out),
      );
    } catch (e) {
      return this.#fail(e, out);
    }
  }

  /** Abandons the message: wipes the key and any held plaintext. */
  destroy(): void {
    this.#opener?.destroy();
    this.#opener = undefined;
    this.#held?.fill(0);
    this.#held = undefined;
  }

  #checkUsable(): void {
    if (this.#stage === "failed") {
      throw new SdkError(`this message already failed: ${this.#error instanceof Error ? this.#error.message : String(this.#error)}`);
    }
  }

  #fail(e: unknown, out: Uint8Array[]): never {
    this.#stage = "failed";
    this.#error = e;
    this.destroy();
    for (const p of out) p.fill(0);
    throw e;
  }

  /** Processes what the queue holds; a promise only if some step had to wait. */
  #run(out: Uint8Array[], end: boolean): Promise<void> | undefined {
    for (;;) {
      const step = this.#step(out);
      if (step === false) break;
      if (step !== true) return step.then((progressed) => (progressed ? this.#run(out, end) : this.#checkEnd(end)));
    }
    this.#checkEnd(end);
    return undefined;
  }

  #checkEnd(end: boolean): void {
    if (end && this.#stage !== "done") throw malformed(`the message ends early (truncated in the ${this.#stage})`);
  }

  /** One step of the current stage: true if it moved on, false if it needs more bytes. */
  #step(out: Uint8Array[]): MaybePromise<boolean> {
    switch (this.#stage) {
      case "header":
        return this.#readHeader();
      case "body":
        return this.#readBody(out); // a promise only for WebCrypto keys: no await per frame otherwise
      case "footer":
        return this.#readFooter(out);
      default:
        if (this.#queue.length > 0) throw malformed("bytes after the end of the message");
        return false;
    }
  }

  #readHeader(): MaybePromise<boolean> {
    const q = this.#queue;
    const max = this.#settings.maxEncryptedDataKeys;
    let parsed;
    for (;;) {
      if (q.length < this.#headerNeeded) return false;
      // Copy as much as the last header took (headers from one producer tend to repeat), growing geometrically.
      const size = Math.min(q.length, Math.max(this.#headerNeeded, 2 * this.#headerPeek, typicalHeaderLength));
      this.#headerPeek = size;
      // Parse an own copy (the input chunks belong to the caller): the header's fields are views into it.
      // Public bytes, so small copies come from the engine's shared slab of public outputs.
      const copy = ciphertextOutput(size);
      copy.set(q.peek(size));
      const r = parseHeader(copy, max);
      if (!("needed" in r)) {
        parsed = r;
        break;
      }
      if (size === q.length && r.needed <= size) throw malformed("header parser made no progress");
      this.#headerNeeded = r.needed;
    }
    typicalHeaderLength = parsed.length;
    q.consume(parsed.length);
    this.#consumed += parsed.length;
    const read = parsed;
    const whole = this.#wholeMessage;
    const opened = openHeaderKey(this.#settings, read, whole && whole.length - this.#consumed);
    if (isPromise(opened)) return opened.then((o) => this.#startBody(read, o));
    return this.#startBody(read, opened);
  }

  #startBody(parsed: ParsedHeader, { cipher, verificationKey }: OpenedHeaderKey): true {
    const { header } = parsed;
    this.#opener = FrameOpener.over(cipher, header.messageId);
    const sig = header.suite.signature;
    if (sig) {
      this.#verificationKey = verificationKey;
      // Hash header body ‖ authentication: `parsed.length` bytes from where the body starts.
      if (!this.#wholeMessage) this.#hash = signatureHash(sig).update(new Uint8Array(parsed.body.buffer, parsed.body.byteOffset, parsed.length));
    }
    this.#header = header;
    this.#stage = "body";
    const whole = this.#wholeMessage;
    const size = whole && bodyPlaintextLength(whole.subarray(this.#consumed), header, this.#settings.maxFrameLength, sig !== undefined);
    if (size !== undefined) {
      this.#held = new Uint8Array(size);
      this.#heldAt = 0;
    }
    return true;
  }

  /**
   * Reads and opens the next frame if it is all here. Synchronous with the
   * engine's AES-256 (no await per frame); a promise only for WebCrypto keys.
   */
  #readBody(out: Uint8Array[]): boolean | Promise<boolean> {
    const q = this.#queue;
    const header = this.#header!;
    // Every frame's framing fits in 24 bytes.
    const p = readFramePrefix(q.peek(Math.min(q.length, 24)), header, this.#settings.maxFrameLength);
    if ("needed" in p) return false;
    if (p.seq !== this.#seq) throw malformed(`frame sequence number ${p.seq} where ${this.#seq} was expected`);
    if (q.length < p.total) return false;
    const frame = q.peek(p.total);
    this.#hash?.update(frame);
    const opener = this.#opener!;
    if (this.#heldAt >= 0) this.#checkFits(p);
    const opened = this.#heldAt < 0 ? opener.open(frame, p) : opener.openInto(frame, p, this.#held!, this.#heldAt);
    const prefix = p;
    if (!isPromise(opened)) return this.#release(opened, prefix, out);
    return opened.then((plaintext) => this.#release(plaintext, prefix, out));
  }

  /**
   * With the body's plaintext array sized from its framing up front: the frame
   * must fill it in order, the last one exactly to its end. Only a message
   * whose bytes changed while it was being read (a caller's SharedArrayBuffer,
   * or code running while a WebCrypto frame was awaited) can fail this.
   */
  #checkFits(p: FramePrefix): void {
    const end = this.#heldAt + p.length;
    const size = this.#held!.length;
    if (p.kind === "regular" ? end > size : end !== size) throw malformed("the message changed while it was being decrypted");
  }

  /**
   * Moves past a verified frame (its plaintext, or its length when it was
   * opened into #held) and decides what of its plaintext may go out now.
   */
  #release(plaintext: Uint8Array | number, { kind, total }: FramePrefix, out: Uint8Array[]): true {
    this.#queue.consume(total);
    this.#consumed += total;
    this.#seq++;
    const signed = this.#header!.suite.signature !== undefined;
    if (typeof plaintext === "number") this.#heldAt += plaintext;
    else if (kind !== "regular" && signed) this.#held = plaintext;
    else if (plaintext.length) out.push(plaintext);
    if (kind === "regular") return true;
    if (signed) this.#stage = "footer";
    else this.#releaseHeld(out);
    return true;
  }

  async #readFooter(out: Uint8Array[]): Promise<boolean> {
    const q = this.#queue;
    const sig = this.#header!.suite.signature!;
    if (q.length < 2) return false;
    const p = q.peek(2);
    const n = (p[0] << 8) | p[1];
    checkSignatureLength(sig, n);
    if (q.length < 2 + n) return false;
    const signature = q.peek(2 + n).subarray(2);
    if (this.#wholeMessage) {
      await verifyMessage(sig, this.#verificationKey!, this.#wholeMessage.subarray(0, this.#consumed), signature);
    } else {
      verifyDigest(sig, this.#verificationKey!, this.#hash!.digest(), signature);
    }
    q.consume(2 + n);
    this.#consumed += 2 + n;
    this.#releaseHeld(out);
    return true;
  }

  /** The message is done: what was held back goes out, and the key is wiped. */
  #releaseHeld(out: Uint8Array[]): void {
    const held = this.#held;
    this.#held = undefined;
    if (held?.length) out.push(held);
    this.#finishKey();
    this.#stage = "done";
  }

  #finishKey(): void {
    this.#opener?.destroy();
    this.#opener = undefined;
  }
}
