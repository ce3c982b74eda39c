/**
 * Interoperability with @aws-crypto/client-node 5.x (raw AES keyrings): our
 * messages decrypt there and theirs here, for both committing suites, at the
 * sizes where framing changes, and for v1 messages under the policies.
 */
import { AlgorithmSuiteIdentifier } from "@aws-crypto/client-node";
import { describe, expect, it } from "vitest";
import { CommitmentPolicyError, decrypt, encrypt, MultiKeyring } from "../../src/sdk/index.js";
import { allowClient, bytesEqual, forbidClient, keyringPair, random, requireClient, sdkError } from "./helpers.js";

const SUITES = [0x0478, 0x0578] as const;
const F = 4096;
const SIZES = [0, 1, F - 1, F, F + 1, 2 * F - 1, 2 * F, 2 * F + 1, 3 * 1024 * 1024 + 17];
const context = { purpose: "interop", "tenant-id": "42", ünïcode: "✓ 雪" };

describe("our messages decrypt with client-node", () => {
  for (const suite of SUITES) {
    it(`suite 0x0${suite.toString(16)}: every size around the frame boundaries, and several MiB`, async () => {
      const { ours, theirs } = keyringPair();
      for (const size of SIZES) {
        const plaintext = random(size);
        const { result, header } = await encrypt(ours, plaintext, { encryptionContext: context, suite });
        expect(header.suiteId).toBe(suite);
        expect(header.version).toBe(2);
        const r = await requireClient.decrypt(theirs, result);
        expect(bytesEqual(r.plaintext, plaintext), `size ${size}`).toBe(true);
        expect(r.messageHeader.suiteId).toBe(suite);
        expect(r.messageHeader.encryptionContext).toMatchObject(context);
      }
    });
  }

  it("other frame lengths (1, 100, 1 MiB) and the default suite", async () => {
    const { ours, theirs } = keyringPair();
    for (const frameLength of [1, 100, 1 << 20]) {
      for (const size of [0, frameLength - 1, frameLength, frameLength + 1, 3 * frameLength + 5]) {
        const plaintext = random(Math.max(0, size));
        const { result, header } = await encrypt(ours, plaintext, { frameLength });
        expect(header.suiteId).toBe(0x0478);
        expect(header.frameLength).toBe(frameLength);
        const r = await requireClient.decrypt(theirs, result);
        expect(bytesEqual(r.plaintext, plaintext), `frame ${frameLength} size ${size}`).toBe(true);
      }
    }
  });

  it("128- and 192-bit wrapping keys", async () => {
    for (const keyLength of [16, 24] as const) {
      const { ours, theirs } = keyringPair({ keyLength });
      const plaintext = random(5000);
      const { result } = await encrypt(ours, plaintext, { encryptionContext: context });
      expect(bytesEqual((await requireClient.decrypt(theirs, result)).plaintext, plaintext)).toBe(true);
      const { result: m } = await requireClient.encrypt(theirs, plaintext, { encryptionContext: context });
      expect(bytesEqual((await decrypt(ours, m)).plaintext, plaintext)).toBe(true);
    }
  });

  it("a multi keyring's message decrypts with either keyring alone, there and here", async () => {
    const a = keyringPair({ keyName: "a" });
    const b = keyringPair({ keyName: "b", keyNamespace: "other" });
    const multi = new MultiKeyring({ generator: a.ours, children: [b.ours] });
    const plaintext = random(10_000);
    const { result, header } = await encrypt(multi, plaintext, { encryptionContext: context });
    expect(header.encryptedDataKeys.map((e) => e.providerId)).toEqual(["wasmkms-test", "other"]);
    for (const pair of [a, b]) {
      expect(bytesEqual((await requireClient.decrypt(pair.theirs, result)).plaintext, plaintext)).toBe(true);
      expect(bytesEqual((await decrypt(pair.ours, result)).plaintext, plaintext)).toBe(true);
    }
  });
});

