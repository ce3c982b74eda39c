/**
 * Sealing and opening a run of consecutive frames of one message, given the
 * message's content key and the first frame's sequence number: the unit of
 * work `encryptFile`/`decryptFile` hand to worker threads. Portable itself;
 * the frames are sealed by FrameSealer and read and opened by
 * readFramePrefix/FrameOpener, as `encrypt` and `decryptStream` do, so the
 * bytes are exactly theirs.
 *
 * A sealed batch ends with the final frame when `final` is set; it then
 * carries the bytes after the last whole frame (possibly none, as the
 * one-thread encryptor also writes it). An opened batch is checked as a
 * stream is (sequence numbers in order, IVs, the final frame's length and
 * that it comes last, every tag), and returns its plaintext only if all of
 * its frames verify.
 */
import { MalformedMessageError } from "./errors.js";
import { type FramePrefix, FrameOpener, readFramePrefix } from "./frame-opener.js";
import { FrameSealer, frameSize } from "./frame-sealer.js";
import type { MessageHeader } from "./header.js";

export interface FrameBatch {
  /** The message's 32-byte content key (PreparedMessage.contentKey / OpenedHeader.contentKey). */
  readonly key: Uint8Array;
  readonly messageId: Uint8Array;
  readonly frameLength: number;
  /** Sequence number of the batch's first frame (1 for the first frame of the body). */
  readonly firstSeq: number;
  /** Seal: the plaintext of the batch's frames. Open: the frames as serialized. */
  readonly data: Uint8Array;
  /** Whether the batch ends with the message's final frame. */
  readonly final: boolean;
}

function malformed(why: string): MalformedMessageError {
  return new MalformedMessageError(`malformed message: ${why}`);
}

/** Seals the batch's plaintext into frames; a batch before the final frame must hold whole frames. */
export function sealFrameBatch(batch: FrameBatch): Uint8Array {
  const { data, frameLength: F, final } = batch;
  const full = Math.floor(data.length / F);
  const rest = data.length - full * F;
  if (!final && rest !== 0) throw new RangeError("a batch before the final frame must hold whole frames");
  const out = new Uint8Array(full * frameSize(F, false) + (final ? frameSize(rest, true) : 0));
  const sealer = new FrameSealer(batch.key, batch.messageId, F);
  try {
    let off = 0;
    for (let i = 0; i < full; i++) off += sealer.writeFrame(batch.firstSeq + i, data.subarray(i * F, (i + 1) * F), false, out, off);
    if (final) sealer.writeFrame(batch.firstSeq + full, data.subarray(full * F), true, out, off);
    return out;
  } finally {
    sealer.destroy();
  }
}

/** Opens a batch of serialized frames; returns their plaintext, or throws and returns nothing. */
export async function openFrameBatch(batch: FrameBatch): Promise<Uint8Array> {
  const { data, final } = batch;
  // Only the framing is needed here; readFramePrefix looks at nothing else.
  const header = { contentType: 2, frameLength: batch.frameLength } as MessageHeader;
  const frames: FramePrefix[] = [];
  let size = 0;
  for (let off = 0, seq = batch.firstSeq; off < data.length; seq++) {
    const p = readFramePrefix(data.subarray(off), header);
    if ("needed" in p || off + p.total > data.length) throw malformed("the message ends early (truncated in the body)");
    if (p.seq !== seq) throw malformed(`frame sequence number ${p.seq} where ${seq} was expected`);
    if (p.kind === "final" && (!final || off + p.total !== data.length)) throw malformed(final ? "bytes after the final frame" : "a final frame before the end of the body");
    frames.push(p);
    size += p.length;
    off += p.total;
  }
  if (final && frames.at(-1)?.kind !== "final") throw malformed("the message ends early (truncated in the body)");
  const out = new Uint8Array(size);
  const opener = await FrameOpener.create(batch.key, batch.messageId);
  try {
    for (let i = 0, off = 0, at = 0; i < frames.length; i++) {
      const p = frames[i];
      const opened = opener.open(data.subarray(off, off + p.total), p);
      const plain = opened instanceof Uint8Array ? opened : await opened; // synchronous for 256-bit keys
      out.set(plain, at);
      plain.fill(0);
      off += p.total;
      at += p.length;
    }
    return out;
  } catch (e) {
    out.fill(0);
    throw e;
  } finally {
    opener.destroy();
  }
}
