/**
 * Node stream adapters for the SDK's web streams (Node only):
 *
 *   nodeReadableToWeb(fs.createReadStream(p))     Readable  → ReadableStream
 *   nodeWritableToWeb(process.stdout)             Writable  → WritableStream
 *   encryptNodeStream(keyring, options)           a Duplex  around encryptStream
 *   decryptNodeStream(keyring, options)           a Duplex  around decryptStream
 *
 *   await pipeline(createReadStream(inPath), encryptNodeStream(keyring), createWriteStream(outPath));
 *
 * Backpressure is kept in both directions: the readable adapter pulls one
 * chunk at a time, the writable adapter waits for "drain", and the Duplex
 * resolves a write only when the transform has taken the chunk. Errors travel
 * both ways (a failed decryption errors the Duplex; destroying the Duplex
 * cancels the transform).
 */
import { once } from "node:events";
import { Duplex, type Readable, type Writable } from "node:stream";
import type { Keyring, MaterialsManager } from "./materials.js";
import type { DecryptOptions, EncryptStreamOptions } from "./options.js";
import { decryptStream, encryptStream, type MessageStream } from "./streams.js";

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return new TextEncoder().encode(chunk);
  throw new TypeError("expected byte chunks (Buffer or Uint8Array)");
}

/** A ReadableStream of the bytes `readable` produces (`onChunk` sees each chunk, e.g. to count progress). */
export function nodeReadableToWeb(readable: Readable | NodeJS.ReadableStream, onChunk?: (chunk: Uint8Array) => void): ReadableStream<Uint8Array> {
  const iterator = (readable as Readable)[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) {
          controller.close();
          return;
        }
        const bytes = asBytes(value);
        onChunk?.(bytes);
        controller.enqueue(bytes);
      },
      cancel() {
        // Not iterator.return(): it would wait for a pending next(), which may never come (an idle stdin).
        (readable as Readable).destroy?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Resolves on "drain", or when the stream closes or fails (the caller checks which). */
function drained(w: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      w.off("drain", done).off("close", done).off("error", done);
      resolve();
    };
    w.on("drain", done).on("close", done).on("error", done);
  });
}

/** A WritableStream writing to `writable`; closing it ends `writable` (unless `end: false`). */
export function nodeWritableToWeb(writable: Writable | NodeJS.WritableStream, { end = true } = {}): WritableStream<Uint8Array> {
  const w = writable as Writable;
  let failure: Error | undefined;
  const onError = (e: Error) => (failure ??= e);
  w.on("error", onError);
  const check = () => {
    if (failure) throw failure;
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      check();
      if (!w.write(chunk)) await drained(w);
      check();
    },
    async close() {
      check();
      if (end) {
        const finished = once(w, "finish");
        w.end();
        await finished;
      }
      w.off("error", onError);
    },
    abort(reason) {
      w.off("error", onError);
      if (end) w.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}

/** A Node Duplex around a web TransformStream of bytes. */
export function transformToDuplex(transform: TransformStream<Uint8Array, Uint8Array>): Duplex {
  const writer = transform.writable.getWriter();
  const reader = transform.readable.getReader();
  let reading = false;
  return new Duplex({
    write(chunk: unknown, _encoding, callback) {
      let bytes: Uint8Array;
      try {
        bytes = asBytes(chunk);
      } catch (e) {
        callback(e as Error);
        return;
      }
      writer.write(bytes).then(() => callback(), callback);
    },
    final(callback) {
      writer.close().then(() => callback(), callback);
    },
    read() {
      if (reading) return;
      reading = true;
      const pump = (): void => {
        reader.read().then(
          ({ value, done }) => {
            if (done) {
              reading = false;
              this.push(null);
            } else if (this.push(value)) pump();
            else reading = false;
          },
          (e: Error) => {
            reading = false;
            this.destroy(e);
          },
        );
      };
      pump();
    },
    destroy(error, callback) {
      writer.abort(error ?? undefined).catch(() => {});
      reader.cancel(error ?? undefined).catch(() => {});
      callback(error);
    },
  });
}

/** `encryptStream` as a Node Duplex; `header` resolves once the header is written. */
export function encryptNodeStream(keyringOrCmm: Keyring | MaterialsManager, options?: EncryptStreamOptions): Duplex & Pick<MessageStream, "header"> {
  const stream = encryptStream(keyringOrCmm, options);
  return Object.assign(transformToDuplex(stream), { header: stream.header });
}

/** `decryptStream` as a Node Duplex; `header` resolves once the header is verified. */
export function decryptNodeStream(keyringOrCmm: Keyring | MaterialsManager, options?: DecryptOptions): Duplex & Pick<MessageStream, "header"> {
  const stream = decryptStream(keyringOrCmm, options);
  return Object.assign(transformToDuplex(stream), { header: stream.header });
}
