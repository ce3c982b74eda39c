import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSha224, sha224 } from "../../src/kms/_sha224.js";
import { generateHmacKey, generateMac, verifyMac } from "../../src/kms/hmac-keys.js";
import { HMAC_SPECS, type HmacKeySpec } from "../../src/kms/key-specs.js";
import { hex, readRsp, toHex } from "../helpers/rsp.js";

const SPECS = Object.keys(HMAC_SPECS) as HmacKeySpec[];
const NODE_HASH = { HMAC_224: "sha224", HMAC_256: "sha256", HMAC_384: "sha384", HMAC_512: "sha512" } as const;

describe("SHA-224 and HMAC-SHA-224 (_sha224.ts)", () => {
  it("matches node:crypto for every length 0..300 (all padding boundaries)", () => {
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) {
      const msg = data.subarray(0, n);
      expect(toHex(sha224(msg)), `length ${n}`).toBe(createHash("sha224").update(msg).digest("hex"));
    }
  });

  it("FIPS 180-4 example: SHA-224('abc')", () => {
    expect(toHex(sha224(new TextEncoder().encode("abc")))).toBe(
      "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
    );
  });

  it("NIST CAVP HMAC.rsp [L=28]: every case, Tlen-truncated", () => {
    const cases = readRsp(new URL("../vectors/hmac/HMAC.rsp", import.meta.url)).filter((c) => c.section.L === "28");
    expect(cases.length).toBeGreaterThan(100);
    const failures = cases
      .filter(({ fields }) => !toHex(hmacSha224(hex(fields.Key), hex(fields.Msg))).startsWith(fields.Mac))
      .map(({ fields }) => fields.Count);
    expect(failures).toEqual([]);
  });

  it("matches node:crypto for keys shorter than, equal to and longer than a block", () => {
    for (const keyLength of [0, 1, 28, 63, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      const msg = randomBytes(keyLength * 3 + 1);
      expect(toHex(hmacSha224(key, msg))).toBe(createHmac("sha224", key).update(msg).digest("hex"));
    }
  });
});

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
