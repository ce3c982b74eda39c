/**
 * The JSON 1.1 body codec: the member-type table agrees with the AWS SDK's
 * own model of every KMS request, blobs and timestamps convert both ways,
 * and wrong JSON types are SerializationExceptions.
 */
import * as sdk from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../src/server/protocol-errors.js";
import { REQUEST_MEMBER_TYPES, decodeRequest, responseJson } from "../../src/server/wire-format.js";
import { utf8 } from "./helpers.js";

/**
 * The SDK's schema of a shape → our member type. Schemas (@smithy/core) are
 * numbers for simple types (0 string, 1 number, 2 boolean, 4 timestamp,
 * 21 blob, 64|0 list of strings, 128|0 map of strings), [0, ns, name, traits, type]
 * for a simple type with traits, [3, ns, name, traits, members, types] for a
 * structure and [1, ns, name, traits, member] for a list; lazily as functions.
 */
function memberType(schema: unknown, found: Map<string, string>): string {
  const s = typeof schema === "function" ? schema() : Array.isArray(schema) && typeof schema[0] === "function" ? schema[0]() : schema;
  const simple: Record<number, string> = { 0: "string", 1: "integer", 2: "boolean", 4: "timestamp", 21: "blob", 64: "stringList", 128: "stringMap" };
  if (typeof s === "number" && s in simple) return simple[s];
  if (Array.isArray(s) && s[0] === 0) return memberType(s[4], found);
  if (Array.isArray(s) && s[0] === 3) {
    collectMembers(s, found);
    return "structure";
  }
  if (Array.isArray(s) && s[0] === 1) {
    const item = typeof s[4] === "function" ? s[4]() : s[4];
    if (Array.isArray(item) && item[0] === 3) {
      collectMembers(item, found);
      return "structureList";
    }
  }
  throw new Error(`unexpected schema ${JSON.stringify(s)}`);
}

function collectMembers(structure: unknown[], found: Map<string, string>): void {
  const names = structure[4] as string[];
  const types = structure[5] as unknown[];
  names.forEach((name, i) => found.set(name, memberType(types[i], found)));
}

describe("member types", () => {
  it("cover every member of every KMS request in the AWS SDK's model, with the same type", () => {
    const requests = Object.entries(sdk).filter(([name]) => /^[A-Z]\w*Request\$$/.test(name));
    expect(requests.length).toBeGreaterThan(50);
    const model = new Map<string, string>();
    for (const [, schema] of requests) collectMembers(schema as unknown[], model);
    const differences = [...model]
      .filter(([name, type]) => REQUEST_MEMBER_TYPES.get(name) !== type)
      .map(([name, type]) => `${name}: model ${type}, table ${REQUEST_MEMBER_TYPES.get(name)}`);
    expect(differences).toEqual([]);
  });
});

const decode = (json: unknown) => decodeRequest(utf8(typeof json === "string" ? json : JSON.stringify(json)));

function serializationError(json: unknown, message: RegExp): void {
  let error: unknown;
  try {
    decode(json);
  } catch (e) {
    error = e;
  }
  expect(error, JSON.stringify(json)).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).name).toBe("SerializationException");
  expect((error as ProtocolError).httpStatus).toBe(400);
  expect((error as ProtocolError).message).toMatch(message);
}

