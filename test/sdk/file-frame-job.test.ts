/**
 * The frame jobs behind encryptFile / decryptFile (file-frame-job.node.ts):
 * chunks that tile the plaintext and the message exactly; threads that read
 * and write their own chunks at computed offsets, checked at chunk and frame
 * boundaries (±1, an empty final frame, a full one); the final frame found
 * before a signature footer of any length; buffers sized by the file, not
 * by a frame length of up to 2^32 − 1; a tampered or reordered frame in
 * the middle of the body, an abort half-way, two jobs at once on the shared
 * pool; and progress. Files over 2 MiB go to the workers, smaller ones run on
 * this thread.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decryptFile, encryptFile } from "../../src/sdk/file-encryption.node.js";
import { chunkCount, chunkSpan, type FrameLayout } from "../../src/sdk/file-frame-job.node.js";
import { sealedRunSize } from "../../src/sdk/frame-batch.js";
import { FrameSealer, frameSize } from "../../src/sdk/frame-sealer.js";
import { closeFrameWorkers } from "../../src/sdk/frame-workers.node.js";
import { parseHeader } from "../../src/sdk/header.js";
import { prepareMessage } from "../../src/sdk/message-encryptor.js";
import { encryptSettings } from "../../src/sdk/options.js";
import { decrypt, FrameAuthenticationError, MalformedMessageError } from "../../src/sdk/index.js";
import { bytesEqual, concat, keyringPair, random, requireClient, sdkError, tempFiles } from "./helpers.js";

const { path, read, write, noTemporaries } = tempFiles("wasmkms-frame-job-", closeFrameWorkers);
const MiB = 1024 * 1024;
const { ours, theirs } = keyringPair();

function noOutput(name: string): void {
  expect(existsSync(path(name)), name).toBe(false);
  noTemporaries();
}

/** Plaintext bytes in a whole chunk of frames of length F. */
const chunkPlaintext = (F: number) => chunkSpan({ frameLength: F, regularFrames: 1e9, finalLength: 0, bodyStart: 0 }, 0).plaintextLength;

describe("frame job layout", () => {
  it("chunks tile the plaintext and the message with no gap or overlap, and only the last ends with the final frame", () => {
    for (const F of [1, 64, 4096, 100_000, 4 * MiB])
      for (const regularFrames of [0, 1, 2, 2729, 2730, 2731, 10_000])
        for (const finalLength of [0, 1, F - 1, F]) {
          const layout: FrameLayout = { frameLength: F, regularFrames, finalLength, bodyStart: 123 };
          let plain = 0;
          let message = 123;
          const count = chunkCount(layout);
          for (let c = 0; c < count; c++) {
            const s = chunkSpan(layout, c);
            const sealedSize = finalLength < F ? sealedRunSize(s.plaintextLength, F, s.final) : s.messageLength;
            if (s.plaintextAt !== plain || s.messageAt !== message || s.final !== (c === count - 1) || sealedSize !== s.messageLength) {
              expect({ F, regularFrames, finalLength, c, ...s }).toEqual({ plaintextAt: plain, messageAt: message, final: c === count - 1, messageLength: sealedSize });
            }
            plain += s.plaintextLength;
            message += s.messageLength;
          }
          expect(plain).toBe(regularFrames * F + finalLength);
          expect(message).toBe(123 + regularFrames * frameSize(F, false) + frameSize(finalLength, true));
        }
  });
});

