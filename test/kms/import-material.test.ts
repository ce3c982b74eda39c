import * as nodeCrypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import {
  IMPORT_TOKEN_LIFETIME_MS,
  type ImportParameters,
  checkReimportedMaterial,
  createImportParameters,
  deriveImportTokenKey,
  openImportToken,
  unwrapKeyMaterial,
} from "../../src/kms/import-material.js";
import { toHex } from "../helpers/rsp.js";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const tokenKey = deriveImportTokenKey(nodeCrypto.randomBytes(32));

/** What a client does with GetParametersForImport's answer: wrap material under PublicKey. */
function wrap(params: ImportParameters, material: Uint8Array, oaepHash = "sha256"): Uint8Array {
  const key = nodeCrypto.createPublicKey({ key: Buffer.from(params.PublicKey), format: "der", type: "spki" });
  return nodeCrypto.publicEncrypt({ key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, material);
}

async function parameters(clock: ManualClock, WrappingAlgorithm = "RSAES_OAEP_SHA_256", WrappingKeySpec = "RSA_2048") {
  return createImportParameters({ keyId: KEY_ID, WrappingAlgorithm, WrappingKeySpec, clock, tokenKey });
}

// One RSA_2048 wrapping key for most tests (generation is the slow part).
const clock = new ManualClock();
const PARAMS = await parameters(clock);

describe("GetParametersForImport → ImportKeyMaterial", () => {
  it.each([
    ["RSAES_OAEP_SHA_256", "RSA_2048", "sha256"],
    ["RSAES_OAEP_SHA_1", "RSA_2048", "sha1"],
    ["RSAES_OAEP_SHA_256", "RSA_3072", "sha256"],
    ["RSAES_OAEP_SHA_256", "RSA_4096", "sha256"],
  ] as const)("%s with a %s wrapping key: material wrapped by node:crypto comes back", async (alg, spec, oaepHash) => {
    const c = new ManualClock();
    const params = alg === "RSAES_OAEP_SHA_256" && spec === "RSA_2048" ? PARAMS : await parameters(c, alg, spec);
    const pub = nodeCrypto.createPublicKey({ key: Buffer.from(params.PublicKey), format: "der", type: "spki" });
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)));
    expect(params.WrappingAlgorithm).toBe(alg);
    expect(params.WrappingKeySpec).toBe(spec);
    expect(params.ParametersValidTo.getTime()).toBe(c.now() + 24 * 3600 * 1000);

    const material = nodeCrypto.randomBytes(32);
    const token = await openImportToken({ ImportToken: params.ImportToken, keyId: KEY_ID, clock: c, tokenKey });
    expect(token).toEqual({ tokenId: params.tokenId, WrappingAlgorithm: alg, WrappingKeySpec: spec, validTo: params.ParametersValidTo.getTime() });
    const unwrapped = await unwrapKeyMaterial({
      token,
      wrappingPrivateKey: params.wrappingPrivateKey,
      EncryptedKeyMaterial: wrap(params, material, oaepHash),
    });
    expect(toHex(unwrapped)).toBe(toHex(material));
  });

  it("each call makes a new wrapping key and token id", async () => {
    const other = await parameters(clock);
    expect(other.tokenId).not.toBe(PARAMS.tokenId);
    expect(toHex(other.PublicKey)).not.toBe(toHex(PARAMS.PublicKey));
    expect(PARAMS.tokenId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("import token", () => {
  it("is valid for 24 hours by the injected clock, then ExpiredImportTokenException", async () => {
    const c = new ManualClock(Date.UTC(2026, 2, 1));
    const params = await parameters(c);
    c.advance(IMPORT_TOKEN_LIFETIME_MS - 1);
    await expect(openImportToken({ ImportToken: params.ImportToken, keyId: KEY_ID, clock: c, tokenKey })).resolves.toMatchObject({
      tokenId: params.tokenId,
    });
    c.advance(1);
    await expect(openImportToken({ ImportToken: params.ImportToken, keyId: KEY_ID, clock: c, tokenKey })).rejects.toMatchObject({
      name: "ExpiredImportTokenException",
    });
    c.advanceDays(30);
    await expect(openImportToken({ ImportToken: params.ImportToken, keyId: KEY_ID, clock: c, tokenKey })).rejects.toMatchObject({
      name: "ExpiredImportTokenException",
    });
  });

  it("for another key, tampered, truncated, or from another KMS: InvalidImportTokenException", async () => {
    const open = (ImportToken: Uint8Array, keyId = KEY_ID, key = tokenKey) => openImportToken({ ImportToken, keyId, clock, tokenKey: key });
    const token = PARAMS.ImportToken;
    const cases: [string, Promise<unknown>][] = [
      ["other key", open(token, "1234abcd-12ab-34cd-56ef-000000000000")],
      ["other token key", open(token, KEY_ID, deriveImportTokenKey(nodeCrypto.randomBytes(32)))],
      ["truncated", open(token.subarray(0, token.length - 1))],
      ["too short", open(token.subarray(0, 20))],
      ["random", open(nodeCrypto.randomBytes(token.length))],
    ];
    for (let i = 0; i < token.length; i++) {
      const t = token.slice();
      t[i] ^= 0x01;
      cases.push([`bit flipped in byte ${i}`, open(t)]);
    }
    for (const [what, attempt] of cases) {
      await expect(attempt, what).rejects.toMatchObject({ name: "InvalidImportTokenException" });
    }
  });

  it("an extended expiry cannot be forged: the valid-to bytes are authenticated", async () => {
    const c = new ManualClock();
    const params = await parameters(c);
    const forged = params.ImportToken.slice();
    new DataView(forged.buffer).setBigUint64(19, BigInt(c.now() + 365 * 86_400_000));
    c.advanceDays(2);
    await expect(openImportToken({ ImportToken: forged, keyId: KEY_ID, clock: c, tokenKey })).rejects.toMatchObject({
      name: "InvalidImportTokenException",
    });
  });

  it("an ImportToken that is not bytes is a ValidationException", async () => {
    for (const ImportToken of [undefined, "token", new Uint8Array(0)]) {
      await expect(openImportToken({ ImportToken, keyId: KEY_ID, clock, tokenKey })).rejects.toMatchObject({ name: "ValidationException" });
    }
  });
});

describe("unwrapping errors", () => {
  const token = () => openImportToken({ ImportToken: PARAMS.ImportToken, keyId: KEY_ID, clock, tokenKey });
  const unwrap = async (EncryptedKeyMaterial: unknown) =>
    unwrapKeyMaterial({ token: await token(), wrappingPrivateKey: PARAMS.wrappingPrivateKey, EncryptedKeyMaterial });

  it("material that is not 256 bits is IncorrectKeyMaterialException", async () => {
    for (const length of [1, 16, 31, 33, 64]) {
      await expect(unwrap(wrap(PARAMS, nodeCrypto.randomBytes(length))), `${length} bytes`).rejects.toMatchObject({
        name: "IncorrectKeyMaterialException",
      });
    }
  });

  it("ciphertext that does not decrypt (wrong hash, wrong key, tampered, wrong size) is InvalidCiphertextException", async () => {
    const material = nodeCrypto.randomBytes(32);
    const tampered = wrap(PARAMS, material);
    tampered[100] ^= 1;
    const otherKey = await parameters(clock);
    const cases = [wrap(PARAMS, material, "sha1"), wrap(otherKey, material), tampered, tampered.subarray(1), nodeCrypto.randomBytes(256)];
    for (const [i, c] of cases.entries()) {
      await expect(unwrap(c), `case ${i}`).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    }
  });

  it("EncryptedKeyMaterial that is not 1–6144 bytes is a ValidationException", async () => {
    for (const c of [new Uint8Array(0), new Uint8Array(6145), "x"]) {
      await expect(unwrap(c)).rejects.toMatchObject({ name: "ValidationException" });
    }
  });

  it("reimport accepts only the same material", () => {
    const material = nodeCrypto.randomBytes(32);
    expect(() => checkReimportedMaterial(material, Uint8Array.from(material))).not.toThrow();
    const other = Uint8Array.from(material);
    other[31] ^= 1;
    expect(() => checkReimportedMaterial(material, other)).toThrow(expect.objectContaining({ name: "IncorrectKeyMaterialException" }));
  });
});

describe("GetParametersForImport input errors", () => {
  it("unsupported wrapping algorithms and key specs: UnsupportedOperationException", async () => {
    for (const [alg, spec] of [
      ["RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"],
      ["RSA_AES_KEY_WRAP_SHA_1", "RSA_2048"],
      ["RSAES_PKCS1_V1_5", "RSA_2048"],
      ["SM2PKE", "SM2"],
      ["RSAES_OAEP_SHA_256", "SM2"],
    ]) {
      await expect(parameters(clock, alg, spec), `${alg} ${spec}`).rejects.toMatchObject({ name: "UnsupportedOperationException" });
    }
  });

  it("values outside AWS's enums: ValidationException", async () => {
    for (const [alg, spec] of [
      ["RSAES_OAEP_SHA_512", "RSA_2048"],
      ["RSAES_OAEP_SHA_256", "RSA_1024"],
      [undefined, "RSA_2048"],
      ["RSAES_OAEP_SHA_256", undefined],
    ]) {
      await expect(
        createImportParameters({ keyId: KEY_ID, WrappingAlgorithm: alg, WrappingKeySpec: spec, clock, tokenKey }),
      ).rejects.toMatchObject({ name: "ValidationException" });
    }
  });

  it("a short token key is a programming error (TypeError)", async () => {
    await expect(
      createImportParameters({ keyId: KEY_ID, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048", clock, tokenKey: new Uint8Array(8) }),
    ).rejects.toThrow(TypeError);
  });
});
