// Sign, Verify, GetPublicKey, GenerateMac, VerifyMac, GenerateDataKeyPair and RSA
// Encrypt/Decrypt through the Kms (the cryptography itself is tested in
// asymmetric.test.ts and hmac-keys.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import type { Kms } from "../../src/kms/index.js";
import { rejects, setup, source, symmetricKey, utf8 } from "./helpers.js";

let kms: Kms;
let rsaSign: string;
let rsaEncrypt: string;
let ecc: string;
let hmac: string;
let sym: string;

beforeAll(async () => {
  kms = setup().kms;
  const create = async (req: Parameters<Kms["createKey"]>[0]) => (await kms.createKey(req)).KeyMetadata.KeyId;
  [rsaSign, rsaEncrypt, ecc, hmac] = await Promise.all([
    create({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }),
    create({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }),
    create({ KeySpec: "ECC_NIST_P384", KeyUsage: "SIGN_VERIFY" }),
    create({ KeySpec: "HMAC_512", KeyUsage: "GENERATE_VERIFY_MAC" }),
  ]);
  sym = (await symmetricKey(kms)).id;
});

describe("Sign and Verify", () => {
  it("signs and verifies with RSA and ECC keys, by key id or alias", async () => {
    await kms.createAlias({ AliasName: "alias/signer", TargetKeyId: ecc });
    for (const [KeyId, SigningAlgorithm] of [
      [rsaSign, "RSASSA_PSS_SHA_256"],
      [rsaSign, "RSASSA_PKCS1_V1_5_SHA_512"],
      ["alias/signer", "ECDSA_SHA_384"],
    ] as const) {
      const Message = utf8("hello");
      const signed = await kms.sign({ KeyId, Message, SigningAlgorithm });
      expect(signed.SigningAlgorithm).toBe(SigningAlgorithm);
      expect(signed.KeyId).toMatch(/^arn:aws:kms:/);
      const ok = await kms.verify({ KeyId, Message, Signature: signed.Signature, SigningAlgorithm });
      expect(ok).toEqual({ KeyId: signed.KeyId, SignatureValid: true, SigningAlgorithm });
      await rejects(kms.verify({ KeyId, Message: utf8("hellO"), Signature: signed.Signature, SigningAlgorithm }), "KMSInvalidSignatureException");
    }
  });

  it("signs digests (MessageType DIGEST)", async () => {
    const Message = new Uint8Array(await crypto.subtle.digest("SHA-256", source(utf8("doc"))));
    const signed = await kms.sign({ KeyId: rsaSign, Message, MessageType: "DIGEST", SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" });
    const raw = await kms.verify({ KeyId: rsaSign, Message: utf8("doc"), Signature: signed.Signature, SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" });
    expect(raw.SignatureValid).toBe(true);
    await rejects(kms.sign({ KeyId: rsaSign, Message: new Uint8Array(31), MessageType: "DIGEST", SigningAlgorithm: "RSASSA_PSS_SHA_256" }), "ValidationException");
  });

  it("refuses keys and algorithms that do not sign", async () => {
    await rejects(kms.sign({ KeyId: sym, Message: utf8("x"), SigningAlgorithm: "ECDSA_SHA_256" }), "InvalidKeyUsageException");
    await rejects(kms.sign({ KeyId: rsaEncrypt, Message: utf8("x"), SigningAlgorithm: "RSASSA_PSS_SHA_256" }), "InvalidKeyUsageException");
    await rejects(kms.sign({ KeyId: ecc, Message: utf8("x"), SigningAlgorithm: "ECDSA_SHA_256" }), "InvalidKeyUsageException");
    await rejects(kms.sign({ KeyId: ecc, Message: new Uint8Array(4097), SigningAlgorithm: "ECDSA_SHA_384" }), "ValidationException");
  });
});

describe("GetPublicKey", () => {
  it("returns the SubjectPublicKeyInfo that verifies the key's signatures", async () => {
    const pub = await kms.getPublicKey({ KeyId: ecc });
    expect(pub).toMatchObject({ KeySpec: "ECC_NIST_P384", CustomerMasterKeySpec: "ECC_NIST_P384", KeyUsage: "SIGN_VERIFY", SigningAlgorithms: ["ECDSA_SHA_384"] });
    const key = await crypto.subtle.importKey("spki", source(pub.PublicKey), { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"]);
    expect(key.type).toBe("public");
    const rsa = await kms.getPublicKey({ KeyId: rsaEncrypt });
    expect(rsa.EncryptionAlgorithms).toEqual(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
    await rejects(kms.getPublicKey({ KeyId: sym }), "UnsupportedOperationException");
    await rejects(kms.getPublicKey({ KeyId: hmac }), "UnsupportedOperationException");
  });
});

describe("RSA Encrypt and Decrypt", () => {
  it("encrypts with OAEP and decrypts only with KeyId and algorithm", async () => {
    const enc = await kms.encrypt({ KeyId: rsaEncrypt, Plaintext: utf8("rsa"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" });
    expect(enc.CiphertextBlob.length).toBe(256);
    const dec = await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, KeyId: rsaEncrypt, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" });
    expect(new TextDecoder().decode(dec.Plaintext)).toBe("rsa");
    expect(dec.EncryptionAlgorithm).toBe("RSAES_OAEP_SHA_256");
    await rejects(kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, KeyId: rsaEncrypt, EncryptionAlgorithm: "RSAES_OAEP_SHA_1" }), "InvalidCiphertextException");
    await rejects(kms.decrypt({ CiphertextBlob: enc.CiphertextBlob }), "InvalidCiphertextException");
    await rejects(kms.encrypt({ KeyId: rsaEncrypt, Plaintext: utf8("x") }), "InvalidKeyUsageException");
    await rejects(kms.encrypt({ KeyId: rsaEncrypt, Plaintext: new Uint8Array(191), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }), "ValidationException");
    await rejects(kms.encrypt({ KeyId: rsaEncrypt, Plaintext: utf8("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_1", EncryptionContext: { a: "b" } }), "ValidationException");
    await rejects(kms.encrypt({ KeyId: rsaSign, Plaintext: utf8("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_1" }), "InvalidKeyUsageException");
  });

  it("re-encrypts from a symmetric key to an RSA key and back", async () => {
    const { CiphertextBlob } = await kms.encrypt({ KeyId: sym, Plaintext: utf8("hop") });
    const toRsa = await kms.reEncrypt({ CiphertextBlob, DestinationKeyId: rsaEncrypt, DestinationEncryptionAlgorithm: "RSAES_OAEP_SHA_1" });
    expect(toRsa.DestinationEncryptionAlgorithm).toBe("RSAES_OAEP_SHA_1");
    const back = await kms.reEncrypt({
      CiphertextBlob: toRsa.CiphertextBlob,
      SourceKeyId: rsaEncrypt,
      SourceEncryptionAlgorithm: "RSAES_OAEP_SHA_1",
      DestinationKeyId: sym,
    });
    expect(new TextDecoder().decode((await kms.decrypt({ CiphertextBlob: back.CiphertextBlob })).Plaintext)).toBe("hop");
  });
});

describe("GenerateMac and VerifyMac", () => {
  it("makes and checks HMACs", async () => {
    const mac = await kms.generateMac({ KeyId: hmac, Message: utf8("msg"), MacAlgorithm: "HMAC_SHA_512" });
    expect(mac.Mac.length).toBe(64);
    expect(mac.MacAlgorithm).toBe("HMAC_SHA_512");
    const again = await kms.generateMac({ KeyId: hmac, Message: utf8("msg"), MacAlgorithm: "HMAC_SHA_512" });
    expect(again.Mac).toEqual(mac.Mac);
    expect((await kms.verifyMac({ KeyId: hmac, Message: utf8("msg"), MacAlgorithm: "HMAC_SHA_512", Mac: mac.Mac })).MacValid).toBe(true);
    const bad = mac.Mac.slice();
    bad[0] ^= 1;
    await rejects(kms.verifyMac({ KeyId: hmac, Message: utf8("msg"), MacAlgorithm: "HMAC_SHA_512", Mac: bad }), "KMSInvalidMacException");
    await rejects(kms.generateMac({ KeyId: hmac, Message: utf8("msg"), MacAlgorithm: "HMAC_SHA_256" }), "InvalidKeyUsageException");
    await rejects(kms.generateMac({ KeyId: sym, Message: utf8("msg"), MacAlgorithm: "HMAC_SHA_256" }), "InvalidKeyUsageException");
    await rejects(kms.generateMac({ KeyId: hmac, Message: new Uint8Array(0), MacAlgorithm: "HMAC_SHA_512" }), "ValidationException");
  });

  it("refuses a disabled HMAC key", async () => {
    const { kms: k } = setup();
    const id = (await k.createKey({ KeySpec: "HMAC_224", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
    expect((await k.generateMac({ KeyId: id, Message: utf8("m"), MacAlgorithm: "HMAC_SHA_224" })).Mac.length).toBe(28);
    await k.disableKey({ KeyId: id });
    await rejects(k.generateMac({ KeyId: id, Message: utf8("m"), MacAlgorithm: "HMAC_SHA_224" }), "DisabledException");
  });
});

describe("GenerateDataKeyPair", () => {
  it("returns a key pair whose private key decrypts from its blob", async () => {
    const pair = await kms.generateDataKeyPair({ KeyId: sym, KeyPairSpec: "ECC_NIST_P256", EncryptionContext: { use: "tls" } });
    expect(pair.KeyPairSpec).toBe("ECC_NIST_P256");
    const dec = await kms.decrypt({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { use: "tls" } });
    expect(dec.Plaintext).toEqual(pair.PrivateKeyPlaintext);
    const priv = await crypto.subtle.importKey("pkcs8", source(pair.PrivateKeyPlaintext), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    const pub = await crypto.subtle.importKey("spki", source(pair.PublicKey), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, priv, source(utf8("m")));
    expect(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, source(utf8("m")))).toBe(true);
  });

  it("has a WithoutPlaintext form and refuses non-symmetric keys", async () => {
    const pair = await kms.generateDataKeyPairWithoutPlaintext({ KeyId: sym, KeyPairSpec: "RSA_2048" });
    expect(Object.keys(pair).sort()).toEqual(["KeyId", "KeyPairSpec", "PrivateKeyCiphertextBlob", "PublicKey"]);
    expect((await kms.decrypt({ CiphertextBlob: pair.PrivateKeyCiphertextBlob })).Plaintext.length).toBeGreaterThan(1000);
    await rejects(kms.generateDataKeyPair({ KeyId: rsaEncrypt, KeyPairSpec: "ECC_NIST_P256" }), "InvalidKeyUsageException");
    await rejects(kms.generateDataKeyPair({ KeyId: sym, KeyPairSpec: "RSA_1024" as never }), "ValidationException");
    await rejects(kms.generateDataKeyPair({ KeyId: sym, KeyPairSpec: "SM2" as never }), "UnsupportedOperationException");
  });
});
