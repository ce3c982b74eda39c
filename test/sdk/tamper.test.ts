/**
 * Tampering and truncation: every byte of a small message (header fields,
 * regular frames, the final frame, the signature footer) flipped in turn must
 * give a typed error, from one-shot decrypt (no plaintext) and from
 * decryptStream (no plaintext from the damaged frame or after it; with a
 * signed suite, never the final frame).
 */
import { describe, expect, it } from "vitest";
import {
  decrypt,
  decryptStream,
  encrypt,
  FrameAuthenticationError,
  HeaderAuthenticationError,
  KeyCommitmentError,
  type MaterialsManager,
  MalformedMessageError,
  MultiKeyring,
  decryptionMaterials,
  SdkError,
  SignatureVerificationError,
  TooManyEncryptedDataKeysError,
  withDecryptedDataKey,
} from "../../src/sdk/index.js";
import { bytesEqual, concat, footerLength, keyringPair, random, randomChunks, runStream, sdkError } from "./helpers.js";

const F = 16;
const PLAINTEXT_LENGTH = 2 * F + 8; // two regular frames and a final frame of 8 bytes
const REGULAR = 4 + 12 + F + 16;
const FINAL = 4 + 4 + 12 + 4 + 8 + 16;

/** Byte ranges of the message's parts, from the header we know. */
function layout(message: Uint8Array, headerLength: number) {
  const frames = headerLength;
  const final = frames + 2 * REGULAR;
  const footer = final + FINAL;
  return { frames, final, footer, end: message.length };
}

async function sample(suite: 0x0478 | 0x0578) {
  const { ours } = keyringPair();
  const plaintext = random(PLAINTEXT_LENGTH);
  const { result, header } = await encrypt(ours, plaintext, { frameLength: F, suite, encryptionContext: { k: "v" } });
  const footer = suite === 0x0578 ? 2 + footerLength(result) : 0;
  const headerLength = result.length - 2 * REGULAR - FINAL - footer;
  return { keyring: ours, plaintext, message: result, header, headerLength };
}

for (const suite of [0x0478, 0x0578] as const) {
  describe(`suite 0x0${suite.toString(16)}`, () => {
    it("the sample decrypts (control)", async () => {
      const s = await sample(suite);
      expect(bytesEqual((await decrypt(s.keyring, s.message)).plaintext, s.plaintext)).toBe(true);
      const { out, error } = await runStream(decryptStream(s.keyring), randomChunks(s.message, 50));
      expect(error).toBeUndefined();
      expect(bytesEqual(concat(out), s.plaintext)).toBe(true);
    });

    it("every flipped byte: a typed error, no plaintext one-shot, nothing unverified from the stream", async () => {
      const s = await sample(suite);
      const L = layout(s.message, s.headerLength);
      const names = new Map<string, Set<string>>();
      for (let p = 0; p < s.message.length; p++) {
        const bad = s.message.slice();
        bad[p] ^= p % 2 ? 0x01 : 0x80;
        const err = await sdkError(decrypt(s.keyring, bad));
        const region =
          p < L.frames ? "header" : p < L.final ? "regular frame" : p < L.footer ? "final frame" : "footer";
        if (!names.has(region)) names.set(region, new Set());
        names.get(region)!.add(err.name);

        const { out, error } = await runStream(decryptStream(s.keyring), randomChunks(bad, 40));
        expect(error, `byte ${p}`).toBeInstanceOf(SdkError);
        const released = concat(out);
        // Only whole frames before the damaged one may have come out, and they are the real plaintext.
        const framesBefore = p < L.frames ? 0 : p < L.final ? Math.floor((p - L.frames) / REGULAR) : 2;
        expect(released.length, `byte ${p}`).toBeLessThanOrEqual(framesBefore * F);
        expect(bytesEqual(released, s.plaintext.subarray(0, released.length))).toBe(true);
      }
      // The errors say what broke.
      expect([...names.get("regular frame")!]).toEqual(expect.arrayContaining(["FrameAuthenticationError", "MalformedMessageError"]));
      expect([...names.get("final frame")!]).toEqual(expect.arrayContaining(["FrameAuthenticationError", "MalformedMessageError"]));
      expect([...names.get("header")!]).toEqual(
        expect.arrayContaining(["HeaderAuthenticationError", "KeyCommitmentError", "MalformedMessageError", "NoDecryptableDataKeyError"]),
      );
      if (suite === 0x0578) expect([...names.get("footer")!]).toContain("SignatureVerificationError");
    });

    it("named header fields give the expected errors", async () => {
      const s = await sample(suite);
      const flip = (p: number) => {
        const bad = s.message.slice();
        bad[p] ^= 1;
        return decrypt(s.keyring, bad);
      };
      const body = s.headerLength - 16;
      expect(await sdkError(flip(0))).toBeInstanceOf(MalformedMessageError); // version
      expect(await sdkError(flip(3))).toBeInstanceOf(KeyCommitmentError); // message ID (the commitment key's salt)
      expect(await sdkError(flip(body - 34))).toBeInstanceOf(HeaderAuthenticationError); // frame length
      expect(await sdkError(flip(body - 37))).toBeInstanceOf(MalformedMessageError); // content type
      expect(await sdkError(flip(body - 1))).toBeInstanceOf(KeyCommitmentError); // suite data
      expect(await sdkError(flip(body + 3))).toBeInstanceOf(HeaderAuthenticationError); // header tag
      expect(await sdkError(flip(s.headerLength + 20))).toBeInstanceOf(FrameAuthenticationError); // regular frame ciphertext
      expect(await sdkError(flip(s.headerLength + 3))).toBeInstanceOf(MalformedMessageError); // sequence number
      expect(await sdkError(flip(s.headerLength + 10))).toBeInstanceOf(MalformedMessageError); // IV
    });

    it("every truncation and trailing bytes: typed errors; the stream holds back what it cannot vouch for", async () => {
      const s = await sample(suite);
      const L = layout(s.message, s.headerLength);
      for (let n = 0; n < s.message.length; n++) {
        const cut = s.message.subarray(0, n);
        expect(await sdkError(decrypt(s.keyring, cut))).toBeInstanceOf(MalformedMessageError);
        const { out, error } = await runStream(decryptStream(s.keyring), randomChunks(cut, 30));
        expect(error).toBeInstanceOf(MalformedMessageError);
        const released = concat(out);
        const complete = n < L.frames ? 0 : Math.min(2, Math.floor((n - L.frames) / REGULAR));
        // Unsigned: regular frames and (once whole) the final frame; signed: never the final frame without the signature.
        const limit = suite === 0x0578 || n < L.footer ? complete * F : PLAINTEXT_LENGTH;
        expect(released.length, `cut at ${n}`).toBeLessThanOrEqual(limit);
        expect(bytesEqual(released, s.plaintext.subarray(0, released.length))).toBe(true);
      }
      const longer = concat([s.message, new Uint8Array(1)]);
      expect(await sdkError(decrypt(s.keyring, longer))).toBeInstanceOf(MalformedMessageError);
      expect((await runStream(decryptStream(s.keyring), [longer])).error).toBeInstanceOf(MalformedMessageError);
    });
  });
}