describe("encryptFile / decryptFile frame jobs", () => {
  it("round trips at chunk and frame boundaries (±1, multiples of the frame length) over 2 workers and on this thread", async () => {
    const F = 64;
    const C = chunkPlaintext(F);
    const chunks = Math.ceil((2 * MiB) / C) + 1; // past the size that goes to the workers
    const sizes = [chunks * C - 1, chunks * C, chunks * C + 1, chunks * C - F, chunks * C + F + 1, 3 * C, 3 * C + 1, 0, 1, F];
    for (const size of sizes) {
      const plaintext = random(size);
      write("in", plaintext);
      const { bytesOut } = await encryptFile(path("in"), path("enc"), { keyring: ours, frameLength: F, workers: 2 });
      const message = read("enc");
      expect(bytesOut).toBe(message.length);
      expect(message.length, `${size}`).toBe((await prepareMessage(encryptSettings(ours, { frameLength: F }))).headerBytes.length + sealedRunSize(size, F, true));
      expect(bytesEqual((await decrypt(ours, message)).plaintext, plaintext), `decrypt ${size}`).toBe(true);
      await decryptFile(path("enc"), path("out"), { keyring: ours, workers: 2 });
      expect(bytesEqual(read("out"), plaintext), `decryptFile ${size}`).toBe(true);
    }
  });

  it("decrypts a message whose final frame is full (frameLength bytes), wherever it falls in a chunk", async () => {
    const F = 1000;
    const C = chunkPlaintext(F);
    for (const frames of [1, C / F, C / F + 1, Math.ceil((2 * MiB) / C) * (C / F) + 1, Math.ceil((2 * MiB) / C) * (C / F) + 2]) {
      const prepared = await prepareMessage(encryptSettings(ours, { frameLength: F }));
      const sealer = new FrameSealer(prepared.contentKey, prepared.header.messageId, F);
      const plaintext = random(frames * F);
      const parts = [prepared.headerBytes];
      for (let seq = 1; seq <= frames; seq++) {
        const final = seq === frames;
        const out = new Uint8Array(frameSize(F, final));
        sealer.writeFrame(seq, plaintext.subarray((seq - 1) * F, seq * F), final, out, 0);
        parts.push(out);
      }
      sealer.destroy();
      const message = concat(parts);
      expect(bytesEqual((await decrypt(ours, message)).plaintext, plaintext)).toBe(true);
      write("full.enc", message);
      const { bytesOut } = await decryptFile(path("full.enc"), path("full.out"), { keyring: ours, workers: 2 });
      expect(bytesOut).toBe(plaintext.length);
      expect(bytesEqual(read("full.out"), plaintext), `${frames} frames`).toBe(true);
    }
  });

  it("sizes its buffers by the file, not by the frame length (frames of up to 2^32 − 1 bytes)", async () => {
    const plaintext = random(2 * MiB + 9);
    write("huge", plaintext);
    for (const frameLength of [2 ** 32 - 1, 2 * MiB + 9, 2 * MiB + 8]) {
      await encryptFile(path("huge"), path("huge.enc"), { keyring: ours, frameLength, workers: 2 });
      await decryptFile(path("huge.enc"), path("huge.out"), { keyring: ours, workers: 2 });
      expect(bytesEqual(read("huge.out"), plaintext), `${frameLength}`).toBe(true);
    }
  });

  it("finds the final frame before signature footers longer than a frame (frame lengths 1, 64, 100), theirs and ours", async () => {
    for (const frameLength of [1, 64, 100]) {
      for (const size of [0, 1, frameLength, 5 * frameLength + 3, 3001]) {
        const plaintext = random(size);
        const their = await requireClient.encrypt(theirs, plaintext, { frameLength, suiteId: 0x0578 });
        write("sig.enc", their.result);
        await decryptFile(path("sig.enc"), path("sig.out"), { keyring: ours });
        expect(bytesEqual(read("sig.out"), plaintext), `theirs ${frameLength}/${size}`).toBe(true);
        write("sig.in", plaintext);
        await encryptFile(path("sig.in"), path("sig.enc"), { keyring: ours, frameLength, suite: 0x0578 });
        expect(bytesEqual((await requireClient.decrypt(theirs, read("sig.enc"))).plaintext, plaintext), `ours ${frameLength}/${size}`).toBe(true);
        await decryptFile(path("sig.enc"), path("sig.out"), { keyring: ours });
        expect(bytesEqual(read("sig.out"), plaintext)).toBe(true);
        // One byte short of the footer, one byte too many.
        for (const bad of [read("sig.enc").subarray(0, -1), concat([read("sig.enc"), Uint8Array.of(7)])]) {
          write("bad.enc", bad);
          expect(await sdkError(decryptFile(path("bad.enc"), path("bad.out"), { keyring: ours }))).toBeInstanceOf(MalformedMessageError);
          noOutput("bad.out");
        }
      }
    }
  });

  it("a signed message over 2 workers from client-node, frames of 64 bytes", async () => {
    const plaintext = random(2 * MiB + 777);
    write("theirs.enc", (await requireClient.encrypt(theirs, plaintext, { frameLength: 64, suiteId: 0x0578 })).result);
    await decryptFile(path("theirs.enc"), path("theirs.out"), { keyring: ours, workers: 2 });
    expect(bytesEqual(read("theirs.out"), plaintext)).toBe(true);
  });

  it("a tampered or reordered frame in the middle of a worker's chunk: typed error, no output", async () => {
    const F = 1000;
    const plaintext = random(3 * MiB + 5);
    write("t", plaintext);
    for (const suite of [0x0478, 0x0578] as const) {
      await encryptFile(path("t"), path("t.enc"), { keyring: ours, frameLength: F, suite, workers: 2 });
      const good = read("t.enc");
      const parsed = parseHeader(good, 10);
      if ("needed" in parsed) throw new Error("short header");
      // Frame `seq` of the body; frame 1901 lies well inside a chunk, and the chunk well inside the body.
      const at = (seq: number) => parsed.length + (seq - 1) * frameSize(F, false);
      const middle = 1901;
      expect(middle % (chunkPlaintext(F) / F)).toBeGreaterThan(2);
      const flipped = good.slice();
      flipped[at(middle) + 16 + 500] ^= 0x10;
      const swapped = good.slice();
      swapped.set(good.subarray(at(middle + 1), at(middle + 2)), at(middle));
      swapped.set(good.subarray(at(middle), at(middle + 1)), at(middle + 1));
      const cases: [string, Uint8Array, new (...a: never[]) => Error][] = [
        ["a flipped ciphertext bit", flipped, FrameAuthenticationError],
        ["two frames swapped", swapped, MalformedMessageError],
      ];
      for (const [what, bad, type] of cases) {
        write("bad.enc", bad);
        for (const workers of [2, 0]) {
          expect(await sdkError(decryptFile(path("bad.enc"), path("bad.out"), { keyring: ours, workers })), `${what}, ${workers} workers`).toBeInstanceOf(type);
          noOutput("bad.out");
        }
      }
    }
  });

  it("an abort half-way stops the threads and leaves no output, both ways, on the workers and on this thread", async () => {
    // Small frames make the job long enough (over 100 ms) for this thread to see progress and abort well before the end.
    const plaintext = random(12 * MiB);
    write("a", plaintext);
    await encryptFile(path("a"), path("a.enc"), { keyring: ours, frameLength: 64, workers: 2 });
    for (const workers of [2, 0]) {
      for (const run of [encryptFile, decryptFile]) {
        const controller = new AbortController();
        let last = 0;
        let size = 0;
        const onProgress = (done: number, total: number) => {
          [last, size] = [done, total];
          if (done > total / 3) controller.abort(new Error("stop here"));
        };
        const input = run === encryptFile ? path("a") : path("a.enc");
        await expect(run(input, path("a.out"), { keyring: ours, frameLength: 64, workers, signal: controller.signal, onProgress })).rejects.toThrow("stop here");
        noOutput("a.out");
        expect(last, `${run.name}, ${workers} workers: stopped before the end`).toBeLessThan(size);
      }
    }
  });

  it("progress rises to the input's size; two jobs at once share the pool", async () => {
    const plaintext = random(5 * MiB + 3);
    write("p", plaintext);
    const seen: number[] = [];
    const onProgress = (done: number, total: number) => {
      expect(total).toBe(plaintext.length);
      seen.push(done);
    };
    await encryptFile(path("p"), path("p.enc"), { keyring: ours, workers: 2, onProgress });
    expect(seen.at(-1)).toBe(plaintext.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const size = read("p.enc").length;
    const decrypted: number[] = [];
    await decryptFile(path("p.enc"), path("p.out"), { keyring: ours, workers: 2, onProgress: (d) => decrypted.push(d) });
    expect(decrypted.at(-1)).toBe(size);
    expect([...decrypted].sort((a, b) => a - b)).toEqual(decrypted);
    const other = random(4 * MiB);
    write("q", other);
    await Promise.all([
      encryptFile(path("p"), path("p2.enc"), { keyring: ours, workers: 2, suite: 0x0578 }),
      encryptFile(path("q"), path("q.enc"), { keyring: ours, workers: 2 }),
      decryptFile(path("p.enc"), path("p2.out"), { keyring: ours, workers: 2 }),
    ]);
    expect(bytesEqual((await requireClient.decrypt(theirs, read("p2.enc"))).plaintext, plaintext)).toBe(true);
    expect(bytesEqual((await decrypt(ours, read("q.enc"))).plaintext, other)).toBe(true);
    expect(bytesEqual(read("p2.out"), plaintext)).toBe(true);
  });
});
