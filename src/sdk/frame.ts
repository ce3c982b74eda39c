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

/** Room for the longest AAD: a 32-byte message ID, the longest label, seq:u32 ‖ length:u64. */
const aadScratch = new Uint8Array(32 + SINGLE.length + 12);
const ivScratch = new Uint8Array(12);

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/**
 * Builds frame IVs and AADs for one message. They are written into
 * module-wide scratch arrays (public bytes; allocating them per message costs
 * more than writing them), so each is valid only until the next call of the
 * same method on any FrameCrypto: hand it straight to the cipher, which
 * copies it.
 */
export class FrameCrypto {
  constructor(private readonly messageId: Uint8Array) {}

  /** The IV for `seq` (valid until the next `ivFor` call of any FrameCrypto). */
  ivFor(seq: number): Uint8Array {
    putU32(ivScratch, 8, seq);
    return ivScratch;
  }

  /** The body AAD for a frame (valid until the next `aadFor` call of any FrameCrypto). */
  aadFor(kind: BodyKind, seq: number, length: number): Uint8Array {
    const id = this.messageId;
    const label = LABELS[kind];
    const a = aadScratch;
    a.set(id);
    a.set(label, id.length);
    const at = id.length + label.length;
    putU32(a, at, seq);
    putU32(a, at + 4, Math.floor(length / 2 ** 32));
    putU32(a, at + 8, length >>> 0);
    return a.subarray(0, at + 12);
  }
}

/** The v2 header IV: zeros (shared; never written into). */
export const HEADER_IV = new Uint8Array(12);
/** Frames whose IVs a message key prepares: with the header IV, the seven an engine key setup can (see Aes256Gcm). */
const PREPARED_FRAMES = 6;
const FRAME_IVS = Array.from({ length: PREPARED_FRAMES }, (_, i) => {
  const iv = new Uint8Array(12);
  putU32(iv, 8, i + 1);
  return iv;
});
/** [HEADER_IV, IVs of frames 1 … k] for k = 1 … 6. */
const V2_MESSAGE_IVS = FRAME_IVS.map((_, k) => [HEADER_IV, ...FRAME_IVS.slice(0, k + 1)]);

/**
 * The IVs a message's key prepares (Aes256Gcm `ivs`): the header IV, then the
 * first frames' (as many as the body can hold, when its size in bytes is
 * known), so that the header tag and each of those frames skip one AES block.
 * Shared arrays: never write into them.
 */
export function messageIvs(headerIv: Uint8Array, frameLength: number, bodyBytes?: number): readonly Uint8Array[] {
  // Every frame but the final one takes frameLength + 32 bytes, the final one at least 40.
  const fit = bodyBytes === undefined ? PREPARED_FRAMES : Math.floor(bodyBytes / (frameLength + 32)) + 1;
  const frames = Math.max(1, Math.min(PREPARED_FRAMES, fit));
  return headerIv === HEADER_IV || isZero(headerIv) ? V2_MESSAGE_IVS[frames - 1] : [headerIv, ...FRAME_IVS.slice(0, frames)];
}

function isZero(iv: Uint8Array): boolean {
  if (iv.length !== 12) return false;
  for (let i = 0; i < 12; i++) if (iv[i] !== 0) return false;
  return true;
}

/** True when `iv` is the IV the spec prescribes for `seq`. */
export function isFrameIv(iv: Uint8Array, seq: number): boolean {
  for (let i = 0; i < 8; i++) if (iv[i] !== 0) return false;
  return ((iv[8] << 24) | (iv[9] << 16) | (iv[10] << 8) | iv[11]) >>> 0 === seq;
}
