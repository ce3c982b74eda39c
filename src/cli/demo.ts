/**
 * `wasmkms demo` (`npm run demo`): the engine on a large in-memory buffer.
 * Seals and opens 256 MiB (WASMKMS_DEMO_MIB to change) with AES-256-GCM under
 * a fresh random key, streamed and in one call, checks the round trip and a
 * tampered ciphertext, and reports the MB/s of each step with a progress line.
 */
import { Aes256Gcm, AuthenticationError, randomBytes } from "../engine/index.js";
import type { Output } from "./serve.js";

const MiB = 1 << 20;
const CHUNK = MiB;

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Progress on one line: redrawn in place on a terminal, a plain line per quarter otherwise. */
function progress(label: string, size: number, tty: boolean, write: (text: string) => void): (done: number) => void {
  const started = performance.now();
  let lastDraw = 0;
  let lastQuarter = 0;
  return (done) => {
    const now = performance.now();
    const rate = done / 1e6 / ((now - started) / 1000 || 1e-9);
    const percent = Math.floor((done / size) * 100);
    if (tty) {
      if (now - lastDraw < 80 && done < size) return;
      lastDraw = now;
      const filled = Math.round((done / size) * 30);
      write(`\r  ${label}  [${"#".repeat(filled)}${".".repeat(30 - filled)}] ${String(percent).padStart(3)}%  ${rate.toFixed(1)} MB/s `);
      if (done >= size) write("\r\x1b[2K");
    } else {
      const quarter = Math.floor(percent / 25);
      if (quarter > lastQuarter && done < size) {
        lastQuarter = quarter;
        write(`  ${label}  ${percent}%  ${rate.toFixed(1)} MB/s\n`);
      }
    }
  };
}

export function demoCommand(env: Record<string, string | undefined>, output: Output, tty = false): number {
  const size = Number(env.WASMKMS_DEMO_MIB ?? 256) * MiB;
  if (!Number.isInteger(size) || size <= 0) {
    output.err(`wasmkms demo: WASMKMS_DEMO_MIB must be a positive whole number, got ${env.WASMKMS_DEMO_MIB}\n`);
    return 2;
  }
  const write = output.out;
  const report = (label: string, how: string, seconds: number) =>
    write(`  ${label.padEnd(5)} ${size / MiB} MiB in ${seconds.toFixed(2)} s = ${(size / 1e6 / seconds).toFixed(1).padStart(6)} MB/s  (${how})\n`);

  write(`wasmkms engine demo: AES-256-GCM over ${size / MiB} MiB in memory (MB = 10^6 bytes)\n`);
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const aad = new TextEncoder().encode("wasmkms demo");
  let t = performance.now();
  const plaintext = randomBytes(size);
  write(`  fresh random key, 12-byte IV and ${size / MiB} MiB of random plaintext (${((performance.now() - t) / 1000).toFixed(2)} s)\n`);

  const gcm = new Aes256Gcm(key);
  try {
    // Seal, streamed in 1 MiB chunks: ciphertext ‖ tag, the same layout seal() returns.
    const sealed = new Uint8Array(size + 16);
    const sealProgress = progress("seal", size, tty, write);
    t = performance.now();
    const enc = gcm.encryptor(iv, aad);
    for (let at = 0; at < size; at += CHUNK) {
      sealed.set(enc.update(plaintext.subarray(at, at + CHUNK)), at);
      sealProgress(Math.min(at + CHUNK, size));
    }
    const tag = enc.final();
    sealed.set(tag, size);
    report("seal", `encryptor, ${CHUNK / MiB} MiB chunks; tag ${hex(tag)}`, (performance.now() - t) / 1000);

    // Open, streamed: each chunk is compared as it comes, and none of it counts until final(tag) verifies.
    const openProgress = progress("open", size, tty, write);
    t = performance.now();
    const dec = gcm.decryptor(iv, aad);
    let same = true;
    for (let at = 0; at < size; at += CHUNK) {
      same = equal(dec.update(sealed.subarray(at, Math.min(at + CHUNK, size))), plaintext.subarray(at, at + CHUNK)) && same;
      openProgress(Math.min(at + CHUNK, size));
    }
    dec.final(tag);
    report("open", "decryptor, tag verified", (performance.now() - t) / 1000);
    if (!same) throw new Error("streamed open: decrypted bytes differ from the original");

    // Open again in one call, the way most callers will: nothing is returned unless the tag verifies.
    t = performance.now();
    const opened = gcm.open(iv, sealed, aad);
    report("open", "one-shot open(), tag verified", (performance.now() - t) / 1000);
    if (!equal(opened, plaintext)) throw new Error("one-shot open: decrypted bytes differ from the original");
    write("  verify: both decryptions equal the original plaintext\n");

    // Tampering: one flipped bit anywhere must be rejected (shown on a small message).
    const small = gcm.seal(iv, plaintext.subarray(0, 1000), aad);
    small[500] ^= 0x10;
    try {
      gcm.open(iv, small, aad);
      throw new Error("tampered ciphertext was accepted");
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      write("  tamper: a flipped ciphertext bit makes open() throw AuthenticationError\n");
    }
  } finally {
    gcm.destroy();
  }
  write("OK\n");
  return 0;
}
