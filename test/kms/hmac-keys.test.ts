import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateHmacKey, generateMac, verifyMac } from "../../src/kms/hmac-keys.js";
import { HMAC_SPECS, type HmacKeySpec } from "../../src/kms/key-specs.js";
import { toHex } from "../helpers/rsp.js";

const SPECS = Object.keys(HMAC_SPECS) as HmacKeySpec[];
const NODE_HASH = { HMAC_224: "sha224", HMAC_256: "sha256", HMAC_384: "sha384", HMAC_512: "sha512" } as const;

describe("generateHmacKey", () => {
  it.each([
    ["HMAC_224", 28],
    ["HMAC_256", 32],
    ["HMAC_384", 48],
    ["HMAC_512", 64],
  ] as const)("%s → %i random bytes", (spec, length) => {
    const a = generateHmacKey(spec);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(length);
    expect(toHex(a)).not.toBe(toHex(generateHmacKey(spec)));
  });
});

describe.each(SPECS)("GenerateMac / VerifyMac with %s", (spec) => {
  const { macAlgorithm, macBytes } = HMAC_SPECS[spec];
  const key = generateHmacKey(spec);

  it.each([1, 55, 64, 128, 1000, 4096])("matches node's createHmac for a %i-byte message", async (length) => {
    const Message = randomBytes(length);
    const { Mac, MacAlgorithm } = await generateMac({ keySpec: spec, key, Message, MacAlgorithm: macAlgorithm });
    expect(MacAlgorithm).toBe(macAlgorithm);
    expect(Mac.length).toBe(macBytes);
    expect(toHex(Mac)).toBe(createHmac(NODE_HASH[spec], key).update(Message).digest("hex"));
    await expect(verifyMac({ keySpec: spec, key, Message, MacAlgorithm: macAlgorithm, Mac })).resolves.toEqual({
      MacValid: true,
      MacAlgorithm: macAlgorithm,
    });
  });

  it("rejects a tampered, truncated or extended MAC, another message and another key", async () => {
    const Message = randomBytes(100);
    const { Mac } = await generateMac({ keySpec: spec, key, Message, MacAlgorithm: macAlgorithm });
    const flipped = Mac.slice();
    flipped[macBytes - 1] ^= 1;
    const wrongMessage = Message.slice();
    wrongMessage[0] ^= 0x80;
    const attempts = [
      { Mac: flipped, Message, key },
      { Mac: Mac.subarray(0, macBytes - 1), Message, key },
      { Mac: Uint8Array.of(...Mac, 0), Message, key },
      { Mac, Message: wrongMessage, key },
      { Mac, Message, key: generateHmacKey(spec) },
    ];
    for (const a of attempts) {
      await expect(verifyMac({ keySpec: spec, MacAlgorithm: macAlgorithm, ...a })).rejects.toMatchObject({
        name: "KMSInvalidMacException",
      });
    }
  });

  it("rejects every other MacAlgorithm with InvalidKeyUsageException", async () => {
    const others = SPECS.filter((s) => s !== spec).map((s) => HMAC_SPECS[s].macAlgorithm);
    for (const MacAlgorithm of others) {
      await expect(generateMac({ keySpec: spec, key, Message: Uint8Array.of(1), MacAlgorithm })).rejects.toMatchObject({
        name: "InvalidKeyUsageException",
      });
    }
  });
});

describe("GenerateMac / VerifyMac input errors", () => {
  const key = generateHmacKey("HMAC_256");
  const base = { keySpec: "HMAC_256" as const, key, MacAlgorithm: "HMAC_SHA_256" };

  it("message must be 1–4096 bytes", async () => {
    await expect(generateMac({ ...base, Message: new Uint8Array(0) })).rejects.toMatchObject({ name: "ValidationException" });
    await expect(generateMac({ ...base, Message: new Uint8Array(4097) })).rejects.toMatchObject({ name: "ValidationException" });
    await expect(generateMac({ ...base, Message: "text" })).rejects.toMatchObject({ name: "ValidationException" });
    await expect(verifyMac({ ...base, Message: new Uint8Array(4097), Mac: new Uint8Array(32) })).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("unknown or missing MacAlgorithm is a ValidationException", async () => {
    for (const MacAlgorithm of ["HMAC_SHA_1", undefined, 256]) {
      await expect(generateMac({ ...base, MacAlgorithm, Message: Uint8Array.of(1) })).rejects.toMatchObject({
        name: "ValidationException",
      });
    }
  });

  it("empty or oversized Mac is a ValidationException", async () => {
    for (const Mac of [new Uint8Array(0), new Uint8Array(6145), undefined]) {
      await expect(verifyMac({ ...base, Message: Uint8Array.of(1), Mac })).rejects.toMatchObject({ name: "ValidationException" });
    }
  });

  it("non-HMAC keys reject every MacAlgorithm", async () => {
    for (const keySpec of ["SYMMETRIC_DEFAULT", "RSA_2048", "ECC_NIST_P256"] as const) {
      await expect(generateMac({ ...base, keySpec, Message: Uint8Array.of(1) })).rejects.toMatchObject({
        name: "InvalidKeyUsageException",
      });
    }
  });
});
