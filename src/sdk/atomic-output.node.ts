/**
 * An output file that appears whole or not at all: bytes go to a temporary
 * file beside the destination (same directory, so the same file system),
 * which is renamed over the destination only by `commit()`; `abort()` (or
 * any failure) removes it. After a crash a hidden `.NAME.*.wasmkms-tmp` file
 * may remain, never a partial NAME.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export class AtomicOutput {
  #done = false;

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    readonly handle: FileHandle,
  ) {}

  /** Creates the temporary file (mode 0o600 for plaintext, or the default 0o666 less the umask). */
  static async open(path: string, { privateMode = false } = {}): Promise<AtomicOutput> {
    const tempPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.wasmkms-tmp`);
    const handle = await open(tempPath, "wx", privateMode ? 0o600 : 0o666);
    return new AtomicOutput(path, tempPath, handle);
  }

  /** Appends all of `bytes`. */
  async write(bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
  }

  /** A WritableStream appending to the file (it does not commit on close). */
  writable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({ write: (chunk) => this.write(chunk) });
  }

  /** Flushes (with `durable`, to the disk), closes and renames the file into place. */
  async commit({ durable = true } = {}): Promise<void> {
    if (this.#done) throw new Error("AtomicOutput: already committed or aborted");
    this.#done = true;
    try {
      if (durable) await this.handle.datasync();
      await this.handle.close();
      await rename(this.tempPath, this.path);
    } catch (e) {
      await this.handle.close().catch(() => {});
      await unlink(this.tempPath).catch(() => {});
      throw e;
    }
  }

  /** Closes and removes the temporary file (idempotent; never throws). */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.handle.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }
}

/** Runs `fill` on a new AtomicOutput; commits if it resolves, aborts (and rethrows) if it throws. */
export async function writeAtomically<T>(
  path: string,
  options: { privateMode?: boolean; durable?: boolean },
  fill: (output: AtomicOutput) => Promise<T>,
): Promise<T> {
  const output = await AtomicOutput.open(path, options);
  try {
    const result = await fill(output);
    await output.commit(options);
    return result;
  } catch (e) {
    await output.abort();
    throw e;
  }
}
