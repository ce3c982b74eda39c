/**
 * Message body framing (data-format/message-body.md, message-body-aad.md):
 *
 *   regular frame: seq:u32 ‖ iv[12] ‖ ciphertext[frameLength] ‖ tag[16]
 *   final frame:   FFFFFFFF ‖ seq:u32 ‖ iv[12] ‖ length:u32 ‖ ciphertext[length] ‖ tag[16]
 *   non-framed:    iv[12] ‖ length:u64 ‖ ciphertext[length] ‖ tag[16]   (legacy, decrypt only)
 *
 *   IV  = seq, big-endian, right-aligned in 12 zero bytes
 *   AAD = messageId ‖ "AWSKMSEncryptionClient Frame" | "… Final Frame" | "… Single Block"
 *         ‖ seq:u32 ‖ plaintextLength:u64
 *
 * Sequence numbers start at 1 and rise by one; the final frame's is the frame
 * count; at most 2^32 − 1 frames.
 */
const encoder = new TextEncoder();
const REGULAR = encoder.encode("AWSKMSEncryptionClient Frame");
const FINAL = encoder.encode("AWSKMSEncryptionClient Final Frame");
const SINGLE = encoder.encode("AWSKMSEncryptionClient Single Block");

export const SEQUENCE_NUMBER_END = 0xffffffff;
export const MAX_SEQUENCE_NUMBER = 0xffffffff;
/** Bytes before the ciphertext: regular frame (seq ‖ iv), final frame (end ‖ seq ‖ iv ‖ length). */
export const REGULAR_FRAME_PREFIX = 4 + 12;
export const FINAL_FRAME_PREFIX = 4 + 4 + 12 + 4;
export const TAG_LENGTH = 16;
/** SP 800-38D: at most 2^36 − 32 bytes under one IV (bounds the non-framed body). */
export const MAX_GCM_LENGTH = 2 ** 36 - 32;

export type BodyKind = "regular" | "final" | "single";

const LABELS: Record<BodyKind, Uint8Array> = { regular: REGULAR, final: FINAL, single: SINGLE };

interface AadBuffer {
  readonly bytes: Uint8Array;
  /** Offset of seq:u32 ‖ length:u64. */
  readonly at: number;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** Builds frame IVs and AADs for one message, reusing small buffers (each AAD kind's made on first use). */
export class FrameCrypto {
  readonly iv = new Uint8Array(12);
  private regular: AadBuffer | undefined = undefined;
  private final: AadBuffer | undefined = undefined;
  private single: AadBuffer | undefined = undefined;

  constructor(private readonly messageId: Uint8Array) {}

  /** The IV for `seq` (valid until the next call). */
  ivFor(seq: number): Uint8Array {
    putU32(this.iv, 8, seq);
    return this.iv;
  }

  /** The body AAD for a frame (valid until the next call of the same kind). */
  aadFor(kind: BodyKind, seq: number, length: number): Uint8Array {
    const a = (this[kind] ??= this.make(LABELS[kind]));
    putU32(a.bytes, a.at, seq);
    putU32(a.bytes, a.at + 4, Math.floor(length / 2 ** 32));
    putU32(a.bytes, a.at + 8, length >>> 0);
    return a.bytes;
  }

  private make(label: Uint8Array): AadBuffer {
    const id = this.messageId;
    const bytes = new Uint8Array(id.length + label.length + 12);
    bytes.set(id);
    bytes.set(label, id.length);
    return { bytes, at: id.length + label.length };
  }
}

/** True when `iv` is the IV the spec prescribes for `seq`. */
export function isFrameIv(iv: Uint8Array, seq: number): boolean {
  for (let i = 0; i < 8; i++) if (iv[i] !== 0) return false;
  return ((iv[8] << 24) | (iv[9] << 16) | (iv[10] << 8) | iv[11]) >>> 0 === seq;
}
