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
 * over the message's content key; the workers seal/open the frames in
 * batches of about 1 MiB (frame-batch.ts). The main thread reads the input
 * with positioned reads, keeps at most a few batches per worker in flight,
 * and writes the results in order; signing suites hash the bytes in order on
 * the main thread.
 *
 * The output goes to a temporary file renamed into place only once the whole
 * message is written (and, when decrypting, every frame and the signature
 * have verified), so a failure never leaves a partial output file.
 *
 * Messages the batches cannot take (non-framed bodies, suites with 128/192-bit
 * keys: v1 messages under REQUIRE_ENCRYPT_ALLOW_DECRYPT) are decrypted on one
 * thread with `decryptStream`, into the same kind of temporary file.
 */
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { writeAtomically } from "./atomic-output.node.js";
import { MalformedMessageError } from "./errors.js";
import { FINAL_FRAME_PREFIX, SEQUENCE_NUMBER_END } from "./frame.js";
import { frameSize } from "./frame-sealer.js";
import { defaultFrameWorkers, runFrameBatch } from "./frame-workers.node.js";
import { CONTENT_FRAMED, type MessageHeader, parseHeader } from "./header.js";
import type { Keyring, MaterialsManager } from "./materials.js";
import { messageFooter, prepareMessage } from "./message-encryptor.js";
import { nodeReadableToWeb } from "./node-streams.node.js";
import { openHeader } from "./open-header.js";
import { type DecryptOptions, decryptSettings, type EncryptOptions, encryptSettings } from "./options.js";
import { checkSignatureLength, signatureHash, verifyDigest } from "./signature.js";
import { decryptStream } from "./streams.js";

/** Plaintext bytes per batch of frames handed to a worker (rounded down to whole frames, at least one). */
const BATCH_BYTES = 1 << 20;
/** Most bytes of batches in flight at once (bounds memory whatever the frame length). */
const MAX_IN_FLIGHT_BYTES = 64 << 20;
/** Inputs up to this size are done on the calling thread (starting workers would cost more). */
const INLINE_BYTES = 2 * BATCH_BYTES;

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

/** `length` bytes of `file` at `position`, in an ArrayBuffer of their own (so it can be transferred to a worker). */
async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const b = Buffer.allocUnsafeSlow(length); // not zero-filled: every byte is read into
  const buf = new Uint8Array(b.buffer, b.byteOffset, length);
  for (let off = 0; off < length; ) {
    const { bytesRead } = await file.read(buf, off, length - off, position + off);
    if (bytesRead === 0) throw new MalformedMessageError("the input file shrank while it was being read");
    off += bytesRead;
  }
  return buf;
}

/**
 * Runs batches with at most `limit` in flight and hands each result, in order, to `take`, which starts
 * writing it and returns the write; one write runs while the next batches are read and sealed/opened.
 */
