/**
 * Bulk encryption of files (Node): `encryptFile` / `decryptFile` spread the
 * frames of one message over worker threads (frame-workers.node.ts).
 *
 *   await encryptFile("big.tar", "big.tar.enc", { keyring, encryptionContext: { purpose: "backup" } });
 *   const { header } = await decryptFile("big.tar.enc", "big.tar", { keyring });
 *
 * The message is the one `encrypt` would write (same header, same framing,
 * readable by the ESDKs and by `decrypt`/`decryptStream`): the header is
 * built by the SDK's `prepareMessage` and opened by its `openHeader` (with
 * every check: commitment policy, key commitment, header tag), which hand
 * over the message's content key.
 *
 * Frames have a fixed size, so where each one lies in the input and in the
 * output is computed up front (file-frame-job.node.ts): when encrypting from
 * the input's size; when decrypting from the header and the final frame,
 * found by reading a few bytes where the size says it can start. The worker
 * threads then read, seal/open and write their chunks of frames themselves,
 * at those offsets, and this thread only waits: no data crosses threads.
 * Small inputs (and `workers: 0`) run the same job on the calling thread.
 * Signing suites hash the message body in order on this thread, reading it
 * back from the output (encrypting, as chunks are reported done) or from the
 * input (decrypting, alongside the workers).
 *
 * The output goes to a temporary file renamed into place only once the whole
 * message is written (and, when decrypting, every frame and the signature
 * have verified), so a failure never leaves a partial output file.
 *
 * Messages the frame jobs cannot take (non-framed bodies, suites with 128/192-bit
 * keys: v1 messages under REQUIRE_ENCRYPT_ALLOW_DECRYPT) are decrypted on one
 * thread with `decryptStream`, into the same kind of temporary file.
 */
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import type { Hash } from "../engine/index.js";
import { writeAtomically } from "./atomic-output.node.js";
import { MalformedMessageError } from "./errors.js";
import { type FileFrameJob, type FrameLayout, chunkCount, chunkSpan, jobStopped, newJobBoard, stopJob } from "./file-frame-job.node.js";
import { FINAL_FRAME_PREFIX, SEQUENCE_NUMBER_END } from "./frame.js";
import { frameSize } from "./frame-sealer.js";
import { defaultFrameWorkers, runFileFrameJob } from "./frame-workers.node.js";
import { CONTENT_FRAMED, type MessageHeader, parseHeader } from "./header.js";
import type { Keyring, MaterialsManager } from "./materials.js";
import { messageFooter, prepareMessage } from "./message-encryptor.js";
import { nodeReadableToWeb } from "./node-streams.node.js";
import { openHeader } from "./open-header.js";
import { type DecryptOptions, decryptSettings, type EncryptOptions, encryptSettings } from "./options.js";
import { checkSignatureLength, maxSignatureLength, signatureHash, verifyDigest } from "./signature.js";
import { decryptStream } from "./streams.js";

/** Inputs up to this size are done on the calling thread (starting workers would cost more). */
const INLINE_BYTES = 2 << 20;

interface FileOptions {
  /** The keyring, or a materials manager (e.g. a CachingMaterialsManager). */
  keyring: Keyring | MaterialsManager;
  /** Worker threads (default: one per CPU, at most 8); 0 does everything on the calling thread. */
  workers?: number;
  /** Called as the input is consumed: bytes of the input done so far, and its size. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the operation (the output is not created). */
  signal?: AbortSignal;
  /** Flush the output to the disk before renaming it into place (default true). */
  durable?: boolean;
}

export type EncryptFileOptions = FileOptions & EncryptOptions;
export type DecryptFileOptions = FileOptions & DecryptOptions;

export interface FileResult {
  header: MessageHeader;
  /** Bytes read from the input and written to the output. */
  bytesIn: number;
  bytesOut: number;
}

/** Reads `length` bytes of `file` at `position` into `into` (a new array by default). */
async function readAt(file: FileHandle, position: number, length: number, into = new Uint8Array(length)): Promise<Uint8Array> {
  for (let off = 0; off < length; ) {
    const { bytesRead } = await file.read(into, off, length - off, position + off);
    if (bytesRead === 0) throw new MalformedMessageError("the input file shrank while it was being read");
    off += bytesRead;
  }
  return into.subarray(0, length);
}

