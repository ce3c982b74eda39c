/**
 * The body of one message as a job over two open files, which any number of
 * threads work on together without passing data between them (Node).
 *
 * Frames have a fixed size, so where every frame lies in the plaintext and in
 * the message is known from the layout alone (F = frame length, R = F + 32,
 * the size of a regular frame, N = the number of regular frames):
 *
 *   frame i ≤ N:         plaintext (i − 1)·F,  F bytes;  message bodyStart + (i − 1)·R,  R bytes
 *   final frame N + 1:   plaintext N·F,  finalLength bytes;  message bodyStart + N·R,  24 + finalLength + 16
 *
 * The frames are grouped into chunks of about CHUNK_BYTES. A thread claims the
 * next chunk from a counter shared by every thread of the job (`Atomics.add`
 * on a SharedArrayBuffer, so a faster thread simply takes more chunks), reads
 * the chunk's range of the input file at its offset, seals or opens it
 * (frame-batch.ts) and writes the result at its offset in the output file.
 * File descriptors belong to the process, so worker threads use the ones the
 * calling thread opened; what crosses threads is only the job (key, message
 * id, layout, descriptors, the shared counter) and which chunks are done.
 * Setting the shared stop flag (an abort, a failure on any thread) makes every
 * thread stop before its next chunk.
 */
import { readSync, writeSync } from "node:fs";
import { MalformedMessageError } from "./errors.js";
import { openFrames, sealFrames } from "./frame-batch.js";
import { FrameOpener } from "./frame-opener.js";
import { FrameSealer, frameSize } from "./frame-sealer.js";

/** Bytes of message per chunk (whole frames, at least one): small enough for the buffers to stay in cache, and for threads to finish together. */
const CHUNK_BYTES = 256 << 10;

/** Where the frames of one message lie (see the top of this file). */
export interface FrameLayout {
  readonly frameLength: number;
  readonly regularFrames: number;
  /** Plaintext bytes in the final frame (0 … frameLength). */
  readonly finalLength: number;
  /** Offset of the first frame in the message: the header's length. */
  readonly bodyStart: number;
}

export interface FileFrameJob {
  /** seal: the input is plaintext and the output the message; open: the other way round. */
  readonly mode: "seal" | "open";
  /** The message's 32-byte content key. */
  readonly key: Uint8Array;
  readonly messageId: Uint8Array;
  readonly layout: FrameLayout;
  readonly inputFd: number;
  readonly outputFd: number;
  /** [next chunk to claim, stop flag], shared by every thread (newJobBoard). */
  readonly board: Int32Array;
}

/** One chunk: its frames, and its ranges of plaintext and of message. */
export interface ChunkSpan {
  readonly firstSeq: number;
  /** Whether the chunk ends with the final frame. */
  readonly final: boolean;
  readonly plaintextAt: number;
  readonly plaintextLength: number;
  readonly messageAt: number;
  readonly messageLength: number;
}

const NEXT = 0;
const STOP = 1;