class BatchPipeline {
  readonly #queue: Promise<Uint8Array>[] = [];
  #writing: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: number,
    readonly take: (result: Uint8Array) => Promise<void>,
  ) {}

  async #deliver(result: Promise<Uint8Array>): Promise<void> {
    const bytes = await result;
    await this.#writing;
    this.#writing = this.take(bytes);
    this.#writing.catch(() => {}); // seen by the next delivery or at the end
  }

  /** Runs `produce` (which adds batches in order), then delivers the rest; on failure waits for what is still running. */
  async run(produce: (add: (batch: Promise<Uint8Array>) => Promise<void>) => Promise<void>): Promise<void> {
    const add = async (batch: Promise<Uint8Array>) => {
      batch.catch(() => {}); // seen when its turn comes
      this.#queue.push(batch);
      if (this.#queue.length >= this.limit) await this.#deliver(this.#queue.shift()!);
    };
    try {
      await produce(add);
      while (this.#queue.length) await this.#deliver(this.#queue.shift()!);
      await this.#writing;
    } catch (e) {
      await Promise.allSettled([this.#writing, ...this.#queue.splice(0)]);
      throw e;
    }
  }
}

/** Starts reading `length` bytes at `position` (a failure is seen when the read is awaited). */
function readAhead(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const read = readAt(file, position, length);
  read.catch(() => {});
  return read;
}

/**
 * Batch size (whole frames, about BATCH_BYTES of ciphertext, which is the larger side: each frame adds 32 or
 * more bytes), worker threads, and how many batches may be in flight (each holds its input and its output).
 */
function plan(size: number, frameLength: number, workers: number | undefined) {
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new RangeError(`workers must be an integer ≥ 0, got ${String(workers)}`);
  const framesPerBatch = Math.max(1, Math.floor(BATCH_BYTES / frameSize(frameLength, false)));
  const perBatch = framesPerBatch * frameLength;
  const threads = size <= INLINE_BYTES ? 0 : (workers ?? defaultFrameWorkers());
  const batchMemory = 2 * framesPerBatch * frameSize(frameLength, false);
  const limit = threads === 0 ? 1 : Math.max(1, Math.min(3 * threads, Math.floor(MAX_IN_FLIGHT_BYTES / batchMemory)));
  return { framesPerBatch, perBatch, threads, limit };
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("the operation was aborted");
}

/** Opens the file at `path` for reading, runs `fn` with it and its size, and closes it. */
async function withInput<T>(path: string, fn: (input: FileHandle, size: number) => Promise<T>): Promise<T> {
  const input = await open(path, "r");
  try {
    return await fn(input, (await input.stat()).size);
  } finally {
    await input.close();
  }
}

/** Encrypts the file at `inPath` into an AWS Encryption SDK message at `outPath`. */
export function encryptFile(inPath: string, outPath: string, options: EncryptFileOptions): Promise<FileResult> {
  return withInput(inPath, async (input, size) => {
    const message = await prepareMessage(encryptSettings(options?.keyring, { ...options, plaintextLength: size }));
    const { header, headerBytes, suite, frameLength: F, contentKey: key } = message;
    const hash = suite.signature && signatureHash(suite.signature).update(headerBytes);
    const { framesPerBatch, perBatch, threads, limit } = plan(size, F, options.workers);
    let bytesOut = 0;
    let done = 0;
    try {
      return await writeAtomically(outPath, { durable: options.durable }, async (output) => {
        await output.write(headerBytes);
        bytesOut += headerBytes.length;
        const pipeline = new BatchPipeline(limit, (sealed) => {
          hash?.update(sealed);
          bytesOut += sealed.length;
          done = Math.min(size, done + perBatch);
          options.onProgress?.(done, size);
          return output.write(sealed);
        });
        await pipeline.run(async (add) => {
          let next = readAhead(input, 0, Math.min(perBatch, size));
          for (let pos = 0, seq = 1; ; pos += perBatch, seq += framesPerBatch) {
            checkAborted(options.signal);
            const data = await next;
            const final = pos + data.length === size;
            if (!final) next = readAhead(input, pos + perBatch, Math.min(perBatch, size - pos - perBatch));
            await add(runFrameBatch(threads, "seal", { key, messageId: header.messageId, frameLength: F, firstSeq: seq, data, final }));
            if (final) return;
          }
        });
        if (hash) {
          const footer = messageFooter(suite, message.signingKey!, hash.digest());
          await output.write(footer);
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
    const { contentKey: key, verificationKey } = await openHeader(settings, parsed);
    const suite = header.suite;
    const F = header.frameLength;
    const regularSize = frameSize(F, false);
    const hash = suite.signature && signatureHash(suite.signature).update(head.subarray(0, parsed.length));
    const { framesPerBatch, threads, limit } = plan(size, F, options.workers);
    let bytesOut = 0;
    try {
      return await writeAtomically(outPath, { durable: options.durable, privateMode: true }, async (output) => {
        const pipeline = new BatchPipeline(limit, async (plaintext) => {
          bytesOut += plaintext.length;
          await output.write(plaintext);
          plaintext.fill(0);
        });
        let pos = parsed.length;
        const block = (at: number) => readAhead(input, at, Math.min(framesPerBatch * regularSize, size - at));
        await pipeline.run(async (add) => {
          const run = (data: Uint8Array, firstSeq: number, final: boolean) => {
            hash?.update(data);
            return add(runFrameBatch(threads, "open", { key, messageId: header.messageId, frameLength: F, firstSeq, data, final }));
          };
          let next = block(pos);
          for (let seq = 1; ; ) {
            checkAborted(options.signal);
            const data = await next;
            // Whole regular frames, up to the final frame's marker (a regular frame never starts with it).
            let off = 0;
            while (off + regularSize <= data.length && !isEndMarker(data, off)) off += regularSize;
            const finalHere = isEndMarker(data, off);
            if (!finalHere && off > 0) next = block(pos + off);
            if (off > 0) await run(data.subarray(0, off), seq, false);
            seq += off / regularSize;
            pos += off;
            options.onProgress?.(pos, size);
            if (finalHere) {
              // The final frame on its own: its length field says how far it goes (the batch checks it all).
              const prefix = await readAt(input, pos, Math.min(size - pos, FINAL_FRAME_PREFIX));
              const length = prefix.length === FINAL_FRAME_PREFIX ? new DataView(prefix.buffer).getUint32(20) : 0;
              const total = Math.min(size - pos, frameSize(Math.min(length, F + 1), true));
              await run(await readAt(input, pos, total), seq, true);
              pos += total;
              return;
            }
            if (off === 0) throw new MalformedMessageError("malformed message: the message ends early (truncated in the body)");
          }
        });
        await checkFooter(input, pos, size, suite.signature, verificationKey, hash);
        options.onProgress?.(size, size);
        return { header, bytesIn: size, bytesOut };
      });
    } finally {
      key.fill(0);
    }
  });
}

function isEndMarker(data: Uint8Array, at: number): boolean {
  return at + 4 <= data.length && (((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0) === SEQUENCE_NUMBER_END;
}

/** After the final frame: nothing (unsigned suites), or exactly the footer with a signature that verifies. */
async function checkFooter(
  input: FileHandle,
  pos: number,
  size: number,
  sig: MessageHeader["suite"]["signature"],
  verificationKey: Uint8Array | undefined,
  hash: ReturnType<typeof signatureHash> | undefined,
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

/** The one-thread path for messages the batches do not take: decryptStream into a temporary file. */
async function decryptFileOnOneThread(inPath: string, outPath: string, options: DecryptFileOptions, size: number): Promise<FileResult> {
  let done = 0;
  let bytesOut = 0;
  const stream = decryptStream(options.keyring, options);
  await writeAtomically(outPath, { durable: options.durable, privateMode: true }, async (output) => {
    const source = nodeReadableToWeb(createReadStream(inPath, { highWaterMark: BATCH_BYTES, signal: options.signal }), (chunk) => {
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