async function writeAt(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let off = 0; off < bytes.length; ) off += (await file.write(bytes, off, bytes.length - off, position + off)).bytesWritten;
}

function threadsFor(size: number, workers: number | undefined): number {
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new RangeError(`workers must be an integer ≥ 0, got ${String(workers)}`);
  return size <= INLINE_BYTES ? 0 : (workers ?? defaultFrameWorkers());
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("the operation was aborted");
}

/** End of the final frame in the message. */
function bodyEnd(layout: FrameLayout): number {
  return layout.bodyStart + layout.regularFrames * frameSize(layout.frameLength, false) + frameSize(layout.finalLength, true);
}

/** Opens the file at `path` for reading, runs `fn` with it and its size, and closes it. */
async function withInput<T>(path: string, fn: (input: FileHandle, size: number) => Promise<T>): Promise<T> {
  const input = await open(path, "r");
  try {
    // Frames are read at offsets computed from the size known up front: pipes, devices and files whose
    // size says 0 but that have contents (/proc) need a stream.
    const stats = await input.stat();
    const sizeIsWrong = stats.size === 0 && (await input.read(new Uint8Array(1), 0, 1, 0)).bytesRead > 0;
    if (!stats.isFile() || sizeIsWrong) {
      throw new TypeError(`${path} is not a regular file with a known size: use encryptStream / decryptStream for pipes, devices and /proc files`);
    }
    return await fn(input, stats.size);
  } finally {
    await input.close();
  }
}

/** Chunks reported done, waited for in order (by `hashBody` when encrypting with a signing suite). */
class FinishedChunks {
  readonly #done = new Set<number>();
  #waiting: { chunk: number; resolve: (done: boolean) => void } | undefined;
  #closed = false;

  add(chunk: number): void {
    if (this.#waiting?.chunk === chunk) {
      this.#waiting.resolve(true);
      this.#waiting = undefined;
    } else this.#done.add(chunk);
  }

  /** No more chunks will be done: whoever waits for one that is not is told so. */
  close(): void {
    this.#closed = true;
    this.#waiting?.resolve(false);
    this.#waiting = undefined;
  }

