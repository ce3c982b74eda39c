// `npm start`: a demonstration of the built engine (dist/, built by prestart).
//
// Until the KMS endpoint exists, this seals and opens a 256 MiB in-memory buffer
// with AES-256-GCM under a fresh random key, checks the round trip, and reports
// the throughput of each step. Set WASMKMS_DEMO_MIB to use another size.
import { Aes256Gcm, AuthenticationError, randomBytes } from "wasmkms/engine";

const MiB = 1 << 20;
const SIZE = Number(process.env.WASMKMS_DEMO_MIB ?? 256) * MiB;
const CHUNK = MiB;
const out = process.stdout;

/** Progress on one line: redrawn in place on a terminal, a plain line per quarter otherwise. */
function progress(label) {
  const started = performance.now();
  let lastDraw = 0;
  let lastQuarter = 0;
  return (done) => {
    const now = performance.now();
    const rate = done / 1e6 / ((now - started) / 1000 || 1e-9);
    const percent = Math.floor((done / SIZE) * 100);
    if (out.isTTY) {
      if (now - lastDraw < 80 && done < SIZE) return;
      lastDraw = now;
      const filled = Math.round((done / SIZE) * 30);
      out.write(`\r  ${label}  [${"#".repeat(filled)}${".".repeat(30 - filled)}] ${String(percent).padStart(3)}%  ${rate.toFixed(1)} MB/s `);
      if (done >= SIZE) out.write("\r\x1b[2K");
    } else {
      const quarter = Math.floor(percent / 25);
      if (quarter > lastQuarter && done < SIZE) {
        lastQuarter = quarter;
        out.write(`  ${label}  ${percent}%  ${rate.toFixed(1)} MB/s\n`);
      }
    }
  };
}

function report(label, how, seconds) {
  const mib = SIZE / MiB;
  const rate = SIZE / 1e6 / seconds;
  out.write(`  ${label.padEnd(5)} ${mib} MiB in ${seconds.toFixed(2)} s = ${rate.toFixed(1).padStart(6)} MB/s  (${how})\n`);
}

function equal(a, b) {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function hex(bytes) {
  return Buffer.from(bytes).toString("hex");
}

function main() {
  out.write(`wasmkms engine demo: AES-256-GCM over ${SIZE / MiB} MiB in memory (MB = 10^6 bytes)\n`);
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const aad = new TextEncoder().encode("wasmkms npm start demo");
  let t = performance.now();
  const plaintext = randomBytes(SIZE);
  out.write(`  fresh random key, 12-byte IV and ${SIZE / MiB} MiB of random plaintext (${((performance.now() - t) / 1000).toFixed(2)} s)\n`);

  const gcm = new Aes256Gcm(key);
  try {
    // Seal, streamed in 1 MiB chunks: ciphertext ‖ tag, the same layout seal() returns.
    const sealed = new Uint8Array(SIZE + 16);
    const sealProgress = progress("seal");
    t = performance.now();
    const enc = gcm.encryptor(iv, aad);
    for (let at = 0; at < SIZE; at += CHUNK) {
      sealed.set(enc.update(plaintext.subarray(at, at + CHUNK)), at);
      sealProgress(Math.min(at + CHUNK, SIZE));
    }
    const tag = enc.final();
    sealed.set(tag, SIZE);
    report("seal", `encryptor, ${CHUNK / MiB} MiB chunks; tag ${hex(tag)}`, (performance.now() - t) / 1000);

    // Open, streamed: each decrypted chunk is compared with the original as it comes,
    // and none of it counts until final(tag) has verified the tag.
    const openProgress = progress("open");
    t = performance.now();
    const dec = gcm.decryptor(iv, aad);
    let same = true;
    for (let at = 0; at < SIZE; at += CHUNK) {
      same = equal(dec.update(sealed.subarray(at, Math.min(at + CHUNK, SIZE))), plaintext.subarray(at, at + CHUNK)) && same;
      openProgress(Math.min(at + CHUNK, SIZE));
    }
    dec.final(tag);
    report("open", "decryptor, tag verified", (performance.now() - t) / 1000);
    if (!same) throw new Error("streamed open: decrypted bytes differ from the original");

    // Open again in one call, the way most callers will: nothing is returned unless the tag verifies.
    if (out.isTTY) out.write("  open  (one call, no progress line) ...");
    t = performance.now();
    const opened = gcm.open(iv, sealed, aad);
    if (out.isTTY) out.write("\r\x1b[2K");
    report("open", "one-shot open(), tag verified", (performance.now() - t) / 1000);
    if (!equal(opened, plaintext)) throw new Error("one-shot open: decrypted bytes differ from the original");
    out.write("  verify: both decryptions equal the original plaintext\n");

    // Tampering: one flipped bit anywhere must be rejected (shown on a small message).
    const small = gcm.seal(iv, plaintext.subarray(0, 1000), aad);
    small[500] ^= 0x10;
    try {
      gcm.open(iv, small, aad);
      throw new Error("tampered ciphertext was accepted");
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      out.write("  tamper: a flipped ciphertext bit makes open() throw AuthenticationError\n");
    }
  } finally {
    gcm.destroy();
  }
  out.write("OK\n");
}

main();
