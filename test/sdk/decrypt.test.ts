/**
 * One-shot decrypt of a whole message: the framing is read first, so every
 * frame is opened straight into one array of exactly the plaintext's length,
 * which is the result (no concatenation). A failing frame wipes that array;
 * an irregular body is read frame by frame and fails as a stream would.
 */
import { AlgorithmSuiteIdentifier } from "@aws-crypto/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FrameOpener } from "../../src/sdk/frame-opener.js";
import { decrypt, decryptStream, encrypt, FrameAuthenticationError, MalformedMessageError } from "../../src/sdk/index.js";
import { bytesEqual, concat, footerLength, forbidClient, keyringPair, random, randomChunks, requireClient, runStream, sdkError } from "./helpers.js";

const SUITES = [0x0478, 0x0578] as const;

/** Counts FrameOpener.open / openInto calls and finds the array frames were opened into. */
function watchOpener() {
  const open = vi.spyOn(FrameOpener.prototype, "open");
  const openInto = vi.spyOn(FrameOpener.prototype, "openInto");
  /** The one array every frame was opened into (fails if there were several). */
  const output = () => {
    const outputs = new Set(openInto.mock.calls.map((c) => c[2]));
    expect(outputs.size).toBe(1);
    return [...outputs][0];
  };
  return { open, openInto, output };
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Where frame `seq` (1-based, regular) of a message starts, given the header length. */
const frameAt = (headerLength: number, frameLength: number, seq: number) => headerLength + (seq - 1) * (4 + 12 + frameLength + 16);

/** The header length of our message with `frames` regular frames, a final frame of `last` bytes and no footer. */
const headerLengthOf = (message: Uint8Array, frameLength: number, frames: number, last: number) =>
  message.length - frames * (4 + 12 + frameLength + 16) - (4 + 4 + 12 + 4 + last + 16);

describe("one-shot decrypt into one array", () => {
  for (const suite of SUITES) {
    it(`suite 0x0${suite.toString(16)}: frame lengths 1 … 4 KiB, empty, exact multiples and ±1: exactly the plaintext, in an array of its size`, async () => {
      const { ours } = keyringPair();
      for (const F of [1, 7, 64, 1000, 4096]) {
        for (const n of [0, 1, F - 1, F, F + 1, 3 * F, 3 * F + 5]) {
          const plaintext = random(n);
          const { result } = await encrypt(ours, plaintext, { frameLength: F, suite });
          const watch = watchOpener();
          const { plaintext: out } = await decrypt(ours, result);
          expect(bytesEqual(out, plaintext), `F ${F}, n ${n}`).toBe(true);
          expect(out.length).toBe(n);
          if (n > 0) expect(out.buffer.byteLength, `F ${F}, n ${n}`).toBe(n);
          expect(watch.open).not.toHaveBeenCalled();
          expect(watch.openInto).toHaveBeenCalledTimes(Math.floor(n / F) + 1);
          if (n > 0) expect(watch.output()).toBe(out);
          vi.restoreAllMocks();
        }
      }
    });
  }

  it("4 MiB in 4 KiB frames (1,025 frames): one array, no copy", async () => {
    const { ours } = keyringPair();
    const plaintext = random(4 * 2 ** 20 + 3);
    const { result } = await encrypt(ours, plaintext, { frameLength: 4096 });
    const watch = watchOpener();
    const { plaintext: out } = await decrypt(ours, result);
    expect(out.length).toBe(plaintext.length);
    expect(out.buffer.byteLength).toBe(plaintext.length);
    expect(bytesEqual(out, plaintext)).toBe(true);
    expect(watch.openInto).toHaveBeenCalledTimes(1025);
    expect(watch.output()).toBe(out);
  });

  it("messages from client-node: v2 signed, and a v1 AES-128 suite (WebCrypto frames, opened into the array too)", async () => {
    const { ours, theirs } = keyringPair();
    const plaintext = random(1000);
    const v2 = (await requireClient.encrypt(theirs, plaintext, { frameLength: 64 })).result;
    const suiteId = AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256;
    const v1 = (await forbidClient.encrypt(theirs, plaintext, { frameLength: 100, suiteId })).result;
    for (const [message, options] of [[v2, {}], [v1, { commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" as const }]] as const) {
      const { plaintext: out } = await decrypt(ours, message, options);
      expect(bytesEqual(out, plaintext)).toBe(true);
      expect(out.buffer.byteLength).toBe(plaintext.length);
    }
  });

  for (const suite of SUITES) {
    it(`suite 0x0${suite.toString(16)}: a tampered frame in the middle (or the final frame) fails; nothing is returned and the array is wiped`, async () => {
      const { ours } = keyringPair();
      const F = 256;
      const plaintext = random(8 * F + 10);
      const { result } = await encrypt(ours, plaintext, { frameLength: F, suite });
      const headerLength = headerLengthOf(result, F, 8, 10) - (suite === 0x0578 ? 2 + footerLength(result) : 0);
      for (const [seq, at] of [[4, frameAt(headerLength, F, 4) + 16 + 100], [9, frameAt(headerLength, F, 9) + 24 + 3]]) {
        const bad = result.slice();
        bad[at] ^= 1;
        const watch = watchOpener();
        let returned: unknown;
        const err = await sdkError(
          decrypt(ours, bad).then((r) => {
            returned = r;
          }),
        );
        expect(err).toBeInstanceOf(FrameAuthenticationError);
        expect(err.message).toContain(`frame ${seq}`);
        expect(returned).toBeUndefined();
        expect(watch.openInto).toHaveBeenCalledTimes(seq);
        const out = watch.output();
        expect(out.length).toBe(plaintext.length);
        expect(out.every((b) => b === 0)).toBe(true);
        vi.restoreAllMocks();
      }
    });
  }

  it("an irregular body is read frame by frame, with the same errors as before", async () => {
    const { ours } = keyringPair();
    const F = 64;
    const plaintext = random(3 * F + 1);
    const { result } = await encrypt(ours, plaintext, { frameLength: F });
    const headerLength = headerLengthOf(result, F, 3, 1);
    // Frames 2 and 3 swapped: frame 1 opens, then the order is refused.
    const swapped = concat([
      result.subarray(0, frameAt(headerLength, F, 2)),
      result.subarray(frameAt(headerLength, F, 3), frameAt(headerLength, F, 4)),
      result.subarray(frameAt(headerLength, F, 2), frameAt(headerLength, F, 3)),
      result.subarray(frameAt(headerLength, F, 4)),
    ]);
    const cases: [Uint8Array, RegExp][] = [
      [swapped, /frame sequence number 3 where 2 was expected/],
      [concat([result, new Uint8Array(1)]), /bytes after the end of the message/],
      [result.subarray(0, result.length - 1), /the message ends early \(truncated in the body\)/],
    ];
    for (const [message, why] of cases) {
      const watch = watchOpener();
      const err = await sdkError(decrypt(ours, message));
      expect(err).toBeInstanceOf(MalformedMessageError);
      expect(err.message).toMatch(why);
      expect(watch.openInto).not.toHaveBeenCalled();
      expect(watch.open).toHaveBeenCalled();
      vi.restoreAllMocks();
    }
  });

  it("a message whose framing changes while it is decrypted fails, wiped, instead of returning padding", async () => {
    // The array is sized from the framing read first; a caller's SharedArrayBuffer (or code running while a
    // WebCrypto frame is awaited) could change a length afterwards. Here a spy plays that other writer.
    const { ours } = keyringPair();
    const F = 64;
    const last = 5;
    const plaintext = random(3 * F + last);
    const { result } = await encrypt(ours, plaintext, { frameLength: F, suite: 0x0578 });
    // The final frame: FFFFFFFF ‖ seq ‖ IV ‖ content length ‖ ciphertext ‖ tag, then the footer.
    const lengthAt = result.length - 2 - footerLength(result) - (last + 16) - 4;
    expect(result[lengthAt + 3]).toBe(last);
    result[lengthAt + 3] = last + 10; // what the framing walk sees: 10 bytes more, reaching into the footer
    const openInto = FrameOpener.prototype.openInto;
    const spy = vi.spyOn(FrameOpener.prototype, "openInto").mockImplementation(function (this: FrameOpener, ...args) {
      result[lengthAt + 3] = last; // the other writer puts the length back before the frames are read
      return openInto.apply(this, args);
    });
    const err = await sdkError(decrypt(ours, result));
    expect(err).toBeInstanceOf(MalformedMessageError);
    expect(err.message).toMatch(/changed while it was being decrypted/);
    const out = spy.mock.calls[0][2];
    expect(out.length).toBe(plaintext.length + 10);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  it("decryptStream still opens frame by frame, never into one array", async () => {
    const { ours } = keyringPair();
    const plaintext = random(5000);
    const { result } = await encrypt(ours, plaintext, { frameLength: 512 });
    const watch = watchOpener();
    const { out, error } = await runStream(decryptStream(ours), randomChunks(result, 700));
    expect(error).toBeUndefined();
    expect(bytesEqual(concat(out), plaintext)).toBe(true);
    expect(watch.openInto).not.toHaveBeenCalled();
    expect(watch.open).toHaveBeenCalledTimes(10);
  });
});
