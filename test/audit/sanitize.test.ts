/**
 * No secret reaches a record: not the event, not the stored line (so not the
 * hash input or the store either). Every operation's secret-bearing fields,
 * in requests and responses, as bytes or as base64 text; binaries anywhere.
 */
import { describe, expect, it } from "vitest";
import { AuditLog, memoryAuditSink } from "../../src/audit/index.js";
import { ARN_A, KEY_A, counterRandom, input } from "./helpers.js";

/** Bytes no record may contain in any spelling. */
const SECRET = Uint8Array.from({ length: 48 }, (_, i) => 0xa0 + (i % 16));
const SECRET_TEXT = "U0VDUkVULVBMQUlOVEVYVC0xMjM0NTY3ODkw"; // a base64 "secret"

/** Every way the secret could show in JSON text. */
function spellings(): string[] {
  return [
    SECRET_TEXT,
    Buffer.from(SECRET).toString("base64"),
    Buffer.from(SECRET).toString("hex"),
    Array.from(SECRET).join(","),
    String(SECRET[0]) + "," + String(SECRET[1]) + "," + String(SECRET[2]),
  ];
}

function record(operation: string, request: Record<string, unknown>, response?: Record<string, unknown>, readOnly = true) {
  const sink = memoryAuditSink();
  const log = new AuditLog(sink, { random: counterRandom() });
  const event = log.record(input({ operation, request, response, readOnly }));
  const queried = log.query()[0];
  return { event, line: sink.lines[0], queried, text: JSON.stringify(event) + sink.lines[0] + JSON.stringify(queried) };
}

const secretBytes = () => SECRET.slice();

