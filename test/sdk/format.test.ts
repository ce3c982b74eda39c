/**
 * Message format details checked against independent constructions: key
 * derivation (noble's HKDF), encryption context encoding, a hand-built
 * non-framed v1 message, and strict parsing.
 */
import { createCipheriv, hkdfSync } from "node:crypto";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { deriveMessageKeys } from "../../src/sdk/key-derivation.js";
import { parseEncryptionContext, serializeEncryptionContextLocaleOrder } from "../../src/sdk/encryption-context.js";
import {
  algorithmSuite,
  checkEncryptionContext,
  CommitmentPolicyError,
  decrypt,
  decryptStream,
  DefaultMaterialsManager,
  encrypt,
  EncryptionContextError,
  encryptionMaterials,
  InvalidParameterError,
  MalformedMessageError,
  type MaterialsManager,
  RawAesKeyring,
  serializeEncryptionContext,
  UnsupportedAlgorithmSuiteError,
} from "../../src/sdk/index.js";
import { bytesEqual, concat, keyringPair, random, randomChunks, runStream, sdkError, utf8 } from "./helpers.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);

describe("key derivation (transitive-requirements.md) against noble's HKDF", () => {
  it("committing suites: one extract, DERIVEKEY and COMMITKEY expansions", () => {
    const dataKey = random(32);
    const messageId = random(32);
    for (const id of [0x0478, 0x0578]) {
      const { key, commitKey } = deriveMessageKeys(algorithmSuite(id), dataKey, messageId);
      expect(hex(key)).toBe(hex(nobleHkdf(sha512, dataKey, messageId, concat([u16(id), utf8("DERIVEKEY")]), 32)));
      expect(hex(commitKey!)).toBe(hex(nobleHkdf(sha512, dataKey, messageId, utf8("COMMITKEY"), 32)));
    }
  });

  it("committing suites against node:crypto hkdfSync too (the commitment label has no suite id), for many keys", () => {
    for (let i = 0; i < 200; i++) {
      const dataKey = random(32);
      const messageId = random(32);
      for (const id of [0x0478, 0x0578]) {
        const { key, commitKey } = deriveMessageKeys(algorithmSuite(id), dataKey, messageId);
        expect(hex(key)).toBe(Buffer.from(hkdfSync("sha512", dataKey, messageId, concat([u16(id), utf8("DERIVEKEY")]), 32)).toString("hex"));
        expect(hex(commitKey!)).toBe(Buffer.from(hkdfSync("sha512", dataKey, messageId, utf8("COMMITKEY"), 32)).toString("hex"));
      }
    }
  });

  it("v1 HKDF suites: zero salt, info = suite id ‖ message id; identity suites: the data key", () => {
    const messageId = random(16);
    const k = random(16);
    expect(hex(deriveMessageKeys(algorithmSuite(0x0114), k, messageId).key)).toBe(
      hex(nobleHkdf(sha256, k, new Uint8Array(32), concat([u16(0x0114), messageId]), 16)),
    );
    const k24 = random(24);
    expect(hex(deriveMessageKeys(algorithmSuite(0x0046), k24, messageId).key)).toBe(hex(k24));
  });
});

