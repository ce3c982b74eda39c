import * as nodeCrypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { curveParameters } from "../../src/kms/_ecdsa-prehashed.js";
import {
  type AsymmetricKeyPair,
  generateDataKeyPair,
  generateKeyMaterial,
  generateKeyPair,
  publicKeyFromPrivateKey,
  rsaDecrypt,
  rsaEncrypt,
  sign,
  verify,
} from "../../src/kms/asymmetric.js";
import {
  type AsymmetricKeySpec,
  ECC_SPECS,
  type EccKeySpec,
  RSA_SPECS,
  type RsaKeySpec,
  SIGNING_ALGORITHMS,
  cryptographicMetadata,
  parseKeySpec,
  parseKeyUsage,
  rsaPlaintextLimit,
} from "../../src/kms/key-specs.js";
import type { SigningAlgorithm } from "../../src/kms/types.js";
import { toHex } from "../helpers/rsp.js";

const RSA = Object.keys(RSA_SPECS) as RsaKeySpec[];
const ECC = Object.keys(ECC_SPECS) as EccKeySpec[];
const ALL: AsymmetricKeySpec[] = [...RSA, ...ECC];
const RSA_SIGNING = Object.keys(SIGNING_ALGORITHMS).filter((a) => a.startsWith("RSASSA")) as SigningAlgorithm[];

// RSA_4096 generation takes seconds: one key pair per spec for the whole file.
const KEYS = Object.fromEntries(await Promise.all(ALL.map(async (s) => [s, await generateKeyPair(s)] as const))) as Record<
  AsymmetricKeySpec,
  AsymmetricKeyPair
>;

const nodePrivate = (spec: AsymmetricKeySpec) =>
  nodeCrypto.createPrivateKey({ key: Buffer.from(KEYS[spec].privateKey), format: "der", type: "pkcs8" });
const nodePublic = (spec: AsymmetricKeySpec) =>
  nodeCrypto.createPublicKey({ key: Buffer.from(KEYS[spec].publicKey), format: "der", type: "spki" });

/** node:crypto's name for the algorithm's hash and the key options that select its padding. */
function nodeParams(alg: SigningAlgorithm) {
  const { scheme, hash, hashBytes } = SIGNING_ALGORITHMS[alg];
  const nodeHash = hash.replace("-", "").toLowerCase();
  const padding =
    scheme === "RSASSA-PSS"
      ? { padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: hashBytes }
      : scheme === "RSASSA-PKCS1-v1_5"
        ? { padding: nodeCrypto.constants.RSA_PKCS1_PADDING }
        : {};
  return { nodeHash, padding };
}

const digestOf = (alg: SigningAlgorithm, message: Uint8Array) =>
  new Uint8Array(nodeCrypto.createHash(nodeParams(alg).nodeHash).update(message).digest());

const signingCases: [AsymmetricKeySpec, SigningAlgorithm][] = [
  ...RSA.flatMap((s) => RSA_SIGNING.map((a) => [s, a] as [AsymmetricKeySpec, SigningAlgorithm])),
  ...ECC.map((s) => [s, ECC_SPECS[s].signingAlgorithm] as [AsymmetricKeySpec, SigningAlgorithm]),
];

