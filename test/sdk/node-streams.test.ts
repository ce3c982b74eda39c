/**
 * The Node stream adapters: encryptNodeStream/decryptNodeStream in a
 * stream.pipeline, and Readable/Writable ↔ web streams with backpressure and
 * errors carried across.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { decrypt, decryptStream, encrypt, encryptStream, FrameAuthenticationError } from "../../src/sdk/index.js";
import { decryptNodeStream, encryptNodeStream, nodeReadableToWeb, nodeWritableToWeb } from "../../src/sdk/node-streams.node.js";
import { bytesEqual, concat, keyringPair, random, randomChunks, requireClient } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "wasmkms-streams-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Writable that keeps what it gets, slowly if asked (a small buffer, so backpressure kicks in). */
function collector(delayMs = 0) {
  const parts: Uint8Array[] = [];
  const writable = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _e, cb) {
      parts.push(new Uint8Array(chunk));
      if (delayMs) setTimeout(cb, delayMs);
      else cb();
    },
  });
  return { writable, bytes: () => concat(parts) };
}

describe("encryptNodeStream / decryptNodeStream", () => {
  const { ours, theirs } = keyringPair();

  it("round trip through stream.pipeline, in random chunks, both suites; client-node reads the output", async () => {
    for (const suite of [0x0478, 0x0578] as const) {
      const plaintext = random(200_000);
      const enc = collector();
      const e = encryptNodeStream(ours, { suite, encryptionContext: { via: "node" } });
      await pipeline(Readable.from(randomChunks(plaintext, 9000)), e, enc.writable);
      expect((await e.header).suiteId).toBe(suite);
      const message = enc.bytes();
      expect(bytesEqual((await requireClient.decrypt(theirs, message)).plaintext, plaintext)).toBe(true);
      const dec = collector(1);
      const d = decryptNodeStream(ours);
      await pipeline(Readable.from(randomChunks(message, 7000)), d, dec.writable);
      expect(bytesEqual(dec.bytes(), plaintext)).toBe(true);
      expect((await d.header).encryptionContext).toMatchObject({ via: "node" });
    }
  });

  it("a tampered message fails the pipeline with the SDK's error", async () => {
    const { result } = await encrypt(ours, random(50_000));
    result[result.length - 20] ^= 1;
    const dec = collector();
    await expect(pipeline(Readable.from([result]), decryptNodeStream(ours), dec.writable)).rejects.toBeInstanceOf(FrameAuthenticationError);
  });
});

describe("nodeReadableToWeb / nodeWritableToWeb", () => {
  const { ours } = keyringPair();

  it("carry files through the web streams, with backpressure (several MiB into a slow small-buffered sink)", async () => {
    const plaintext = random(3 * 1024 * 1024 + 3);
    writeFileSync(join(dir, "in"), plaintext);
    let seen = 0;
    await nodeReadableToWeb(createReadStream(join(dir, "in"), { highWaterMark: 64 * 1024 }), (c) => (seen += c.length))
      .pipeThrough(encryptStream(ours))
      .pipeTo(nodeWritableToWeb(createWriteStream(join(dir, "enc"))));
    expect(seen).toBe(plaintext.length);
    const slow = collector(0);
    await nodeReadableToWeb(createReadStream(join(dir, "enc"))).pipeThrough(decryptStream(ours)).pipeTo(nodeWritableToWeb(slow.writable));
    expect(bytesEqual(slow.bytes(), plaintext)).toBe(true);
    expect(bytesEqual((await decrypt(ours, new Uint8Array(readFileSync(join(dir, "enc"))))).plaintext, plaintext)).toBe(true);
  });

  it("report a failing Writable to the web side, and a failing Readable too", async () => {
    const failing = new Writable({ write: (_c, _e, cb) => cb(new Error("disk full")) });
    await expect(
      nodeReadableToWeb(Readable.from([random(10_000)])).pipeThrough(encryptStream(ours)).pipeTo(nodeWritableToWeb(failing)),
    ).rejects.toThrow("disk full");
    const broken = new Readable({ read() { this.destroy(new Error("read failed")); } });
    await expect(nodeReadableToWeb(broken).pipeThrough(encryptStream(ours)).pipeTo(new WritableStream())).rejects.toThrow("read failed");
  });
});