export function newJobBoard(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/** Makes every thread of the job stop before its next chunk. */
export function stopJob(board: Int32Array): void {
  Atomics.store(board, STOP, 1);
}

function framesPerChunk(frameLength: number): number {
  return Math.max(1, Math.floor(CHUNK_BYTES / frameSize(frameLength, false)));
}

export function chunkCount(layout: FrameLayout): number {
  return Math.ceil((layout.regularFrames + 1) / framesPerChunk(layout.frameLength));
}

export function chunkSpan(layout: FrameLayout, chunk: number): ChunkSpan {
  const { frameLength: F, regularFrames: N, finalLength, bodyStart } = layout;
  const per = framesPerChunk(F);
  const firstSeq = chunk * per + 1;
  const lastSeq = Math.min(firstSeq + per - 1, N + 1);
  const final = lastSeq === N + 1;
  const regular = lastSeq - firstSeq + (final ? 0 : 1);
  return {
    firstSeq,
    final,
    plaintextAt: (firstSeq - 1) * F,
    plaintextLength: regular * F + (final ? finalLength : 0),
    messageAt: bodyStart + (firstSeq - 1) * frameSize(F, false),
    messageLength: regular * frameSize(F, false) + (final ? frameSize(finalLength, true) : 0),
  };
}

/** The largest chunk's plaintext and message lengths: the first, or the last (a full final frame is 8 bytes longer than a regular one). */
function largestChunk(layout: FrameLayout): { plaintext: number; message: number } {
  const first = chunkSpan(layout, 0);
  const last = chunkSpan(layout, chunkCount(layout) - 1);
  return { plaintext: Math.max(first.plaintextLength, last.plaintextLength), message: Math.max(first.messageLength, last.messageLength) };
}

/** Whether the job has been stopped. */
export function jobStopped(board: Int32Array): boolean {
  return Atomics.load(board, STOP) !== 0;
}

/** Claims the job's next chunk; -1 when none is left or the job is stopped. */
function claimChunk(job: FileFrameJob): number {
  if (jobStopped(job.board)) return -1;
  const chunk = Atomics.add(job.board, NEXT, 1);
  return chunk < chunkCount(job.layout) ? chunk : -1;
}

function readFully(fd: number, into: Uint8Array, length: number, position: number): void {
  for (let off = 0; off < length; ) {
    const n = readSync(fd, into, off, length - off, position + off);
    if (n === 0) throw new MalformedMessageError("the input file shrank while it was being read");
    off += n;
  }
}

function writeFully(fd: number, bytes: Uint8Array, length: number, position: number): void {
  for (let off = 0; off < length; ) off += writeSync(fd, bytes, off, length - off, position + off);
}

/** Seals or opens chunks of one job on this thread, reusing one input and one output buffer. */
class ChunkRunner {
  private constructor(
    readonly job: FileFrameJob,
    readonly cipher: FrameSealer | FrameOpener,
    readonly input: Uint8Array,
    readonly output: Uint8Array,
  ) {}

  static async create(job: FileFrameJob): Promise<ChunkRunner> {
    const largest = largestChunk(job.layout);
    const [inLength, outLength] = job.mode === "seal" ? [largest.plaintext, largest.message] : [largest.message, largest.plaintext];
    const [input, output] = [new Uint8Array(inLength), new Uint8Array(outLength)];
    const cipher = job.mode === "seal" ? new FrameSealer(job.key, job.messageId, job.layout.frameLength) : await FrameOpener.create(job.key, job.messageId);
    return new ChunkRunner(job, cipher, input, output);
  }

  run(chunk: number): void {
    const { job, cipher, input, output } = this;
    const s = chunkSpan(job.layout, chunk);
    if (cipher instanceof FrameSealer) {
      readFully(job.inputFd, input, s.plaintextLength, s.plaintextAt);
      const n = sealFrames(cipher, s.firstSeq, input.subarray(0, s.plaintextLength), s.final, output);
      writeFully(job.outputFd, output, n, s.messageAt);
    } else {
      readFully(job.inputFd, input, s.messageLength, s.messageAt);
      const n = openFrames(cipher, job.layout.frameLength, s.firstSeq, input.subarray(0, s.messageLength), s.final, output);
      if (n !== s.plaintextLength) throw new MalformedMessageError("the input file changed while it was being read");
      writeFully(job.outputFd, output, n, s.plaintextAt);
    }
  }

  /** Wipes the key and the plaintext buffer. */
  destroy(): void {
    this.cipher.destroy();
    (this.job.mode === "seal" ? this.input : this.output).fill(0);
  }
}

/** A failure while running `chunk` (the job has been stopped). */
export class ChunkFailure {
  constructor(
    readonly chunk: number,
    readonly cause: unknown,
  ) {}
}

/**
 * Works on `job` on this thread: claims chunks and runs them until none is
 * left or the job is stopped, calling `afterChunk` after each (awaited only if
 * it returns a promise). Returns how many chunks this thread did; on a failure
 * stops the job and throws a ChunkFailure.
 */
export async function workOnJob(job: FileFrameJob, afterChunk: (chunk: number) => void | Promise<void>): Promise<number> {
  let runner: ChunkRunner;
  try {
    runner = await ChunkRunner.create(job);
  } catch (e) {
    stopJob(job.board);
    throw new ChunkFailure(-1, e);
  }
  let done = 0;
  let chunk = -1;
  try {
    while ((chunk = claimChunk(job)) >= 0) {
      runner.run(chunk);
      done++;
      const waiting = afterChunk(chunk);
      if (waiting) await waiting;
    }
    return done;
  } catch (e) {
    stopJob(job.board);
    throw new ChunkFailure(chunk, e);
  } finally {
    runner.destroy();
  }
}