  /** Whether `chunk` is (or becomes) done; false once the job ended without it. */
  async wait(chunk: number): Promise<boolean> {
    if (this.#done.delete(chunk)) return true;
    if (this.#closed) return false;
    return new Promise((resolve) => (this.#waiting = { chunk, resolve }));
  }
}

/**
 * Feeds the message body's chunks to `hash` in order, read from `file` (after `finished` reports each, if given).
 * Returns whether it hashed them all (false: the job stopped first).
 */
async function hashBody(file: FileHandle, job: FileFrameJob, hash: Hash, finished?: FinishedChunks): Promise<boolean> {
  let buffer = new Uint8Array(0);
  for (let c = 0, count = chunkCount(job.layout); c < count; c++) {
    if (finished ? !(await finished.wait(c)) : jobStopped(job.board)) return false;
    const { messageAt, messageLength } = chunkSpan(job.layout, c);
    if (buffer.length < messageLength) buffer = new Uint8Array(messageLength);
    hash.update(await readAt(file, messageAt, messageLength, buffer));
  }
  return true;
}

interface JobRun extends Pick<FileOptions, "onProgress" | "signal"> {
  job: FileFrameJob;
  threads: number;
  /** Signing suites: the hash to feed the message body to, in order, and the file to read the message from. */
  signed: { hash: Hash; messageFile: FileHandle } | undefined;
  /** For progress: input bytes before the body, and the input's size. */
  progressStart: number;
  size: number;
}

/** Runs a frame job to its end: every chunk done (and hashed), or stopped by the first failure or the abort signal. */
async function runJob({ job, threads, signed, signal, onProgress, progressStart, size }: JobRun): Promise<void> {
  checkAborted(signal);
  const stop = () => stopJob(job.board);
  signal?.addEventListener("abort", stop);
  const finished = signed && job.mode === "seal" ? new FinishedChunks() : undefined;
  let done = progressStart;
  // A throwing onProgress stops the job and fails the call (it runs in a worker's message listener,
  // where an exception would otherwise escape as an uncaught one).
  let progressError: { error: unknown } | undefined;
  const onChunk =
    onProgress || finished
      ? (chunk: number) => {
          finished?.add(chunk);
          const s = chunkSpan(job.layout, chunk);
          done += job.mode === "seal" ? s.plaintextLength : s.messageLength;
          if (!onProgress || progressError) return;
          try {
            onProgress(done, size);
          } catch (error) {
            progressError = { error };
            stop();
          }
        }
      : undefined;
  try {
    const working = runFileFrameJob(threads, job, onChunk).finally(() => finished?.close());
    const hashing = signed && hashBody(signed.messageFile, job, signed.hash, finished).catch((e) => (stop(), Promise.reject(e)));
    // Both are waited for before anything is thrown: no thread may still use the files afterwards.
    const [chunks, hashed] = await Promise.allSettled([working, hashing]);
    if (progressError) throw progressError.error;
    if (chunks.status === "rejected") throw chunks.reason;
    if (hashed.status === "rejected") throw hashed.reason;
    checkAborted(signal);
    if (chunks.value !== chunkCount(job.layout) || hashed.value === false) throw new Error("the frame job stopped before its end");
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}

/** Encrypts the file at `inPath` into an AWS Encryption SDK message at `outPath`. */
export function encryptFile(inPath: string, outPath: string, options: EncryptFileOptions): Promise<FileResult> {
  return withInput(inPath, async (input, size) => {
    const threads = threadsFor(size, options.workers);
    const message = await prepareMessage(encryptSettings(options?.keyring, { ...options, plaintextLength: size }));
    const { header, headerBytes, suite, frameLength: F, contentKey: key } = message;
    const regularFrames = Math.floor(size / F);
    const layout = { frameLength: F, regularFrames, finalLength: size - regularFrames * F, bodyStart: headerBytes.length };
    try {
      return await writeAtomically(outPath, { durable: options.durable }, async (output) => {
        const job: FileFrameJob = { mode: "seal", key, messageId: header.messageId, layout, inputFd: input.fd, outputFd: output.handle.fd, board: newJobBoard() };
        await writeAt(output.handle, headerBytes, 0);
        // The temporary file is open for writing only: signing suites read it back through a handle of their own.
        const signed = suite.signature && { hash: signatureHash(suite.signature).update(headerBytes), messageFile: await open(output.tempPath, "r") };
        try {
          await runJob({ ...options, job, threads, signed, progressStart: 0, size });
        } finally {
          await signed?.messageFile.close();
        }
        let bytesOut = bodyEnd(layout);
        if (signed) {
          const footer = messageFooter(suite, message.signingKey!, signed.hash.digest());
          await writeAt(output.handle, footer, bytesOut);
          bytesOut += footer.length;
        }
        return { header, bytesIn: size, bytesOut };
      });
    } finally {
      key.fill(0);
    }
  });
}

/** Decrypts the AWS Encryption SDK message in the file at `inPath` into `outPath` (created only if it all verifies). */
export function decryptFile(inPath: string, outPath: string, options: DecryptFileOptions): Promise<FileResult> {
  return withInput(inPath, async (input, size) => {
    const threads = threadsFor(size, options.workers);
    const settings = decryptSettings(options?.keyring, options);
    // Read just the header (growing the read as the parser asks).
    let head = await readAt(input, 0, Math.min(size, 4096));
    let parsed = parseHeader(head, settings.maxEncryptedDataKeys);
    while ("needed" in parsed && parsed.needed <= size && parsed.needed > head.length) {
      head = await readAt(input, 0, Math.min(size, Math.max(parsed.needed, 2 * head.length)));
      parsed = parseHeader(head, settings.maxEncryptedDataKeys);
    }
    if ("needed" in parsed || parsed.header.contentType !== CONTENT_FRAMED || parsed.header.suite.keyLength !== 32) {
      return decryptFileOnOneThread(inPath, outPath, options, size);
    }
    const { header } = parsed;
    const sig = header.suite.signature;
    const { contentKey: key, verificationKey } = await openHeader(settings, parsed);
    try {
      const layout = await locateFrames(input, size, parsed.length, header.frameLength, sig ? 2 + maxSignatureLength(sig) : 0);
      return await writeAtomically(outPath, { durable: options.durable, privateMode: true }, async (output) => {
        const job: FileFrameJob = { mode: "open", key, messageId: header.messageId, layout, inputFd: input.fd, outputFd: output.handle.fd, board: newJobBoard() };
        const hash = sig && signatureHash(sig).update(head.subarray(0, parsed.length));
        await runJob({ ...options, job, threads, signed: hash && { hash, messageFile: input }, progressStart: parsed.length, size });
        await checkFooter(input, bodyEnd(layout), size, sig, verificationKey, hash);
        options.onProgress?.(size, size);
        return { header, bytesIn: size, bytesOut: layout.regularFrames * layout.frameLength + layout.finalLength };
      });
    } finally {
      key.fill(0);
    }
  });
}

/**
 * Where the frames lie in a message of `size` bytes whose body starts at `bodyStart`: the message is
 * bodyStart + N·R (regular frames) + 24 + L + 16 (the final frame, L ≤ F) + the footer (≤ footerMax),
 * so the final frame starts at one of a few multiples of R; it is the first of them holding the final-frame
 * marker (a regular frame's sequence number is never FFFFFFFF). The frames themselves are checked as they
 * are opened.
 */
async function locateFrames(input: FileHandle, size: number, bodyStart: number, F: number, footerMax: number): Promise<FrameLayout> {
  const R = frameSize(F, false);
  const body = size - bodyStart;
  const first = Math.max(0, Math.ceil((body - frameSize(F, true) - footerMax) / R));
  for (let n = first; bodyStart + n * R + FINAL_FRAME_PREFIX <= size; n++) {
    const prefix = new DataView((await readAt(input, bodyStart + n * R, FINAL_FRAME_PREFIX)).buffer);
    if (prefix.getUint32(0) !== SEQUENCE_NUMBER_END) continue;
    const finalLength = prefix.getUint32(20);
    if (finalLength > F) throw new MalformedMessageError(`malformed message: the final frame holds ${finalLength} bytes, more than the frame length ${F}`);
    const layout = { frameLength: F, regularFrames: n, finalLength, bodyStart };
    if (bodyEnd(layout) > size) break;
    return layout;
  }
  // Candidates start at `first`, which bytes after the end push past the real final frame: both cases land here.
  throw new MalformedMessageError("malformed message: no final frame where the file's size puts it (the message is truncated, or has bytes after its end)");
}

/** After the final frame: nothing (unsigned suites), or exactly the footer with a signature that verifies. */
async function checkFooter(
  input: FileHandle,
  pos: number,
  size: number,
  sig: MessageHeader["suite"]["signature"],
  verificationKey: Uint8Array | undefined,
  hash: Hash | undefined,
): Promise<void> {
  if (!sig) {
    if (pos !== size) throw new MalformedMessageError("malformed message: bytes after the end of the message");
    return;
  }
  if (size - pos < 2) throw new MalformedMessageError("malformed message: the message ends early (truncated in the footer)");
  const n = new DataView((await readAt(input, pos, 2)).buffer).getUint16(0);
  checkSignatureLength(sig, n);
  if (size - pos - 2 < n) throw new MalformedMessageError("malformed message: the message ends early (truncated in the footer)");
  if (size - pos - 2 > n) throw new MalformedMessageError("malformed message: bytes after the end of the message");
  verifyDigest(sig, verificationKey!, hash!.digest(), await readAt(input, pos + 2, n));
}

/** The one-thread path for messages the frame jobs do not take: decryptStream into a temporary file. */
async function decryptFileOnOneThread(inPath: string, outPath: string, options: DecryptFileOptions, size: number): Promise<FileResult> {
  let done = 0;
  let bytesOut = 0;
  const stream = decryptStream(options.keyring, options);
  await writeAtomically(outPath, { durable: options.durable, privateMode: true }, async (output) => {
    const source = nodeReadableToWeb(createReadStream(inPath, { highWaterMark: 1 << 20, signal: options.signal }), (chunk) => {
      done += chunk.length;
      options.onProgress?.(done, size);
    });
    await source.pipeThrough(stream).pipeTo(
      new WritableStream({
        write: async (chunk) => {
          await output.write(chunk);
          bytesOut += chunk.length;
        },
      }),
    );
  });
  return { header: await stream.header, bytesIn: size, bytesOut };
}
