/**
 * AWS JSON 1.1 bodies ↔ the Kms's request and response shapes.
 *
 * On the wire, blobs are base64 strings and timestamps are epoch seconds
 * (JSON numbers, fractions allowed); in the Kms they are `Uint8Array` and
 * `Date`. Requests are decoded by member name: across the whole KMS API
 * (kms-2014-11-01) a member name has one type wherever it appears, so one
 * table covers every operation, nested structures included (test/server
 * checks it against the AWS SDK's own model). A member of the wrong JSON type
 * is a SerializationException, as AWS answers; members the API does not have
 * are dropped, as AWS ignores them. Range, length and enum checks are the
 * Kms's (ValidationException).
 *
 * Responses are encoded by value type: any `Uint8Array` becomes base64 and any
 * `Date` epoch seconds, at any depth, so new operations need no table here.
 * They are written straight to JSON text, without an intermediate copy, and
 * base64 goes in as it is: it has nothing JSON would escape, so the
 * kilobytes of a ciphertext are not scanned again.
 */
import { serializationError } from "./protocol-errors.js";

type MemberType =
  | "string"
  | "integer"
  | "boolean"
  | "blob"
  | "timestamp"
  | "stringList"
  | "stringMap"
  | "structure"
  | "structureList";

const members = (type: MemberType, names: string) => names.split(/\s+/).map((name) => [name, type] as const);

/** Every request member of the KMS API and its type. */
export const REQUEST_MEMBER_TYPES: ReadonlyMap<string, MemberType> = new Map([
  ...members(
    "string",
    `AccessKeyId AliasName CloudHsmClusterId CustomKeyStoreId CustomKeyStoreName CustomKeyStoreType
     CustomerMasterKeySpec Description DestinationEncryptionAlgorithm DestinationKeyId EncapsulationAlgorithm
     EncryptionAlgorithm ExpirationModel GrantId GrantToken GranteePrincipal GranteeServicePrincipal ImportType
     IncludeKeyMaterial KeyAgreementAlgorithm KeyEncryptionAlgorithm KeyId KeyMaterialDescription KeyMaterialId
     KeyPairSpec KeySpec KeyStorePassword KeyUsage MacAlgorithm Marker MessageType Name NewCustomKeyStoreName
     Origin Policy PolicyName PrimaryRegion RawSecretAccessKey ReplicaRegion RetiringPrincipal
     RetiringServicePrincipal SigningAlgorithm SourceArn SourceEncryptionAlgorithm SourceKeyId TagKey TagValue
     TargetKeyId TrustAnchorCertificate WrappingAlgorithm WrappingKeySpec XksKeyId XksProxyConnectivity
     XksProxyUriEndpoint XksProxyUriPath XksProxyVpcEndpointServiceName XksProxyVpcEndpointServiceOwner`,
  ),
  ...members("integer", "Limit NumberOfBytes PendingWindowInDays RotationPeriodInDays"),
  ...members("boolean", "BypassPolicyLockoutSafetyCheck DryRun MultiRegion"),
  ...members(
    "blob",
    `AttestationDocument CiphertextBlob EncryptedKeyMaterial ImportToken Mac Message Plaintext PublicKey
     SharedSecretCiphertextBlob Signature`,
  ),
  ...members("timestamp", "ValidTo"),
  ...members("stringList", "DryRunModifiers GrantTokens Operations TagKeys"),
  ...members(
    "stringMap",
    "DestinationEncryptionContext EncryptionContext EncryptionContextEquals EncryptionContextSubset SourceEncryptionContext",
  ),
  ...members("structure", "Constraints Recipient XksProxyAuthenticationCredential"),
  ...members("structureList", "Tags"),
]);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const describe = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`);

function mismatch(path: string, expected: string, value: unknown): never {
  throw serializationError(`${path}: expected ${expected}, got ${describe(value)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function decodeBlob(path: string, value: unknown): Uint8Array {
  if (typeof value !== "string") mismatch(path, "a base64 string", value);
  if (!BASE64.test(value) || value.length % 4 === 1) throw serializationError(`${path}: not valid base64`);
  const bytes = Buffer.from(value, "base64");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function decodeMember(path: string, type: MemberType, value: unknown): unknown {
  switch (type) {
    case "string":
      return typeof value === "string" ? value : mismatch(path, "a string", value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? value : mismatch(path, "an integer", value);
    case "boolean":
      return typeof value === "boolean" ? value : mismatch(path, "a boolean", value);
    case "blob":
      return decodeBlob(path, value);
    case "timestamp":
      return typeof value === "number" && Number.isFinite(value) ? new Date(value * 1000) : mismatch(path, "epoch seconds", value);
    case "stringList":
      if (!Array.isArray(value)) mismatch(path, "a list of strings", value);
      value.forEach((item, i) => typeof item === "string" || mismatch(`${path}[${i}]`, "a string", item));
      return value;
    case "stringMap":
      if (!isObject(value)) mismatch(path, "a map of strings", value);
      for (const [key, item] of Object.entries(value)) if (typeof item !== "string") mismatch(`${path}.${key}`, "a string", item);
      return value;
    case "structure":
      if (!isObject(value)) mismatch(path, "a structure", value);
      return decodeStructure(value, path);
    case "structureList":
      if (!Array.isArray(value)) mismatch(path, "a list of structures", value);
      return value.map((item, i) => (isObject(item) ? decodeStructure(item, `${path}[${i}]`) : mismatch(`${path}[${i}]`, "a structure", item)));
  }
}

function decodeStructure(json: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(json)) {
    const type = REQUEST_MEMBER_TYPES.get(name);
    const value = json[name];
    // Unknown members are ignored and null means absent, as in AWS.
    if (type === undefined || value === null) continue;
    out[name] = decodeMember(path ? `${path}.${name}` : name, type, value);
  }
  return out;
}

/** A request body (bytes of JSON) → the Kms request. Throws SerializationException. */
export function decodeRequest(body: Uint8Array): Record<string, unknown> {
  if (body.length === 0) return {};
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString("utf8"));
  } catch (err) {
    throw serializationError(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw serializationError(`The request body must be a JSON object, got ${describe(json)}`);
  return decodeStructure(json, "");
}

/**
 * A Kms response as JSON text: Uint8Array → base64, Date → epoch seconds,
 * undefined members dropped; otherwise what JSON.stringify writes.
 */
export function responseJson(value: unknown): string {
  if (value instanceof Uint8Array) return `"${Buffer.from(value.buffer, value.byteOffset, value.length).toString("base64")}"`;
  if (value instanceof Date) return JSON.stringify(value.getTime() / 1000);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? "" : ","}${responseJson(value[i]) ?? "null"}`;
    return `${out}]`;
  }
  if (typeof value === "object" && value !== null) {
    let out = "";
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      const text = member === undefined ? undefined : responseJson(member);
      if (text !== undefined) out += `${out === "" ? "" : ","}${JSON.stringify(key)}:${text}`;
    }
    return `{${out}}`;
  }
  return JSON.stringify(value);
}
