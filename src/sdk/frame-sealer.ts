/**
 * Sealing frames of one message, given its derived content key: the piece of
 * encryption that needs no state beyond the key, the message ID and the
 * sequence number. Frames are independent, so bulk encryption can create one
 * FrameSealer per worker (from `PreparedMessage.contentKey`) and seal
 * different frames in parallel; the caller then writes them out in sequence
 * order (and, for signing suites, hashes them in that order).
 */
import { EngineKey } from "./aes-gcm-key.js";
import { InvalidParameterError } from "./errors.js";
import { FINAL_FRAME_PREFIX, FrameCrypto, MAX_SEQUENCE_NUMBER, REGULAR_FRAME_PREFIX, SEQUENCE_NUMBER_END, TAG_LENGTH } from "./frame.js";

function putU32(out: Uint8Array, at: number, v: number): number {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
  return at + 4;
}

/** Serialized size of a frame carrying `n` plaintext bytes. */
export function frameSize(n: number, final: boolean): number {
  return (final ? FINAL_FRAME_PREFIX : REGULAR_FRAME_PREFIX) + n + TAG_LENGTH;
}

export class FrameSealer {
  #gcm: EngineKey | undefined;
  readonly #frames: FrameCrypto;

  /**
   * @param contentKey the message's derived 32-byte key (copied into the engine; the caller may wipe it),
   *   or an engine key over it, which the sealer then owns (and destroys)
   * @param messageId the header's 32-byte message ID
   * @param frameLength the header's frame length
   */
  constructor(
    contentKey: Uint8Array | EngineKey,
    messageId: Uint8Array,
    readonly frameLength: number,
  ) {
    this.#gcm = contentKey instanceof EngineKey ? contentKey : new EngineKey(contentKey);
    this.#frames = new FrameCrypto(messageId);
  }

  /**
   * Seals frame number `seq` into `out` at `offset`; returns the bytes
   * written (`frameSize(plaintext.length, final)`). Regular frames take
   * exactly `frameLength` bytes of plaintext, the final one at most that.
   */
  writeFrame(seq: number, plaintext: Uint8Array, final: boolean, out: Uint8Array, offset: number): number {
    const gcm = this.#gcm;
    if (!gcm) throw new InvalidParameterError("FrameSealer used after destroy()");
    const n = plaintext.length;
    if (final ? n > this.frameLength : n !== this.frameLength) throw new RangeError("frame length mismatch");
    // Sequence numbers run 1 … 2^32 − 1; a regular frame's must stay below FFFFFFFF, the final-frame marker.
    if (!Number.isInteger(seq) || seq < 1 || (final ? seq > MAX_SEQUENCE_NUMBER : seq >= SEQUENCE_NUMBER_END)) {
      throw new InvalidParameterError("too many frames: at most 2^32 − 1 frames per message");
    }
    const size = frameSize(n, final);
    if (offset + size > out.length) throw new RangeError("frame does not fit in the output");
    const iv = this.#frames.ivFor(seq);
    // seq:u32 ‖ iv ‖ sealed, or FFFFFFFF ‖ seq:u32 ‖ iv ‖ length:u32 ‖ sealed (frame.ts), sealed in place.
    let at = offset;
    if (final) at = putU32(out, at, SEQUENCE_NUMBER_END);
    at = putU32(out, at, seq);
    out.set(iv, at);
    at += iv.length;
    if (final) at = putU32(out, at, n);
    gcm.sealInto(iv, plaintext, this.#frames.aadFor(final ? "final" : "regular", seq, n), out, at);
    return size;
  }

  /** Wipes the key (idempotent). */
  destroy(): void {
    this.#gcm?.destroy();
    this.#gcm = undefined;
  }

  get destroyed(): boolean {
    return this.#gcm === undefined;
  }
}