describe("client-node's messages decrypt here", () => {
  for (const suite of SUITES) {
    it(`suite 0x0${suite.toString(16)}: every size around the frame boundaries, and several MiB`, async () => {
      const { ours, theirs } = keyringPair();
      for (const size of SIZES) {
        const plaintext = random(size);
        const { result } = await requireClient.encrypt(theirs, plaintext, {
          encryptionContext: context,
          suiteId: suite as unknown as AlgorithmSuiteIdentifier,
        });
        const r = await decrypt(ours, result);
        expect(bytesEqual(r.plaintext, plaintext), `size ${size}`).toBe(true);
        expect(r.header.suiteId).toBe(suite);
        expect(r.header.encryptionContext).toMatchObject(context);
        if (suite === 0x0578) expect(r.header.encryptionContext["aws-crypto-public-key"]).toMatch(/^[A-Za-z0-9+/]{66}==$/);
      }
    });
  }

  it("their frame lengths", async () => {
    const { ours, theirs } = keyringPair();
    for (const frameLength of [1, 100, 1 << 20]) {
      const plaintext = random(3 * frameLength + 1);
      const { result } = await requireClient.encrypt(theirs, plaintext, { frameLength });
      expect(bytesEqual((await decrypt(ours, result)).plaintext, plaintext)).toBe(true);
    }
  });
});

describe("encryption context key order (JavaScript raw keyrings sort with localeCompare by default)", () => {
  const mixed = { B: "upper", a: "lower", "aws-x": "1", Zeta: "z", "é": "accent" };

  it("their default (localeCompare) keyring AAD opens here", async () => {
    const { ours, theirs } = keyringPair();
    const plaintext = random(100);
    const { result } = await requireClient.encrypt(theirs, plaintext, { encryptionContext: mixed });
    expect(bytesEqual((await decrypt(ours, result)).plaintext, plaintext)).toBe(true);
  });

  it("ours opens there with utf8Sorting: true (the spec's order)", async () => {
    const { ours, theirs } = keyringPair({ utf8Sorting: true });
    const plaintext = random(100);
    const { result } = await encrypt(ours, plaintext, { encryptionContext: mixed });
    expect(bytesEqual((await requireClient.decrypt(theirs, result)).plaintext, plaintext)).toBe(true);
  });
});

describe("v1 (non-committing) messages", () => {
  const V1_SUITES = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378];

  for (const suite of V1_SUITES) {
    it(`suite 0x${suite.toString(16).padStart(4, "0")}: decrypts under REQUIRE_ENCRYPT_ALLOW_DECRYPT, refused under REQUIRE_ENCRYPT_REQUIRE_DECRYPT`, async () => {
      const { ours, theirs } = keyringPair();
      for (const size of [0, F, 2 * F + 3]) {
        const plaintext = random(size);
        const { result } = await forbidClient.encrypt(theirs, plaintext, {
          encryptionContext: context,
          suiteId: suite as unknown as AlgorithmSuiteIdentifier,
        });
        expect(result[0]).toBe(1); // format version 1
        const r = await decrypt(ours, result, { commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" });
        expect(bytesEqual(r.plaintext, plaintext)).toBe(true);
        expect(r.header.version).toBe(1);
        expect(r.header.suiteId).toBe(suite);
        expect(await sdkError(decrypt(ours, result))).toBeInstanceOf(CommitmentPolicyError);
        expect(await sdkError(decrypt(ours, result, { commitmentPolicy: "REQUIRE_ENCRYPT_REQUIRE_DECRYPT" }))).toBeInstanceOf(
          CommitmentPolicyError,
        );
      }
    });
  }

  it("client-node under REQUIRE_ENCRYPT_ALLOW_DECRYPT reads our v2 messages, and we can't be made to write v1", async () => {
    const { ours, theirs } = keyringPair();
    const plaintext = random(9000);
    const { result } = await encrypt(ours, plaintext, { commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" });
    expect(bytesEqual((await allowClient.decrypt(theirs, result)).plaintext, plaintext)).toBe(true);
    await sdkError(encrypt(ours, plaintext, { suite: 0x0178 as never, commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" }));
  });
});
