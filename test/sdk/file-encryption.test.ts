/**
 * encryptFile / decryptFile (Node): frames spread over worker threads give the
 * same message format as one-shot encrypt (client-node and `decrypt` read it;
 * decryptFile reads theirs), for the edge sizes and several MiB, both suites;
 * a failure (tampering, wrong key, a missing input) leaves no output file and
 * no temporary file behind.
 */
import { AlgorithmSuiteIdentifier } from "@aws-crypto/client-node";
import { existsSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decrypt, encrypt, FrameAuthenticationError, MalformedMessageError, NoDecryptableDataKeyError, SignatureVerificationError } from "../../src/sdk/index.js";
import { decryptFile, encryptFile } from "../../src/sdk/file-encryption.node.js";
import { closeFrameWorkers } from "../../src/sdk/frame-workers.node.js";
import { bytesEqual, concat, forbidClient, keyringPair, random, requireClient, sdkError, tempFiles } from "./helpers.js";

const { dir, path, read, write, noTemporaries } = tempFiles("wasmkms-files-", closeFrameWorkers);
const MiB = 1024 * 1024;
const F = 4096;

describe("encryptFile / decryptFile", () => {
  const { ours, theirs } = keyringPair();
  const context = { file: "yes", purpose: "bulk" };

  it("round trip at the edge sizes (empty, one frame, ±1) on this thread, readable by client-node and decrypt", async () => {
    for (const size of [0, 1, F - 1, F, F + 1]) {
      const plaintext = random(size);
      const { header, bytesIn, bytesOut } = await encryptFile(write("in", plaintext), path("enc"), { keyring: ours, encryptionContext: context });
      expect(bytesIn).toBe(size);
      const message = read("enc");
      expect(bytesOut).toBe(message.length);
      expect(header.frameLength).toBe(F);
      // The same bytes as one-shot encrypt would make, but for the random message id and data key.
      const oneShot = await encrypt(ours, plaintext, { encryptionContext: context });
      expect(message.length).toBe(oneShot.result.length);
      expect(bytesEqual((await requireClient.decrypt(theirs, message)).plaintext, plaintext), `client-node ${size}`).toBe(true);
      expect(bytesEqual((await decrypt(ours, message)).plaintext, plaintext)).toBe(true);
      const opened = await decryptFile(path("enc"), path("out"), { keyring: ours });
      expect(opened.header.encryptionContext).toMatchObject(context);
      expect(bytesEqual(read("out"), plaintext), `decryptFile ${size}`).toBe(true);
    }
    noTemporaries();
  });

  for (const suite of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suite.toString(16)}: several MiB over 2 workers, both ways with client-node`, async () => {
      const plaintext = random(5 * MiB + 123);
      write("big", plaintext);
      await encryptFile(path("big"), path("big.enc"), { keyring: ours, encryptionContext: context, suite, workers: 2 });
      const message = read("big.enc");
      expect(bytesEqual((await requireClient.decrypt(theirs, message)).plaintext, plaintext)).toBe(true);
      await decryptFile(path("big.enc"), path("big.out"), { keyring: ours, workers: 2 });
      expect(bytesEqual(read("big.out"), plaintext)).toBe(true);
      // Theirs, with another frame length, through our workers.
      const their = await requireClient.encrypt(theirs, plaintext, { encryptionContext: context, suiteId: suite, frameLength: 10_000 });
      write("their.enc", their.result);
      const r = await decryptFile(path("their.enc"), path("their.out"), { keyring: ours, workers: 2 });
      expect(r.header.frameLength).toBe(10_000);
      expect(bytesEqual(read("their.out"), plaintext)).toBe(true);
      noTemporaries();
    });
  }

  it("frame lengths that do not divide the batch (1000, 64) and a whole file in one frame; progress reaches the size", async () => {
    const plaintext = random(3 * MiB + 7);
    write("odd", plaintext);
    for (const frameLength of [1000, 4 * MiB, 64]) {
      const seen: number[] = [];
      await encryptFile(path("odd"), path("odd.enc"), { keyring: ours, frameLength, workers: 2, onProgress: (d) => seen.push(d) });
      expect(seen.at(-1)).toBe(plaintext.length);
      expect(bytesEqual((await decrypt(ours, read("odd.enc"))).plaintext, plaintext)).toBe(true);
      await decryptFile(path("odd.enc"), path("odd.out"), { keyring: ours, workers: 2 });
      expect(bytesEqual(read("odd.out"), plaintext)).toBe(true);
    }
  });

  it("v1 messages under REQUIRE_ENCRYPT_ALLOW_DECRYPT: 256-bit suites on the workers, 128-bit ones on one thread", async () => {
    const plaintext = random(3 * MiB);
    for (const suiteId of [AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384, AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256]) {
      write("v1.enc", (await forbidClient.encrypt(theirs, plaintext, { suiteId })).result);
      expect(await sdkError(decryptFile(path("v1.enc"), path("v1.out"), { keyring: ours }))).toHaveProperty("name", "CommitmentPolicyError");
      expect(existsSync(path("v1.out"))).toBe(false);
      await decryptFile(path("v1.enc"), path("v1.out"), { keyring: ours, commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT", workers: 2 });
      expect(bytesEqual(read("v1.out"), plaintext)).toBe(true);
      rmSync(path("v1.out"));
    }
  });

  it("a failure leaves no output: tampered frames, tag, signature, truncation, trailing bytes, a wrong key, a missing input", async () => {
    const plaintext = random(3 * MiB + 100);
    write("t", plaintext);
    await encryptFile(path("t"), path("t.enc"), { keyring: ours, workers: 2 });
    await encryptFile(path("t"), path("t.sig"), { keyring: ours, workers: 2, suite: 0x0578 });
    const good = read("t.enc");
    const signed = read("t.sig");
    const flip = (m: Uint8Array, at: number) => {
      const c = m.slice();
      c[at] ^= 1;
      return c;
    };
    const cases: [string, Uint8Array, new (...a: never[]) => Error][] = [
      ["a frame in the middle", flip(good, Math.floor(good.length / 2)), FrameAuthenticationError],
      ["the last tag", flip(good, good.length - 1), FrameAuthenticationError],
      ["truncated", good.subarray(0, good.length - 10), MalformedMessageError],
      ["truncated at a frame boundary", good.subarray(0, good.length - 200), MalformedMessageError],
      ["trailing bytes", concat([good, Uint8Array.of(0)]), MalformedMessageError],
      ["the signature", flip(signed, signed.length - 5), SignatureVerificationError],
    ];
    for (const [what, message, type] of cases) {
      write("bad.enc", message);
      const err = await sdkError(decryptFile(path("bad.enc"), path("bad.out"), { keyring: ours, workers: 2 }));
      expect(err, what).toBeInstanceOf(type);
      expect(existsSync(path("bad.out")), what).toBe(false);
    }
    const other = keyringPair();
    expect(await sdkError(decryptFile(path("t.enc"), path("bad.out"), { keyring: other.ours }))).toBeInstanceOf(NoDecryptableDataKeyError);
    await expect(encryptFile(path("missing"), path("bad.out"), { keyring: ours })).rejects.toMatchObject({ code: "ENOENT" });
    expect(existsSync(path("bad.out"))).toBe(false);
    // An existing output is replaced only on success.
    write("keep", Uint8Array.of(1, 2, 3));
    write("bad.enc", flip(good, 5000));
    await sdkError(decryptFile(path("bad.enc"), path("keep"), { keyring: ours, workers: 2 }));
    expect(read("keep")).toEqual(Uint8Array.of(1, 2, 3));
    noTemporaries();
  });

  it("encrypts a file in place (input = output), and stops on an aborted signal", async () => {
    const plaintext = random(3 * MiB);
    write("inplace", plaintext);
    await encryptFile(path("inplace"), path("inplace"), { keyring: ours, workers: 2 });
    await decryptFile(path("inplace"), path("inplace"), { keyring: ours, workers: 2 });
    expect(bytesEqual(read("inplace"), plaintext)).toBe(true);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(encryptFile(path("inplace"), path("aborted"), { keyring: ours, signal: controller.signal })).rejects.toThrow("stop");
    expect(existsSync(path("aborted"))).toBe(false);
    noTemporaries();
  });

  it("refuses what is not a regular file (a /proc file reports size 0) instead of encrypting it as empty", async () => {
    await expect(encryptFile("/proc/self/status", path("proc-enc"), { keyring: ours })).rejects.toThrow(/not a regular file with a known size/);
    await expect(encryptFile(dir, path("dir-enc"), { keyring: ours })).rejects.toThrow();
    expect(existsSync(path("proc-enc"))).toBe(false);
    noTemporaries();
  });

  it("an onProgress that throws fails the call with its error and leaves no output (workers, both suites)", async () => {
    const plaintext = random(3 * MiB);
    write("progress-in", plaintext);
    const throwingOnThird = () => {
      let calls = 0;
      return () => {
        if (++calls === 3) throw new Error("progress failed");
      };
    };
    for (const suite of [0x0478, 0x0578] as const) {
      const encrypting = encryptFile(path("progress-in"), path(`progress-enc-${suite}`), { keyring: ours, suite, workers: 2, onProgress: throwingOnThird() });
      await expect(encrypting).rejects.toThrow("progress failed");
      expect(existsSync(path(`progress-enc-${suite}`))).toBe(false);
      await encryptFile(path("progress-in"), path(`progress-enc-${suite}`), { keyring: ours, suite, workers: 2 });
      const decrypting = decryptFile(path(`progress-enc-${suite}`), path(`progress-out-${suite}`), { keyring: ours, workers: 2, onProgress: throwingOnThird() });
      await expect(decrypting).rejects.toThrow("progress failed");
      expect(existsSync(path(`progress-out-${suite}`))).toBe(false);
      noTemporaries();
    }
  });
});
