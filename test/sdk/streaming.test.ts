/**
 * encryptStream/decryptStream: any chunking gives exactly the one-shot bytes
 * and plaintext; headers arrive through the `header` promise; errors reject.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  decrypt,
  DefaultMaterialsManager,
  decryptStream,
  encrypt,
  encryptStream,
  InvalidParameterError,
  type Keyring,
  KeyringError,
  type MaterialsManager,
  NoDecryptableDataKeyError,
} from "../../src/sdk/index.js";
import { RandomPool } from "../../src/kms/random-pool.js";
import { bytesEqual, concat, keyringPair, random, randomChunks, requireClient, runStream } from "./helpers.js";

const F = 4096;

/** Makes crypto.getRandomValues deterministic (xorshift) until restored, so two encryptions can be compared byte for byte. */
/** Makes the CSPRNG (and the pool message IDs are drawn from) deterministic until vi.restoreAllMocks(). */
function seedRandom(seed: number) {
  let x = seed >>> 0 || 1;
  const fill = <T extends ArrayBufferView | null>(array: T): T => {
    const b = new Uint8Array(array!.buffer, array!.byteOffset, array!.byteLength);
    for (let i = 0; i < b.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
    return array;
  };
  vi.spyOn(RandomPool.prototype, "take").mockImplementation((n: number) => fill(new Uint8Array(n)));
  return vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(fill);
}

afterEach(() => vi.restoreAllMocks());

/** A signed message without its footer (u16 length ‖ DER signature, whose length the footer's own prefix tells). */
function withoutFooter(message: Uint8Array): Uint8Array {
  for (let n = 8; n <= 104; n++) {
    const at = message.length - 2 - n;
    if (((message[at] << 8) | message[at + 1]) === n && message[at + 2] === 0x30) return message.subarray(0, at);
  }
  throw new Error("no footer found");
}

describe("encryptStream", () => {
  for (const suite of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suite.toString(16)}: same bytes as one-shot encrypt for random chunkings (same materials and message ID)`, async () => {
      const { ours, theirs } = keyringPair();
      for (const size of [0, 1, F - 1, F, F + 1, 5 * F + 3, 300_000]) {
        const plaintext = random(size);
        const options = { suite, encryptionContext: { size: String(size) } };
        // One set of materials for both, and the same seeded message ID.
        const materials = await new DefaultMaterialsManager(ours).getEncryptionMaterials({
          ...options,
          suiteId: suite,
          commitmentPolicy: "REQUIRE_ENCRYPT_REQUIRE_DECRYPT",
        });
        const fixed: MaterialsManager = { getEncryptionMaterials: async () => materials, decryptMaterials: () => Promise.reject(new Error()) };
        const seed = 1 + size;
        seedRandom(seed);
        const { result } = await encrypt(fixed, plaintext, options);
        vi.restoreAllMocks();
        // Signatures differ (one-shot signs with WebCrypto, streams over a digest with noble; both use fresh nonces).
        for (const max of [1, 100, F + 7, 50_000]) {
          if (max === 1 && size > 10_000) continue;
          seedRandom(seed);
          const stream = encryptStream(fixed, options);
          const { out, error } = await runStream(stream, randomChunks(plaintext, max));
          vi.restoreAllMocks();
          expect(error).toBeUndefined();
          const streamed = concat(out);
          if (suite === 0x0478) {
            expect(bytesEqual(streamed, result), `size ${size} chunks ≤ ${max}`).toBe(true);
          } else {
            const body = withoutFooter(result);
            expect(bytesEqual(withoutFooter(streamed), body), `size ${size} chunks ≤ ${max}`).toBe(true);
            expect(bytesEqual((await decrypt(ours, streamed)).plaintext, plaintext)).toBe(true);
            expect(bytesEqual((await requireClient.decrypt(theirs, streamed)).plaintext, plaintext)).toBe(true);
          }
          expect((await stream.header).suiteId).toBe(suite);
        }
      }
    });
  }

  it("streamed messages decrypt with client-node", async () => {
    const { ours, theirs } = keyringPair();
    for (const suite of [0x0478, 0x0578] as const) {
      const plaintext = random(3 * F + 11);
      const { out } = await runStream(encryptStream(ours, { suite, frameLength: 1000 }), randomChunks(plaintext, 3000));
      expect(bytesEqual((await requireClient.decrypt(theirs, concat(out))).plaintext, plaintext)).toBe(true);
    }
  });

  it("a keyring failure errors the stream and rejects the header promise", async () => {
    const broken: Keyring = {
      onEncrypt: () => Promise.reject(new KeyringError("no")),
      onDecrypt: () => Promise.reject(new KeyringError("no")),
    };
    const stream = encryptStream(broken);
    const { error } = await runStream(stream, [random(10)]);
    expect(error).toBeInstanceOf(KeyringError);
    await expect(stream.header).rejects.toBeInstanceOf(KeyringError);
  });

  it("refuses chunks that are not bytes, and bad options up front", async () => {
    const { ours } = keyringPair();
    const { error } = await runStream(encryptStream(ours), ["text" as never]);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(() => encryptStream(ours, { frameLength: 0 })).toThrow(InvalidParameterError);
    expect(() => encryptStream(ours, { frameLength: 2 ** 32 })).toThrow(InvalidParameterError);
    expect(() => decryptStream(ours, { commitmentPolicy: "FORBID_ENCRYPT_ALLOW_DECRYPT" as never })).toThrow(InvalidParameterError);
  });
});

describe("decryptStream", () => {
  for (const suite of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suite.toString(16)}: random chunkings give the one-shot plaintext`, async () => {
      const { ours, theirs } = keyringPair();
      for (const size of [0, 1, F, F + 1, 5 * F + 3, 200_000]) {
        const plaintext = random(size);
        const ourMessage = (await encrypt(ours, plaintext, { suite })).result;
        const theirMessage = (await requireClient.encrypt(theirs, plaintext, { suiteId: suite as never })).result;
        for (const message of [ourMessage, new Uint8Array(theirMessage)]) {
          const oneShot = await decrypt(ours, message);
          for (const max of [1, 13, F + 100, 100_000]) {
            if (max === 1 && size > 10_000) continue;
            const stream = decryptStream(ours);
            const { out, error } = await runStream(stream, randomChunks(message, max));
            expect(error).toBeUndefined();
            expect(bytesEqual(concat(out), oneShot.plaintext), `size ${size} chunks ≤ ${max}`).toBe(true);
            const header = await stream.header;
            expect(header.messageId).toEqual(oneShot.header.messageId);
            expect(header.encryptionContext).toEqual(oneShot.header.encryptionContext);
          }
        }
      }
    });
  }

  it("releases each frame as soon as it verifies (unsigned suite)", async () => {
    const { ours } = keyringPair();
    const plaintext = random(4 * F);
    const { result } = await encrypt(ours, plaintext);
    const stream = decryptStream(ours);
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const headerAndFirstFrame = result.length - 3 * (16 + F + 16) - (24 + 16);
    void writer.write(result.subarray(0, headerAndFirstFrame));
    const first = await reader.read();
    expect(bytesEqual(first.value!, plaintext.subarray(0, F))).toBe(true);
    void writer.write(result.subarray(headerAndFirstFrame));
    void writer.close();
    const rest: Uint8Array[] = [first.value!];
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(r.value);
    expect(bytesEqual(concat(rest), plaintext)).toBe(true);
  });

  it("a wrong keyring errors the stream and rejects the header promise, releasing nothing", async () => {
    const a = keyringPair();
    const b = keyringPair();
    const { result } = await encrypt(a.ours, random(10_000));
    const stream = decryptStream(b.ours);
    const { out, error } = await runStream(stream, randomChunks(result, 999));
    expect(error).toBeInstanceOf(NoDecryptableDataKeyError);
    expect(out).toEqual([]);
    await expect(stream.header).rejects.toBeInstanceOf(NoDecryptableDataKeyError);
  });
});