describe("decodeRequest", () => {
  it("turns base64 into bytes and epoch seconds into Dates, at any depth", () => {
    const request = decode({
      KeyId: "alias/x",
      Plaintext: "AAEC/w==",
      ValidTo: 1767225600.5,
      Recipient: { AttestationDocument: "3q2+7w==" },
      Tags: [{ TagKey: "k", TagValue: "v" }],
      EncryptionContext: { a: "b" },
      GrantTokens: ["t"],
      Limit: 10,
      DryRun: false,
    });
    expect(request).toEqual({
      KeyId: "alias/x",
      Plaintext: new Uint8Array([0, 1, 2, 255]),
      ValidTo: new Date(1767225600500),
      Recipient: { AttestationDocument: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) },
      Tags: [{ TagKey: "k", TagValue: "v" }],
      EncryptionContext: { a: "b" },
      GrantTokens: ["t"],
      Limit: 10,
      DryRun: false,
    });
  });

  it("drops unknown members and nulls, and reads an empty body as {}", () => {
    const request = decode('{"KeyId": "k", "Bogus": {"deep": [1, 2]}, "Description": null, "__proto__": {"polluted": true}}');
    expect(request).toEqual({ KeyId: "k" });
    expect(Object.getPrototypeOf(request)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decodeRequest(new Uint8Array(0))).toEqual({});
    expect(decode({ Plaintext: "" })).toEqual({ Plaintext: new Uint8Array(0) });
  });

  it("refuses bodies that are not a JSON object", () => {
    serializationError("{", /not valid JSON/);
    serializationError("{\"KeyId\": \"k\",}", /not valid JSON/);
    serializationError([], /must be a JSON object, got an array/);
    serializationError("\"text\"", /must be a JSON object, got a string/);
    serializationError("null", /must be a JSON object, got null/);
    serializationError("12", /must be a JSON object, got a number/);
  });

  it("refuses members of the wrong JSON type, naming them", () => {
    serializationError({ KeyId: 5 }, /^KeyId: expected a string, got a number/);
    serializationError({ Limit: "10" }, /^Limit: expected an integer, got a string/);
    serializationError({ NumberOfBytes: 1.5 }, /^NumberOfBytes: expected an integer/);
    serializationError({ BypassPolicyLockoutSafetyCheck: "true" }, /expected a boolean/);
    serializationError({ Plaintext: [1, 2] }, /^Plaintext: expected a base64 string, got an array/);
    serializationError({ Plaintext: "not base64!" }, /^Plaintext: not valid base64/);
    serializationError({ CiphertextBlob: "AAAAA" }, /not valid base64/);
    serializationError({ ValidTo: "2026-01-01" }, /^ValidTo: expected epoch seconds/);
    serializationError({ EncryptionContext: { a: 1 } }, /^EncryptionContext\.a: expected a string/);
    serializationError({ EncryptionContext: ["a"] }, /expected a map of strings, got an array/);
    serializationError({ GrantTokens: ["a", 2] }, /^GrantTokens\[1\]: expected a string/);
    serializationError({ Tags: [{ TagKey: "k", TagValue: 7 }] }, /^Tags\[0\]\.TagValue: expected a string/);
    serializationError({ Tags: ["k"] }, /^Tags\[0\]: expected a structure/);
    serializationError({ Constraints: "x" }, /^Constraints: expected a structure/);
  });
});

describe("responseJson", () => {
  it("turns bytes into base64 and Dates into epoch seconds, at any depth, and drops undefined", () => {
    const encoded = responseJson({
      KeyId: "k",
      CiphertextBlob: new Uint8Array([0, 1, 2, 255]),
      KeyMetadata: { CreationDate: new Date(1767225600123), DeletionDate: undefined, Enabled: true },
      Rotations: [{ RotationDate: new Date(0) }],
      Truncated: false,
    });
    expect(encoded).toBe(
      JSON.stringify({
        KeyId: "k",
        CiphertextBlob: "AAEC/w==",
        KeyMetadata: { CreationDate: 1767225600.123, Enabled: true },
        Rotations: [{ RotationDate: 0 }],
        Truncated: false,
      }),
    );
  });

  it("writes everything else as JSON.stringify does", () => {
    const value = {
      'quote " and \\ and \u2028': 'line\nbreak \u0000 \ud800 "x"',
      Tags: [{ TagKey: "k", TagValue: "v" }, undefined, null, 1.5, Number.NaN],
      Nested: { Empty: {}, List: [], Skipped: undefined, Fn: () => 1 },
      Limit: 0,
    };
    expect(responseJson(value)).toBe(JSON.stringify(value));
    expect(responseJson({})).toBe("{}");
  });

  it("round-trips through decodeRequest for the member types both know", () => {
    const original = { Plaintext: crypto.getRandomValues(new Uint8Array(300)), ValidTo: new Date(1767225600000) };
    expect(decode(responseJson(original))).toEqual(original);
  });
});