describe("encryption context encoding", () => {
  it("sorts by UTF-8 bytes (not UTF-16 code units), length-prefixes everything, empty → no bytes", () => {
    expect(serializeEncryptionContext({}).length).toBe(0);
    // U+FFFF is EF BF BF in UTF-8, U+1F600 is F0 9F 98 80: UTF-8 puts U+FFFF first, UTF-16 the emoji.
    const ec = { "😀": "b", "\uffff": "a", B: "", a: "x" };
    const expected = concat([
      u16(4),
      u16(1), utf8("B"), u16(0),
      u16(1), utf8("a"), u16(1), utf8("x"),
      u16(3), utf8("\uffff"), u16(1), utf8("a"),
      u16(4), utf8("😀"), u16(1), utf8("b"),
    ]);
    expect(hex(serializeEncryptionContext(ec))).toBe(hex(expected));
    expect(parseEncryptionContext(expected)).toEqual(ec);
    // The ESDK for JavaScript's raw keyrings' default order differs here; plain contexts have no variant.
    expect(serializeEncryptionContextLocaleOrder(ec)).toBeDefined();
    expect(serializeEncryptionContextLocaleOrder({ a: "1", b: "2" })).toBeUndefined();
  });

  it("parsing refuses a zero count, duplicates, bad UTF-8, truncation and trailing bytes", () => {
    const pair = concat([u16(1), utf8("k"), u16(1), utf8("v")]);
    for (const bad of [
      u16(0),
      concat([u16(2), pair, pair]),
      concat([u16(1), u16(1), Uint8Array.of(0xff), u16(0)]),
      concat([u16(1), pair]).subarray(0, 5),
      concat([u16(1), pair, Uint8Array.of(0)]),
    ]) {
      expect(() => parseEncryptionContext(bad)).toThrow(MalformedMessageError);
    }
  });

  it("caller contexts: strings only, no reserved aws-crypto- keys, no lone surrogates, fits in 64 KiB", async () => {
    expect(() => checkEncryptionContext({ a: 1 })).toThrow(EncryptionContextError);
    expect(() => checkEncryptionContext({ "aws-crypto-public-key": "x" })).toThrow(EncryptionContextError);
    expect(() => checkEncryptionContext({ "aws-crypto-anything": "x" })).toThrow(EncryptionContextError);
    expect(() => checkEncryptionContext({ k: "\ud800" })).toThrow(EncryptionContextError);
    expect(() => checkEncryptionContext([] as never)).toThrow(EncryptionContextError);
    const { ours } = keyringPair();
    expect(await sdkError(encrypt(ours, random(1), { encryptionContext: { big: "x".repeat(70_000) } }))).toBeInstanceOf(
      EncryptionContextError,
    );
  });
});