// Request and response of each operation that carries secrets, as this Kms takes and returns them.
const cases: [string, Record<string, unknown>, Record<string, unknown> | undefined, string[]][] = [
  ["Encrypt", { KeyId: KEY_A, Plaintext: secretBytes(), EncryptionContext: { a: "b" } }, { CiphertextBlob: secretBytes(), KeyId: ARN_A }, ["plaintext", "ciphertextblob"]],
  ["Decrypt", { CiphertextBlob: secretBytes(), KeyId: KEY_A }, { Plaintext: secretBytes(), KeyId: ARN_A }, ["ciphertextblob", "plaintext"]],
  [
    "ReEncrypt",
    { CiphertextBlob: secretBytes(), DestinationKeyId: KEY_A, SourceEncryptionContext: { s: "1" } },
    { CiphertextBlob: secretBytes(), SourceKeyId: ARN_A },
    ["ciphertextblob", "plaintext"],
  ],
  ["GenerateDataKey", { KeyId: KEY_A, KeySpec: "AES_256" }, { Plaintext: secretBytes(), CiphertextBlob: secretBytes() }, ["plaintext", "ciphertextblob"]],
  ["GenerateDataKeyWithoutPlaintext", { KeyId: KEY_A, NumberOfBytes: 32 }, { CiphertextBlob: secretBytes() }, []],
  [
    "GenerateDataKeyPair",
    { KeyId: KEY_A, KeyPairSpec: "ECC_NIST_P256" },
    { PrivateKeyPlaintext: secretBytes(), PrivateKeyCiphertextBlob: secretBytes(), PublicKey: secretBytes() },
    ["privatekeyplaintext", "privatekeyciphertextblob", "publickey"],
  ],
  ["GenerateRandom", { NumberOfBytes: 48 }, { Plaintext: secretBytes() }, ["plaintext", "ciphertextblob"]],
  ["Sign", { KeyId: KEY_A, Message: secretBytes(), MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256" }, { Signature: secretBytes() }, ["message", "signature"]],
  ["Verify", { KeyId: KEY_A, Message: SECRET_TEXT, Signature: SECRET_TEXT, SigningAlgorithm: "ECDSA_SHA_256" }, { SignatureValid: true }, ["signature", "message"]],
  ["GenerateMac", { KeyId: KEY_A, Message: secretBytes(), MacAlgorithm: "HMAC_SHA_256" }, { Mac: secretBytes() }, ["mac", "message"]],
  ["VerifyMac", { KeyId: KEY_A, Message: secretBytes(), Mac: secretBytes(), MacAlgorithm: "HMAC_SHA_256" }, { MacValid: true }, ["mac", "message"]],
  [
    "ImportKeyMaterial",
    { KeyId: KEY_A, ImportToken: secretBytes(), EncryptedKeyMaterial: secretBytes(), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" },
    {},
    ["importtoken", "encryptedkeymaterial"],
  ],
  ["GetParametersForImport", { KeyId: KEY_A, WrappingAlgorithm: "RSAES_OAEP_SHA_256" }, { ImportToken: secretBytes(), PublicKey: secretBytes() }, ["importtoken", "publickey"]],
  ["DeriveSharedSecret", { KeyId: KEY_A, KeyAgreementAlgorithm: "ECDH", PublicKey: secretBytes() }, { SharedSecret: secretBytes() }, ["sharedsecret", "publickey"]],
  ["Decrypt", { CiphertextBlob: SECRET_TEXT, GrantTokens: [SECRET_TEXT] }, { Plaintext: SECRET_TEXT }, ["granttoken", "granttokens"]],
  ["CreateGrant", { KeyId: KEY_A, GranteePrincipal: "arn:aws:iam::111122223333:user/Bob", Operations: ["Decrypt"] }, { GrantToken: SECRET_TEXT, GrantId: "g1" }, ["granttoken", "granttokens"]],
];

describe("sanitization", () => {
  it.each(cases)("%s keeps no secret", (operation, request, response, names) => {
    for (const readOnly of [true, false]) {
      const { text } = record(operation, request, response, readOnly);
      for (const spelling of spellings()) expect(text, `${operation}: ${spelling}`).not.toContain(spelling);
      for (const name of names) expect(text.toLowerCase(), `${operation}: field ${name}`).not.toContain(`"${name.toLowerCase()}":`);
    }
  });

  it("keeps what CloudTrail keeps: ids, algorithms, sizes, specs, contexts", () => {
    const { event } = record("ReEncrypt", {
      CiphertextBlob: secretBytes(),
      SourceKeyId: KEY_A,
      DestinationKeyId: "alias/other",
      SourceEncryptionContext: { Department: "Engineering" },
      DestinationEncryptionContext: { Department: "Sales" },
      SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      DryRun: false,
    });
    expect(event.requestParameters).toEqual({
      sourceKeyId: KEY_A,
      destinationKeyId: "alias/other",
      sourceEncryptionContext: { Department: "Engineering" },
      destinationEncryptionContext: { Department: "Sales" },
      sourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      destinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      dryRun: false,
    });
    expect(record("GenerateDataKey", { KeyId: KEY_A, NumberOfBytes: 64 }).event.requestParameters).toEqual({ keyId: KEY_A, numberOfBytes: 64 });
    expect(record("GenerateRandom", { NumberOfBytes: 48 }).event.requestParameters).toEqual({ numberOfBytes: 48 });
  });

  it("keeps an encryption context's own keys as they are, whatever they are called", () => {
    const context = JSON.parse('{"Plaintext":"x","1":"one","KeyId":"k","__proto__":"p","":"empty","ünï":"✓"}');
    const { event, queried } = record("Encrypt", { KeyId: KEY_A, EncryptionContext: context, Plaintext: secretBytes() });
    const kept = event.requestParameters?.encryptionContext as Record<string, string>;
    expect(Object.keys(kept).sort()).toEqual(Object.keys(context).sort());
    expect(Object.hasOwn(kept, "__proto__")).toBe(true);
    expect(kept.__proto__).toBe("p");
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(queried.requestParameters).toEqual(event.requestParameters);
  });

  it("drops binary values wherever they are, and keeps the structure around them", () => {
    const { event } = record("TagResource", {
      KeyId: KEY_A,
      Tags: [{ TagKey: "team", TagValue: "crypto" }, { TagKey: "blob", TagValue: secretBytes() }],
      Nested: { Deeper: { Bytes: secretBytes().buffer, View: new DataView(secretBytes().buffer), Buffer: Buffer.from(SECRET), Fine: 1 } },
      List: [secretBytes(), "kept", 3, null, undefined, () => 1],
      When: new Date(Date.UTC(2026, 0, 2)),
      Big: 12n,
      Infinite: Number.POSITIVE_INFINITY,
    });
    expect(event.requestParameters).toEqual({
      keyId: KEY_A,
      tags: [{ tagKey: "team", tagValue: "crypto" }, { tagKey: "blob" }],
      nested: { deeper: { fine: 1 } },
      list: ["kept", 3, null],
      when: "2026-01-02T00:00:00.000Z",
      big: "12",
      infinite: "Infinity",
    });
  });

  it("stores exactly what the event shows, and queries give it back", () => {
    for (const [operation, request, response] of cases) {
      for (const readOnly of [true, false]) {
        const { event, line, queried } = record(operation, request, response, readOnly);
        const fields = JSON.parse(line) as unknown[];
        expect(fields[8]).toEqual(event.requestParameters);
        expect(fields[9]).toEqual(event.responseElements);
        expect(queried).toEqual(event);
      }
    }
  });

  it("never records the response of a cryptographic operation, even when the caller calls it a change", () => {
    for (const operation of ["Encrypt", "Decrypt", "GenerateDataKey", "Sign", "GenerateMac", "GetPublicKey", "GetKeyPolicy"]) {
      expect(record(operation, { KeyId: KEY_A }, { KeyId: ARN_A, Other: "x" }, false).event.responseElements, operation).toBeNull();
    }
  });
});
