/**
 * Sealing and opening a run of consecutive frames of one message, given a
 * FrameSealer / FrameOpener over the message's content key and the first
 * frame's sequence number: the unit of work `encryptFile`/`decryptFile` do on
 * each thread (file-frame-job.node.ts). Portable itself; the frames are
 * sealed by FrameSealer and read and opened by walkFrames/FrameOpener (each
 * frame straight into the output), as `encrypt` and `decrypt` do, so the
 * bytes are exactly theirs.
 *
 * A sealed run ends with the final frame when `final` is set; it then
 * carries the bytes after the last whole frame (possibly none, as the
 * one-thread encryptor also writes it). An opened run is checked as a stream
 * is (sequence numbers in order, IVs, the final frame's length and that it
 * comes last, every tag), and gives its plaintext only if all of its frames
 * verify. Both write into a buffer the caller reuses, so a thread going
 * through many runs allocates nothing per run.
 */
import { MalformedMessageError } from "./errors.js";
import { type FrameOpener, walkFrames } from "./frame-opener.js";
import { type FrameSealer, frameSize } from "./frame-sealer.js";
import type { MessageHeader } from "./header.js";

/** Serialized size of a run sealing `plaintextLength` bytes (`final`: the last frame is the final frame). */
export function sealedRunSize(plaintextLength: number, frameLength: number, final: boolean): number {
  const full = Math.floor(plaintextLength / frameLength);
  return full * frameSize(frameLength, false) + (final ? frameSize(plaintextLength - full * frameLength, true) : 0);
}

function malformed(why: string): MalformedMessageError {
  return new MalformedMessageError(`malformed message: ${why}`);
}

/**
 * Seals `plaintext` as frames `firstSeq`, `firstSeq + 1`, … into `out` (from
 * offset 0); returns the bytes written. A run before the final frame must
 * hold whole frames.
 */
export function sealFrames(sealer: FrameSealer, firstSeq: number, plaintext: Uint8Array, final: boolean, out: Uint8Array): number {
  const F = sealer.frameLength;
  const full = Math.floor(plaintext.length / F);
  if (!final && full * F !== plaintext.length) throw new RangeError("a run before the final frame must hold whole frames");
  if (sealedRunSize(plaintext.length, F, final) > out.length) throw new RangeError("the sealed frames do not fit in the output");
  let off = 0;
  for (let i = 0; i < full; i++) off += sealer.writeFrame(firstSeq + i, plaintext.subarray(i * F, (i + 1) * F), false, out, off);
  if (final) off += sealer.writeFrame(firstSeq + full, plaintext.subarray(full * F), true, out, off);
  return off;
}

/**
 * Opens the serialized frames in `frames` (numbered from `firstSeq`, all of
 * them, ending with the final frame when `final` is set) into `out` (from
 * offset 0); returns the plaintext length. Throws, leaving `out` wiped, unless
 * every frame is well formed and verifies. 256-bit keys only (the engine opens
 * synchronously).
 */
export function openFrames(opener: FrameOpener, frameLength: number, firstSeq: number, frames: Uint8Array, final: boolean, out: Uint8Array): number {
  // Only the framing is needed here; readFramePrefix looks at nothing else.
  const header = { contentType: 2, frameLength } as MessageHeader;
  const { prefixes, plaintextLength: size, end } = walkFrames(frames, header, firstSeq);
  const last = prefixes.at(-1);
  if (last?.kind === "final" && !final) throw malformed("a final frame before the end of the body");
  if (end !== frames.length) throw malformed("bytes after the final frame");
  if (final && last?.kind !== "final") throw malformed("the message ends early (truncated in the body)");
  if (size > out.length) throw new RangeError("the opened frames do not fit in the output");
  try {
    // A WebCrypto key would write into `out` later, after a failure had wiped it.
    if (prefixes.length > 0 && !opener.synchronous) throw new TypeError("openFrames takes 256-bit keys only");
    for (let i = 0, off = 0, at = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      // Straight into `out` (synchronously, as checked): a frame whose tag
      // fails leaves nothing there, and the catch wipes the frames before it.
      at += opener.openInto(frames.subarray(off, off + p.total), p, out, at) as number;
      off += p.total;
    }
    return size;
  } catch (e) {
    out.fill(0, 0, size);
    throw e;
  }
}