describe("key pairs", () => {
  it.each(ALL)("%s: PKCS #8 and SPKI DER that node:crypto reads, of the right size or curve", async (spec) => {
    const priv = nodePrivate(spec);
    const pub = nodePublic(spec);
    if (spec.startsWith("RSA")) {
      expect(priv.asymmetricKeyType).toBe("rsa");
      expect(priv.asymmetricKeyDetails?.modulusLength).toBe(RSA_SPECS[spec as RsaKeySpec].modulusBits);
      expect(priv.asymmetricKeyDetails?.publicExponent).toBe(65537n);
    } else {
      const curve = { ECC_NIST_P256: "prime256v1", ECC_NIST_P384: "secp384r1", ECC_NIST_P521: "secp521r1" }[spec as EccKeySpec];
      expect(priv.asymmetricKeyDetails?.namedCurve).toBe(curve);
    }
    const fromPrivate = nodeCrypto.createPublicKey(priv).export({ format: "der", type: "spki" });
    expect(toHex(fromPrivate)).toBe(toHex(pub.export({ format: "der", type: "spki" })));
    expect(toHex(await publicKeyFromPrivateKey(spec, KEYS[spec].privateKey))).toBe(toHex(KEYS[spec].publicKey));
  });

  it("generateKeyMaterial covers every supported spec", async () => {
    expect((await generateKeyMaterial("SYMMETRIC_DEFAULT")).material.length).toBe(32);
    expect((await generateKeyMaterial("HMAC_384")).material.length).toBe(48);
    expect((await generateKeyMaterial("HMAC_384")).publicKey).toBeUndefined();
    const ec = await generateKeyMaterial("ECC_NIST_P384");
    expect(nodeCrypto.createPrivateKey({ key: Buffer.from(ec.material), format: "der", type: "pkcs8" }).asymmetricKeyType).toBe("ec");
    expect(ec.publicKey).toBeInstanceOf(Uint8Array);
  });

  it.each(["P-256", "P-384", "P-521"] as const)("%s domain parameters agree with node:crypto (1·G and (n−1)·G)", (curve) => {
    const c = curveParameters(curve);
    const name = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" }[curve];
    const pointOf = (scalar: bigint) => {
      const ecdh = nodeCrypto.createECDH(name);
      ecdh.setPrivateKey(Buffer.from(scalar.toString(16).padStart(2 * c.size, "0"), "hex"));
      const pub = ecdh.getPublicKey();
      return [BigInt(`0x${pub.subarray(1, 1 + c.size).toString("hex")}`), BigInt(`0x${pub.subarray(1 + c.size).toString("hex")}`)];
    };
    expect(pointOf(1n)).toEqual([c.gx, c.gy]);
    expect(pointOf(c.n - 1n)).toEqual([c.gx, c.p - c.gy]);
    expect((c.gy * c.gy - (c.gx ** 3n - 3n * c.gx + c.b)) % c.p).toBe(0n);
  });
});

describe.each(signingCases)("%s with %s", (spec, alg) => {
  const { nodeHash, padding } = nodeParams(alg);
  const { privateKey, publicKey } = KEYS[spec];
  const message = nodeCrypto.randomBytes(777);
  const digest = digestOf(alg, message);

  it("RAW and DIGEST signatures verify as RAW and as DIGEST, here and in node:crypto", async () => {
    for (const [MessageType, Message] of [["RAW", message], ["DIGEST", digest]] as const) {
      const { Signature, SigningAlgorithm } = await sign({ keySpec: spec, privateKey, Message, MessageType, SigningAlgorithm: alg });
      expect(SigningAlgorithm).toBe(alg);
      for (const [vType, vMessage] of [["RAW", message], ["DIGEST", digest]] as const) {
        await expect(
          verify({ keySpec: spec, publicKey, Message: vMessage, MessageType: vType, SigningAlgorithm: alg, Signature }),
          `signed ${MessageType}, verified ${vType}`,
        ).resolves.toEqual({ SignatureValid: true, SigningAlgorithm: alg });
      }
      const ok = nodeCrypto.verify(nodeHash, message, { key: nodePublic(spec), ...padding }, Signature);
      expect(ok, `node verifies our ${MessageType} signature`).toBe(true);
    }
  });

  it("node:crypto's signatures verify here as RAW and as DIGEST", async () => {
    const Signature = nodeCrypto.sign(nodeHash, message, { key: nodePrivate(spec), ...padding });
    for (const [MessageType, Message] of [["RAW", message], ["DIGEST", digest]] as const) {
      await expect(verify({ keySpec: spec, publicKey, Message, MessageType, SigningAlgorithm: alg, Signature })).resolves.toMatchObject({
        SignatureValid: true,
      });
    }
  });

  it("rejects a tampered signature, another message and another key with KMSInvalidSignatureException", async () => {
    const { Signature } = await sign({ keySpec: spec, privateKey, Message: message, SigningAlgorithm: alg });
    const tampered = Signature.slice();
    tampered[Math.floor(tampered.length / 2)] ^= 0x10;
    const otherDigest = digest.slice();
    otherDigest[0] ^= 1;
    const otherKey = spec === "RSA_2048" ? KEYS.RSA_3072.publicKey : spec.startsWith("RSA") ? KEYS.RSA_2048.publicKey : (await generateKeyPair(spec)).publicKey;
    const attempts = [
      { Signature: tampered, Message: message, MessageType: "RAW" },
      { Signature: tampered, Message: digest, MessageType: "DIGEST" },
      { Signature, Message: otherDigest, MessageType: "DIGEST" },
      { Signature, Message: message.subarray(1), MessageType: "RAW" },
      { Signature: Signature.subarray(0, Signature.length - 1), Message: digest, MessageType: "DIGEST" },
      { Signature: Signature.subarray(0, Signature.length - 1), Message: message, MessageType: "RAW" },
      { Signature: Uint8Array.of(...Signature, 0), Message: message, MessageType: "RAW" },
      { Signature, Message: digest, MessageType: "DIGEST", publicKey: otherKey },
      { Signature, Message: message, MessageType: "RAW", publicKey: otherKey },
    ];
    for (const { publicKey: pk = publicKey, ...a } of attempts) {
      await expect(verify({ keySpec: spec, publicKey: pk, SigningAlgorithm: alg, ...a }), JSON.stringify(a.MessageType)).rejects.toMatchObject({
        name: "KMSInvalidSignatureException",
      });
    }
  });

  it("a DIGEST of the wrong length is a ValidationException", async () => {
    for (const length of [digest.length - 1, digest.length + 1, 20]) {
      await expect(
        sign({ keySpec: spec, privateKey, Message: new Uint8Array(length), MessageType: "DIGEST", SigningAlgorithm: alg }),
      ).rejects.toMatchObject({ name: "ValidationException" });
    }
  });
});

