/**
 * What an audit record keeps of a request and a response, following what AWS
 * KMS writes to CloudTrail ("Logging AWS KMS API calls with AWS CloudTrail"):
 *
 * - requestParameters: the request's fields with lower-camel-case names, as
 *   CloudTrail spells them (KeyId → keyId, EncryptionContext →
 *   encryptionContext, AWSAccountId → aWSAccountId), never the secrets:
 *   Plaintext, CiphertextBlob, key material, import tokens, messages,
 *   signatures, MACs, public keys and grant tokens are left out by name, and
 *   so is every binary value (Uint8Array, ArrayBuffer) wherever it appears.
 *   Encryption contexts are kept as they are (CloudTrail logs them; they are
 *   not secret), with their own keys unchanged.
 * - responseElements: null for the cryptographic operations, for GetKeyPolicy
 *   and for every read-only call, as in CloudTrail; otherwise the response
 *   under the same rules (CreateKey's keyMetadata, ScheduleKeyDeletion's
 *   deletion date, …). A call that changes a key but returns nothing gets
 *   { keyId: <key ARN> }, as AWS KMS adds "to make it easier to search".
 *
 * Field names are checked against the lists below before anything is copied,
 * so a secret never reaches a record, a hash or a store.
 */
import { CRYPTOGRAPHIC_OPERATIONS } from "./audit-index.js";

/** Request and response fields that are never recorded, whatever their type. */
const SECRET_FIELDS = new Set([
  "Plaintext",
  "CiphertextBlob",
  "SourceCiphertextBlob",
  "PrivateKeyPlaintext",
  "PrivateKeyCiphertextBlob",
  "CiphertextForRecipient",
  "KeyMaterial",
  "EncryptedKeyMaterial",
  "ImportToken",
  "Message",
  "Signature",
  "Mac",
  "PublicKey",
  "SharedSecret",
  "AttestationDocument",
  "GrantToken",
  "GrantTokens",
]);

/** Fields whose value is a map of the caller's own keys: copied without renaming. */
const MAP_FIELDS = new Set([
  "EncryptionContext",
  "SourceEncryptionContext",
  "DestinationEncryptionContext",
  "EncryptionContextEquals",
  "EncryptionContextSubset",
]);

/** Operations whose response CloudTrail never records (besides every read-only call). */
const UNRECORDED_RESPONSES = new Set([
  ...CRYPTOGRAPHIC_OPERATIONS,
  "GenerateRandom",
  "GetPublicKey",
  "GetKeyPolicy",
  "GetParametersForImport",
]);

/** Nesting deeper than this is cut off (no KMS shape comes near it). */
const MAX_DEPTH = 12;

const camelNames = new Map<string, string>();

/** CloudTrail's field names: the API name with its first letter in lower case. */
function cloudTrailName(field: string): string {
  let name = camelNames.get(field);
  if (name === undefined) {
    name = field.charAt(0).toLowerCase() + field.slice(1);
    if (camelNames.size < 10_000) camelNames.set(field, name);
  }
  return name;
}

/** The request as CloudTrail's requestParameters: null when nothing is left. */
export function requestParameters(request: object | undefined): Record<string, unknown> | null {
  return request === undefined || request === null ? null : copyFields(request as Record<string, unknown>, 0);
}

/** The response as CloudTrail's responseElements (see the file comment). */
export function responseElements(
  operation: string,
  response: object | undefined,
  readOnly: boolean,
  keyArns: readonly string[],
): Record<string, unknown> | null {
  if (readOnly || UNRECORDED_RESPONSES.has(operation)) return null;
  const elements = response === undefined || response === null ? null : copyFields(response as Record<string, unknown>, 0);
  if (elements === null && keyArns.length > 0) return { keyId: keyArns[0] };
  return elements;
}

/** A copy of an API object: renamed fields, secrets and binaries left out; null if empty. */
function copyFields(source: Record<string, unknown>, depth: number): Record<string, unknown> | null {
  if (typeof source !== "object" || Array.isArray(source) || isBinary(source)) return null;
  let out: Record<string, unknown> | null = null;
  for (const field in source) {
    if (!Object.hasOwn(source, field) || SECRET_FIELDS.has(field)) continue;
    const value = MAP_FIELDS.has(field) ? copyMap(source[field]) : copyValue(source[field], depth + 1);
    if (value === undefined) continue;
    out ??= {};
    put(out, cloudTrailName(field), value);
  }
  return out;
}

function copyValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return String(value);
    case "object": {
      if (value === null) return null;
      if (depth > MAX_DEPTH || isBinary(value)) return undefined;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (const item of value) {
          const copy = copyValue(item, depth + 1);
          if (copy !== undefined) items.push(copy);
        }
        return items;
      }
      return copyFields(value as Record<string, unknown>, depth) ?? {};
    }
    default:
      return undefined; // undefined, functions, symbols
  }
}

/** An encryption context: the caller's keys kept as they are, string values only (other values as text). */
function copyMap(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value) || isBinary(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === "string") put(out, key, item);
    else if (item !== undefined && !isBinary(item)) put(out, key, String(item));
  }
  return out;
}

function isBinary(value: unknown): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer)
  );
}

/** Sets a property, also one named "__proto__" (which `out[name] = …` would not create). */
function put(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}