describe("legacy non-framed v1 message, built by hand (spec: message-body.md §Non-Framed Data)", () => {
  it("decrypts under REQUIRE_ENCRYPT_ALLOW_DECRYPT; a flipped body byte fails", async () => {
    const wrappingKey = random(32);
    const keyring = new RawAesKeyring({ keyNamespace: "ns", keyName: "legacy", wrappingKey });
    const suite = algorithmSuite(0x0178);
    const ec = { origin: "hand-built" };
    const materials = await keyring.onEncrypt(encryptionMaterials(suite, ec));
    const edk = materials.encryptedDataKeys[0];
    const messageId = random(16);
    const key = nobleHkdf(sha256, materials.plaintextDataKey!, undefined, concat([u16(0x0178), messageId]), 32);
    const ecBytes = serializeEncryptionContext(ec);
    const body = concat([
      Uint8Array.of(1, 0x80), u16(0x0178), messageId,
      u16(ecBytes.length), ecBytes,
      u16(1), u16(2), utf8("ns"), u16(edk.providerInfo.length), edk.providerInfo, u16(edk.ciphertext.length), edk.ciphertext,
      Uint8Array.of(1), u32(0), Uint8Array.of(12), u32(0),
    ]);
    const seal = (iv: Uint8Array, pt: Uint8Array, aad: Uint8Array) => {
      const c = createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
      return concat([c.update(pt), c.final(), c.getAuthTag()]);
    };
    const headerIv = new Uint8Array(12);
    const headerAuth = concat([headerIv, seal(headerIv, new Uint8Array(0), body)]);
    const plaintext = random(1000);
    const iv = concat([new Uint8Array(8), u32(1)]);
    const u64 = concat([u32(0), u32(plaintext.length)]);
    const aad = concat([messageId, utf8("AWSKMSEncryptionClient Single Block"), u32(1), u64]);
    const message = concat([body, headerAuth, iv, u64, seal(iv, plaintext, aad)]);

    const r = await decrypt(keyring, message, { commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" });
    expect(bytesEqual(r.plaintext, plaintext)).toBe(true);
    expect(r.plaintext.buffer.byteLength).toBe(plaintext.length); // the body opened straight into the result
    const streamed = await runStream(decryptStream(keyring, { commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" }), randomChunks(message, 77));
    expect(streamed.error).toBeUndefined();
    expect(bytesEqual(concat(streamed.out), plaintext)).toBe(true);
    expect(r.header.contentType).toBe(1);
    expect(r.header.frameLength).toBe(0);
    expect(await sdkError(decrypt(keyring, message))).toBeInstanceOf(CommitmentPolicyError);
    const bad = message.slice();
    bad[bad.length - 100] ^= 4;
    expect((await sdkError(decrypt(keyring, bad, { commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" }))).name).toBe("FrameAuthenticationError");
  });
});

describe("strict parsing and options", () => {
  it("names base64 input, unknown suites, and garbage", async () => {
    const { ours } = keyringPair();
    const { result } = await encrypt(ours, random(10));
    const b64 = utf8(Buffer.from(result).toString("base64"));
    expect((await sdkError(decrypt(ours, b64))).message).toMatch(/base64/);
    const unknown = result.slice();
    unknown[1] = 0x09;
    expect(await sdkError(decrypt(ours, unknown))).toBeInstanceOf(UnsupportedAlgorithmSuiteError);
    expect(await sdkError(decrypt(ours, new Uint8Array(0)))).toBeInstanceOf(MalformedMessageError);
    expect(await sdkError(decrypt(ours, random(500)))).toBeInstanceOf(MalformedMessageError);
  });

  it("validates options", async () => {
    const { ours } = keyringPair();
    for (const options of [{ frameLength: 0 }, { frameLength: 1.5 }, { maxEncryptedDataKeys: 0 }, { commitmentPolicy: "nope" }]) {
      expect(await sdkError(encrypt(ours, random(1), options as never))).toBeInstanceOf(InvalidParameterError);
    }
    expect(await sdkError(encrypt(ours, random(1), { suite: 0x0999 as never }))).toBeInstanceOf(UnsupportedAlgorithmSuiteError);
    expect(await sdkError(encrypt(ours, "text" as never))).toBeInstanceOf(InvalidParameterError);
    expect(await sdkError(encrypt({} as never, random(1)))).toBeInstanceOf(InvalidParameterError);
    expect(await sdkError(decrypt(ours, random(1), { maxFrameLength: -1 }))).toBeInstanceOf(InvalidParameterError);
  });

  it("header and frame bytes match an independent construction (node:crypto GCM, noble HKDF)", async () => {
    const { ours } = keyringPair();
    let dataKey: Uint8Array | undefined;
    const inner = new DefaultMaterialsManager(ours);
    const capture: MaterialsManager = {
      getEncryptionMaterials: async (req) => {
        const m = await inner.getEncryptionMaterials(req);
        dataKey = m.plaintextDataKey;
        return m;
      },
      decryptMaterials: (req) => inner.decryptMaterials(req),
    };
    const plaintext = random(5);
    const { result, header } = await encrypt(capture, plaintext, { encryptionContext: { a: "b" }, frameLength: 1234 });
    expect(result[0]).toBe(2);
    expect((result[1] << 8) | result[2]).toBe(0x0478);
    expect(hex(result.subarray(3, 35))).toBe(hex(header.messageId));
    const ec = serializeEncryptionContext({ a: "b" });
    expect(hex(result.subarray(35, 37 + ec.length))).toBe(hex(concat([u16(ec.length), ec])));

    const key = nobleHkdf(sha512, dataKey!, header.messageId, concat([u16(0x0478), utf8("DERIVEKEY")]), 32);
    const commitKey = nobleHkdf(sha512, dataKey!, header.messageId, utf8("COMMITKEY"), 32);
    const finalFrame = 4 + 4 + 12 + 4 + plaintext.length + 16;
    const headerEnd = result.length - finalFrame;
    const body = result.subarray(0, headerEnd - 16);
    expect(hex(body.subarray(body.length - 37))).toBe(hex(concat([Uint8Array.of(2), u32(1234), commitKey])));
    const gcm = (iv: Uint8Array, pt: Uint8Array, aad: Uint8Array) => {
      const c = createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
      return concat([c.update(pt), c.final(), c.getAuthTag()]);
    };
    expect(hex(result.subarray(headerEnd - 16, headerEnd))).toBe(hex(gcm(new Uint8Array(12), new Uint8Array(0), body)));
    const iv = concat([new Uint8Array(8), u32(1)]);
    const aad = concat([header.messageId, utf8("AWSKMSEncryptionClient Final Frame"), u32(1), u32(0), u32(plaintext.length)]);
    const frame = concat([u32(0xffffffff), u32(1), iv, u32(plaintext.length), gcm(iv, plaintext, aad)]);
    expect(hex(result.subarray(headerEnd))).toBe(hex(frame));

    // Other ESDKs may end an exact multiple of the frame length with a full final frame instead of an empty one.
    const full = random(1234);
    const fullAad = concat([header.messageId, utf8("AWSKMSEncryptionClient Final Frame"), u32(1), u32(0), u32(1234)]);
    const fullFinal = concat([u32(0xffffffff), u32(1), iv, u32(1234), gcm(iv, full, fullAad)]);
    const other = concat([result.subarray(0, headerEnd), fullFinal]);
    expect(bytesEqual((await decrypt(ours, other)).plaintext, full)).toBe(true);
  });
});