describe("signature footer", () => {
  it("a signature from another message, and a bad signature length, are refused", async () => {
    const a = await sample(0x0578);
    const { result: other } = await encrypt(a.keyring, a.plaintext, { frameLength: F, suite: 0x0578, encryptionContext: { k: "v" } });
    const fa = footerLength(a.message);
    const fb = footerLength(other);
    const swapped = concat([a.message.subarray(0, a.message.length - fa - 2), other.subarray(other.length - fb - 2)]);
    expect(await sdkError(decrypt(a.keyring, swapped))).toBeInstanceOf(SignatureVerificationError);
    const noFooter = a.message.subarray(0, a.message.length - fa - 2);
    expect(await sdkError(decrypt(a.keyring, concat([noFooter, Uint8Array.of(0, 0)])))).toBeInstanceOf(MalformedMessageError);
    expect(await sdkError(decrypt(a.keyring, concat([noFooter, Uint8Array.of(0, 200), random(200)])))).toBeInstanceOf(MalformedMessageError);
  });
});

describe("data key commitment and limits", () => {
  it("a materials manager handing out a different data key fails key commitment", async () => {
    const s = await sample(0x0478);
    const liar: MaterialsManager = {
      getEncryptionMaterials: () => Promise.reject(new Error("unused")),
      decryptMaterials: async (req) => withDecryptedDataKey(decryptionMaterials(req.suite, req.encryptionContext), random(32)),
    };
    expect(await sdkError(decrypt(liar, s.message))).toBeInstanceOf(KeyCommitmentError);
  });

  it("maxEncryptedDataKeys: refused on decrypt before any keyring runs, and on encrypt", async () => {
    const a = keyringPair({ keyName: "a" });
    const b = keyringPair({ keyName: "b" });
    const multi = new MultiKeyring({ generator: a.ours, children: [b.ours] });
    const plaintext = random(100);
    const { result } = await encrypt(multi, plaintext, { maxEncryptedDataKeys: 2 });
    let calls = 0;
    const spy = { onEncrypt: a.ours.onEncrypt.bind(a.ours), onDecrypt: (m: never, e: never) => (calls++, a.ours.onDecrypt(m, e)) };
    expect(await sdkError(decrypt(spy, result, { maxEncryptedDataKeys: 1 }))).toBeInstanceOf(TooManyEncryptedDataKeysError);
    expect(calls).toBe(0);
    expect(bytesEqual((await decrypt(spy, result, { maxEncryptedDataKeys: 2 })).plaintext, plaintext)).toBe(true);
    expect(await sdkError(encrypt(multi, plaintext, { maxEncryptedDataKeys: 1 }))).toBeInstanceOf(TooManyEncryptedDataKeysError);
    const { out, error } = await runStream(decryptStream(spy, { maxEncryptedDataKeys: 1 }), [result]);
    expect(error).toBeInstanceOf(TooManyEncryptedDataKeysError);
    expect(out).toEqual([]);
  });

  it("maxFrameLength and rejectSignedSuites refuse before any body bytes", async () => {
    const s = await sample(0x0578);
    expect((await runStream(decryptStream(s.keyring, { maxFrameLength: F - 1 }), [s.message])).error).toBeInstanceOf(MalformedMessageError);
    expect((await runStream(decryptStream(s.keyring, { rejectSignedSuites: true }), [s.message])).error).toBeInstanceOf(SdkError);
    const u = await sample(0x0478);
    expect((await runStream(decryptStream(u.keyring, { rejectSignedSuites: true, maxFrameLength: F }), [u.message])).error).toBeUndefined();
  });
});
