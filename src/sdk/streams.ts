/**
 * Streaming encryption and decryption as web TransformStreams (portable:
 * Node ≥ 18, Deno, Bun, browsers). Memory stays bounded: the encryptor keeps
 * at most one partial frame of plaintext; the decryptor at most one frame of
 * ciphertext (plus the header) and never releases a frame before its tag
 * verifies.
 *
 *   await readable.pipeThrough(encryptStream(keyring)).pipeTo(writable);
 *   const d = decryptStream(keyring);
 *   await source.pipeThrough(d).pipeTo(sink);   // rejects on any bad byte
 *   (await d.header).encryptionContext
 *
 * Signed messages (suite 0x0578 and the v1 signing suites): the signature
 * covers the whole message and can only be checked at the end. As the ESDK
 * does, regular frames are released once their own tags verify, and the final
 * frame only after the signature verifies; if it does not, the stream errors
 * at the end. Until the stream has closed successfully, treat released
 * plaintext as unsigned (keep it somewhere you can discard), or pass
 * `rejectSignedSuites: true` to refuse signed messages outright.
 */
import { InvalidParameterError } from "./errors.js";
import type { MessageHeader } from "./header.js";
import type { Keyring, MaterialsManager } from "./materials.js";
import { MessageDecryptor } from "./message-decryptor.js";
import { MessageEncryptor } from "./message-encryptor.js";
import { type DecryptOptions, decryptSettings, type EncryptStreamOptions, encryptSettings } from "./options.js";

/** A TransformStream of message bytes plus a promise of the message header. */
export type MessageStream = TransformStream<Uint8Array, Uint8Array> & {
  /** Resolves once the header is written (encrypt) or verified (decrypt); rejects if the stream fails first. */
  readonly header: Promise<MessageHeader>;
};

function headerPromise() {
  let resolve!: (h: MessageHeader) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<MessageHeader>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // the stream reports the error too; don't make it an unhandled rejection
  return { promise, resolve, reject };
}

function checkChunk(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new InvalidParameterError("stream chunks must be Uint8Arrays");
}

/** Plaintext in, an AWS Encryption SDK message out (options as for `encrypt`, plus a `plaintextLength` hint). */
export function encryptStream(keyringOrCmm: Keyring | MaterialsManager, options?: EncryptStreamOptions): MessageStream {
  const settings = encryptSettings(keyringOrCmm, options);
  const header = headerPromise();
  const F = settings.frameLength;
  let enc: MessageEncryptor;
  let partial: Uint8Array | undefined;
  let fill = 0;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      try {
        enc = await MessageEncryptor.start(settings);
      } catch (e) {
        header.reject(e);
        throw e;
      }
      controller.enqueue(enc.headerBytes);
      header.resolve(enc.header);
    },
    transform(chunk, controller) {
      try {
        const data = checkChunk(chunk);
        let off = 0;
        if (fill > 0) {
          off = Math.min(F - fill, data.length);
          partial!.set(data.subarray(0, off), fill);
          fill += off;
          if (fill < F) return;
          controller.enqueue(enc.frame(partial!, false));
          fill = 0;
        }
        for (; data.length - off >= F; off += F) controller.enqueue(enc.frame(data.subarray(off, off + F), false));
        if (off < data.length) {
          partial ??= new Uint8Array(F);
          partial.set(data.subarray(off));
          fill = data.length - off;
        }
      } catch (e) {
        enc.destroy();
        throw e;
      }
    },
    flush(controller) {
      try {
        controller.enqueue(enc.frame(partial ? partial.subarray(0, fill) : new Uint8Array(0), true));
        const footer = enc.finish();
        if (footer.length) controller.enqueue(footer);
      } finally {
        enc.destroy();
        partial?.fill(0);
      }
    },
  });
  return Object.assign(stream, { header: header.promise });
}

/** An AWS Encryption SDK message in, plaintext out (options as for `decrypt`, plus `maxFrameLength`, `rejectSignedSuites`). */
export function decryptStream(keyringOrCmm: Keyring | MaterialsManager, options?: DecryptOptions): MessageStream {
  const decryptor = new MessageDecryptor(decryptSettings(keyringOrCmm, options));
  const header = headerPromise();
  const release = (parts: Uint8Array[], controller: TransformStreamDefaultController<Uint8Array>) => {
    if (decryptor.header) header.resolve(decryptor.header);
    for (const p of parts) controller.enqueue(p);
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      try {
        release(await decryptor.push(checkChunk(chunk)), controller);
      } catch (e) {
        decryptor.destroy();
        header.reject(e);
        throw e;
      }
    },
    async flush(controller) {
      try {
        release(await decryptor.end(), controller);
      } catch (e) {
        header.reject(e);
        throw e;
      } finally {
        decryptor.destroy();
      }
    },
  });
  return Object.assign(stream, { header: header.promise });
}