describe("RSA signature details", () => {
  it("PKCS #1 v1.5 is deterministic across RAW and DIGEST; PSS is salted", async () => {
    const { privateKey } = KEYS.RSA_2048;
    const Message = nodeCrypto.randomBytes(50);
    const digest = digestOf("RSASSA_PKCS1_V1_5_SHA_384", Message);
    const a = await sign({ keySpec: "RSA_2048", privateKey, Message, SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_384" });
    const b = await sign({ keySpec: "RSA_2048", privateKey, Message: digest, MessageType: "DIGEST", SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_384" });
    expect(toHex(a.Signature)).toBe(toHex(b.Signature));
    const c = await sign({ keySpec: "RSA_2048", privateKey, Message, SigningAlgorithm: "RSASSA_PSS_SHA_256" });
    const d = await sign({ keySpec: "RSA_2048", privateKey, Message, SigningAlgorithm: "RSASSA_PSS_SHA_256" });
    expect(toHex(c.Signature)).not.toBe(toHex(d.Signature));
  });

  it("a signature under one RSA scheme or hash does not verify under another", async () => {
    const { privateKey, publicKey } = KEYS.RSA_2048;
    const Message = nodeCrypto.randomBytes(64);
    const { Signature } = await sign({ keySpec: "RSA_2048", privateKey, Message, SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" });
    for (const SigningAlgorithm of ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_512"]) {
      await expect(verify({ keySpec: "RSA_2048", publicKey, Message, SigningAlgorithm, Signature })).rejects.toMatchObject({
        name: "KMSInvalidSignatureException",
      });
    }
  });

  it("node's PSS signatures with another salt length do not verify (AWS uses salt = hash length)", async () => {
    const { publicKey } = KEYS.RSA_2048;
    const Message = nodeCrypto.randomBytes(64);
    const Signature = nodeCrypto.sign("sha256", Message, { key: nodePrivate("RSA_2048"), padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
    const digest = digestOf("RSASSA_PSS_SHA_256", Message);
    for (const [MessageType, m] of [["RAW", Message], ["DIGEST", digest]] as const) {
      await expect(
        verify({ keySpec: "RSA_2048", publicKey, Message: m, MessageType, SigningAlgorithm: "RSASSA_PSS_SHA_256", Signature }),
      ).rejects.toMatchObject({ name: "KMSInvalidSignatureException" });
    }
  });
});

describe("ECDSA signature details", () => {
  it.each(ECC)("%s: 40 DIGEST signatures, DER-encoded, all verified by node:crypto", async (spec) => {
    const alg = ECC_SPECS[spec].signingAlgorithm;
    const { nodeHash } = nodeParams(alg);
    for (let i = 0; i < 40; i++) {
      const message = nodeCrypto.randomBytes(i + 1);
      const Message = digestOf(alg, message);
      const { Signature } = await sign({ keySpec: spec, privateKey: KEYS[spec].privateKey, Message, MessageType: "DIGEST", SigningAlgorithm: alg });
      expect(Signature[0]).toBe(0x30);
      expect(nodeCrypto.verify(nodeHash, message, nodePublic(spec), Signature)).toBe(true);
    }
  });

  it("rejects signatures that are not strict DER or whose r, s are out of range", async () => {
    const spec = "ECC_NIST_P256";
    const { privateKey, publicKey } = KEYS[spec];
    const Message = nodeCrypto.randomBytes(32);
    const { Signature } = await sign({ keySpec: spec, privateKey, Message, MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256" });
    // Take r and s apart, then rebuild badly.
    const rLen = Signature[3];
    const r = Signature.subarray(4, 4 + rLen);
    const s = Signature.subarray(6 + rLen);
    const int = (v: Uint8Array) => [0x02, v.length, ...v];
    const seq = (...parts: number[][]) => Uint8Array.of(0x30, parts.flat().length, ...parts.flat());
    const n = curveParameters("P-256").n;
    const nBytes = Buffer.from(n.toString(16), "hex");
    const bad = [
      Uint8Array.of(...Signature, 0), // trailing byte
      seq([0x02, r.length + 1, 0, ...r], int(s)), // r with a superfluous leading zero
      seq(int(r)), // s missing
      seq(int(Uint8Array.of(0)), int(s)), // r = 0
      seq(int(r), [0x02, 33, 0, ...nBytes]), // s = n
      Uint8Array.of(0x31, ...Signature.subarray(1)), // SET, not SEQUENCE
      Uint8Array.of(0x30, 0x81, Signature[1], ...Signature.subarray(2)), // long-form length below 128
    ];
    for (const [i, sig] of bad.entries()) {
      for (const [MessageType, m] of [["RAW", Message], ["DIGEST", Message]] as const) {
        await expect(
          verify({ keySpec: spec, publicKey, Message: m, MessageType, SigningAlgorithm: "ECDSA_SHA_256", Signature: sig }),
          `case ${i} ${MessageType}`,
        ).rejects.toMatchObject({ name: "KMSInvalidSignatureException" });
      }
    }
  });
});

describe("Sign / Verify input errors", () => {
  const { privateKey, publicKey } = KEYS.ECC_NIST_P256;
  const base = { keySpec: "ECC_NIST_P256" as const, privateKey, Message: Uint8Array.of(1), SigningAlgorithm: "ECDSA_SHA_256" };

  it("algorithms that do not suit the key spec are InvalidKeyUsageException", async () => {
    const cases: [string, string][] = [
      ["ECC_NIST_P256", "ECDSA_SHA_384"],
      ["ECC_NIST_P384", "ECDSA_SHA_256"],
      ["ECC_NIST_P521", "ECDSA_SHA_384"],
      ["ECC_NIST_P256", "RSASSA_PSS_SHA_256"],
      ["RSA_2048", "ECDSA_SHA_256"],
      ["SYMMETRIC_DEFAULT", "RSASSA_PSS_SHA_256"],
      ["HMAC_256", "ECDSA_SHA_256"],
      ["RSA_2048", "SM2DSA"],
    ];
    for (const [keySpec, SigningAlgorithm] of cases) {
      await expect(sign({ ...base, keySpec: keySpec as never, SigningAlgorithm }), `${keySpec} ${SigningAlgorithm}`).rejects.toMatchObject({
        name: "InvalidKeyUsageException",
      });
    }
  });

  it("bad values are ValidationException", async () => {
    const cases = [
      { SigningAlgorithm: "ECDSA_SHA_1" },
      { SigningAlgorithm: undefined },
      { MessageType: "HASH" },
      { MessageType: "EXTERNAL_MU" },
      { Message: new Uint8Array(0) },
      { Message: new Uint8Array(4097) },
      { Message: [1, 2, 3] },
    ];
    for (const c of cases) {
      await expect(sign({ ...base, ...c }), JSON.stringify(c)).rejects.toMatchObject({ name: "ValidationException" });
    }
    await expect(sign({ ...base, Message: new Uint8Array(4096) })).resolves.toBeDefined();
    for (const Signature of [new Uint8Array(0), new Uint8Array(6145), "sig"]) {
      await expect(verify({ ...base, publicKey, Signature })).rejects.toMatchObject({ name: "ValidationException" });
    }
  });
});

describe.each(RSA)("RSAES-OAEP with %s", (spec) => {
  const { privateKey, publicKey } = KEYS[spec];
  const algorithms = [
    ["RSAES_OAEP_SHA_1", "sha1"],
    ["RSAES_OAEP_SHA_256", "sha256"],
  ] as const;

  it.each(algorithms)("%s: our ciphertexts decrypt in node and node's here, up to AWS's limit", async (alg, oaepHash) => {
    const limit = rsaPlaintextLimit(spec, alg);
    for (const length of [1, 32, limit]) {
      const Plaintext = nodeCrypto.randomBytes(length);
      const { CiphertextBlob, EncryptionAlgorithm } = await rsaEncrypt({ keySpec: spec, publicKey, Plaintext, EncryptionAlgorithm: alg });
      expect(EncryptionAlgorithm).toBe(alg);
      expect(CiphertextBlob.length).toBe(RSA_SPECS[spec].modulusBits / 8);
      const viaNode = nodeCrypto.privateDecrypt({ key: nodePrivate(spec), padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, CiphertextBlob);
      expect(toHex(viaNode)).toBe(toHex(Plaintext));
      const fromNode = nodeCrypto.publicEncrypt({ key: nodePublic(spec), padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, Plaintext);
      const back = await rsaDecrypt({ keySpec: spec, privateKey, CiphertextBlob: fromNode, EncryptionAlgorithm: alg });
      expect(toHex(back.Plaintext)).toBe(toHex(Plaintext));
    }
    await expect(
      rsaEncrypt({ keySpec: spec, publicKey, Plaintext: new Uint8Array(limit + 1), EncryptionAlgorithm: alg }),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("decryption failures are InvalidCiphertextException", async () => {
    const { CiphertextBlob } = await rsaEncrypt({ keySpec: spec, publicKey, Plaintext: Uint8Array.of(1, 2, 3), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" });
    const tampered = CiphertextBlob.slice();
    tampered[10] ^= 4;
    const cases = [
      { CiphertextBlob: tampered, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" },
      { CiphertextBlob, EncryptionAlgorithm: "RSAES_OAEP_SHA_1" },
      { CiphertextBlob: CiphertextBlob.subarray(1), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" },
      { CiphertextBlob: new Uint8Array(CiphertextBlob.length).fill(0xff), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" },
    ];
    for (const c of cases) {
      await expect(rsaDecrypt({ keySpec: spec, privateKey, ...c })).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    }
  });
});

describe("RSA Encrypt / Decrypt input errors", () => {
  const { privateKey, publicKey } = KEYS.RSA_2048;
  it("missing or non-OAEP algorithms, and non-RSA keys, are InvalidKeyUsageException", async () => {
    for (const EncryptionAlgorithm of [undefined, "SYMMETRIC_DEFAULT", "SM2PKE"]) {
      await expect(rsaEncrypt({ keySpec: "RSA_2048", publicKey, Plaintext: Uint8Array.of(1), EncryptionAlgorithm })).rejects.toMatchObject({
        name: "InvalidKeyUsageException",
      });
      await expect(rsaDecrypt({ keySpec: "RSA_2048", privateKey, CiphertextBlob: new Uint8Array(256), EncryptionAlgorithm })).rejects.toMatchObject({
        name: "InvalidKeyUsageException",
      });
    }
    await expect(
      rsaEncrypt({ keySpec: "ECC_NIST_P256", publicKey, Plaintext: Uint8Array.of(1), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }),
    ).rejects.toMatchObject({ name: "InvalidKeyUsageException" });
  });

  it("unknown algorithms and empty plaintexts are ValidationException", async () => {
    await expect(rsaEncrypt({ keySpec: "RSA_2048", publicKey, Plaintext: Uint8Array.of(1), EncryptionAlgorithm: "RSAES_OAEP_SHA_512" })).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(rsaEncrypt({ keySpec: "RSA_2048", publicKey, Plaintext: new Uint8Array(0), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("AWS's documented limits", () => {
    const table = RSA.map((s) => [s, rsaPlaintextLimit(s, "RSAES_OAEP_SHA_1"), rsaPlaintextLimit(s, "RSAES_OAEP_SHA_256")]);
    expect(table).toEqual([
      ["RSA_2048", 214, 190],
      ["RSA_3072", 342, 318],
      ["RSA_4096", 470, 446],
    ]);
  });
});

describe("GenerateDataKeyPair", () => {
  it.each(ALL)("%s: a matching PKCS #8 / SPKI pair", async (spec) => {
    const pair = await generateDataKeyPair(spec);
    expect(pair.KeyPairSpec).toBe(spec);
    const priv = nodeCrypto.createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext), format: "der", type: "pkcs8" });
    const pub = nodeCrypto.createPublicKey({ key: Buffer.from(pair.PublicKey), format: "der", type: "spki" });
    const msg = Buffer.from("data key pair");
    expect(nodeCrypto.verify("sha256", msg, pub, nodeCrypto.sign("sha256", msg, priv))).toBe(true);
  });

  it("unsupported and unknown specs", async () => {
    for (const spec of ["ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519"]) {
      await expect(generateDataKeyPair(spec)).rejects.toMatchObject({ name: "UnsupportedOperationException" });
    }
    for (const spec of ["RSA_1024", "SYMMETRIC_DEFAULT", undefined]) {
      await expect(generateDataKeyPair(spec)).rejects.toMatchObject({ name: "ValidationException" });
    }
  });
});

describe("key spec tables", () => {
  it("metadata lists per spec and usage, as AWS returns them", () => {
    expect(cryptographicMetadata("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")).toEqual({
      KeySpec: "SYMMETRIC_DEFAULT",
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      KeyUsage: "ENCRYPT_DECRYPT",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    });
    expect(cryptographicMetadata("RSA_3072", "ENCRYPT_DECRYPT").EncryptionAlgorithms).toEqual(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
    expect(cryptographicMetadata("RSA_3072", "SIGN_VERIFY").SigningAlgorithms).toEqual([
      "RSASSA_PKCS1_V1_5_SHA_256",
      "RSASSA_PKCS1_V1_5_SHA_384",
      "RSASSA_PKCS1_V1_5_SHA_512",
      "RSASSA_PSS_SHA_256",
      "RSASSA_PSS_SHA_384",
      "RSASSA_PSS_SHA_512",
    ]);
    expect(cryptographicMetadata("ECC_NIST_P384", "SIGN_VERIFY")).toEqual({
      KeySpec: "ECC_NIST_P384",
      CustomerMasterKeySpec: "ECC_NIST_P384",
      KeyUsage: "SIGN_VERIFY",
      SigningAlgorithms: ["ECDSA_SHA_384"],
    });
    expect(cryptographicMetadata("ECC_NIST_P521", "SIGN_VERIFY").SigningAlgorithms).toEqual(["ECDSA_SHA_512"]);
    expect(cryptographicMetadata("HMAC_224", "GENERATE_VERIFY_MAC")).toEqual({
      KeySpec: "HMAC_224",
      CustomerMasterKeySpec: "HMAC_224",
      KeyUsage: "GENERATE_VERIFY_MAC",
      MacAlgorithms: ["HMAC_SHA_224"],
    });
  });

  it("CreateKey's KeySpec and KeyUsage", () => {
    expect(parseKeySpec(undefined)).toBe("SYMMETRIC_DEFAULT");
    expect(parseKeySpec("HMAC_512")).toBe("HMAC_512");
    expect(() => parseKeySpec("ECC_SECG_P256K1")).toThrow(expect.objectContaining({ name: "UnsupportedOperationException" }));
    expect(() => parseKeySpec("ML_DSA_65")).toThrow(expect.objectContaining({ name: "UnsupportedOperationException" }));
    expect(() => parseKeySpec("RSA_1024")).toThrow(expect.objectContaining({ name: "ValidationException" }));
    expect(parseKeyUsage("RSA_2048", undefined)).toBe("ENCRYPT_DECRYPT");
    expect(parseKeyUsage("RSA_2048", "SIGN_VERIFY")).toBe("SIGN_VERIFY");
    expect(parseKeyUsage("HMAC_256", "GENERATE_VERIFY_MAC")).toBe("GENERATE_VERIFY_MAC");
    for (const [spec, usage] of [
      ["ECC_NIST_P256", undefined],
      ["ECC_NIST_P256", "ENCRYPT_DECRYPT"],
      ["ECC_NIST_P256", "KEY_AGREEMENT"],
      ["HMAC_256", undefined],
      ["SYMMETRIC_DEFAULT", "SIGN_VERIFY"],
      ["RSA_2048", "GENERATE_VERIFY_MAC"],
      ["RSA_2048", "DECRYPT"],
    ] as const) {
      expect(() => parseKeyUsage(spec, usage), `${spec} ${usage}`).toThrow(expect.objectContaining({ name: "ValidationException" }));
    }
  });
});
