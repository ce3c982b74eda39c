/**
 * What a grant is and when it applies (the operations are in grants.ts).
 *
 * A grant lets one principal (the grantee) perform a list of operations on
 * one key, optionally only when the request's encryption context matches the
 * grant's constraints. It is kept on the key's record (`extra.grants`).
 *
 * As in AWS:
 * - Constraints (EncryptionContextEquals: exactly these pairs;
 *   EncryptionContextSubset: at least these pairs) compare keys
 *   case-insensitively and values exactly, and apply only to operations that
 *   take an encryption context; a grant with constraints still allows
 *   DescribeKey and RetireGrant. Keys that take no encryption context
 *   (asymmetric, HMAC) cannot have constrained grants.
 * - A grant's operations must be ones its key supports (ValidationException).
 * - A grantee who creates grants through a grant's CreateGrant permission can
 *   only pass on a subset of its operations, under constraints at least as
 *   strict.
 * - Grant ids are 64 hex characters; grant tokens are opaque base64 strings.
 *   Unlike AWS, grants here are consistent at once, so a token is checked for
 *   form but never needed.
 */
import { InvalidGrantIdException, InvalidGrantTokenException, ValidationException } from "./errors.js";
import type { KeyEntry } from "./key-entry.js";
import { isKeyId, uuidFromBytes, uuidToBytes } from "./key-id.js";
import { enumValue } from "./key-specs.js";
import { actsAs } from "./principals.js";
import { stringField } from "./request-fields.js";
import type { EncryptionContext, GrantConstraints, GrantOperation } from "./types.js";

export const GRANT_OPERATIONS: readonly GrantOperation[] = [
  "Decrypt",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "ReEncryptFrom",
  "ReEncryptTo",
  "Sign",
  "Verify",
  "GetPublicKey",
  "CreateGrant",
  "RetireGrant",
  "DescribeKey",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateMac",
  "VerifyMac",
];

/**
 * Operations whose requests carry an encryption context: the ones constraints
 * apply to, and the ones a symmetric key supports besides the common three.
 */
const CONTEXT_OPERATIONS: readonly GrantOperation[] = [
  "Encrypt",
  "Decrypt",
  "ReEncryptFrom",
  "ReEncryptTo",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
];
const TAKES_CONTEXT: ReadonlySet<string> = new Set(CONTEXT_OPERATIONS);

/** AWS quota "Grants for a given principal per KMS key". */
export const MAX_GRANTS_PER_GRANTEE = 500;
/** AWS: at most 8 pairs per constraint, values of at most 384 characters. */
const MAX_CONSTRAINT_PAIRS = 8;
const MAX_CONSTRAINT_VALUE = 384;
const GRANT_NAME = /^[a-zA-Z0-9:/_-]+$/;
const GRANT_ID = /^[0-9a-f]{64}$/;
/** AWS: GrantTokens takes at most 10 tokens of 1–8192 characters. */
const MAX_GRANT_TOKENS = 10;
const MAX_GRANT_TOKEN = 8192;

/** A grant as stored on its key's record. */
export interface GrantRecord {
  grantId: string;
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  /** Account root ARN of the account the grant was made in. */
  issuingAccount: string;
  operations: GrantOperation[];
  constraints?: GrantConstraints;
  /** ms since the epoch. */
  creationDate: number;
}

/** Grant operations a key supports: by key spec and usage. */
export function grantOperationsFor(key: KeyEntry): ReadonlySet<GrantOperation> {
  const ops: GrantOperation[] = ["CreateGrant", "RetireGrant", "DescribeKey"];
  const usage = key.meta.KeyUsage;
  if (key.spec === "SYMMETRIC_DEFAULT") {
    ops.push(...CONTEXT_OPERATIONS);
  } else if (usage === "ENCRYPT_DECRYPT") {
    ops.push("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey");
  } else if (usage === "SIGN_VERIFY") {
    ops.push("Sign", "Verify", "GetPublicKey");
  } else if (usage === "GENERATE_VERIFY_MAC") {
    ops.push("GenerateMac", "VerifyMac");
  }
  return new Set(ops);
}

/** Checks an Operations parameter: a non-empty list of grant operations, without repeats. */
export function checkGrantOperations(value: unknown): GrantOperation[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationException("Operations is required: a non-empty list of grant operations");
  }
  const out: GrantOperation[] = [];
  for (const op of value) {
    const checked = enumValue(op, GRANT_OPERATIONS, "operations");
    if (!out.includes(checked)) out.push(checked);
  }
  return out;
}

function constraintContext(value: unknown, field: string): EncryptionContext | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ValidationException(`${field} must be a map of strings to strings`);
  }
  const pairs = Object.entries(value as Record<string, unknown>);
  if (pairs.length > MAX_CONSTRAINT_PAIRS) {
    throw new ValidationException(`${field} has ${pairs.length} pairs; a grant constraint may have at most ${MAX_CONSTRAINT_PAIRS}`);
  }
  const out: EncryptionContext = {};
  for (const [k, v] of pairs) {
    if (typeof v !== "string" || k.length === 0) throw new ValidationException(`${field}: every key must be non-empty and every value a string`);
    if (v.length > MAX_CONSTRAINT_VALUE) {
      throw new ValidationException(`${field}: the value of "${k}" has ${v.length} characters; at most ${MAX_CONSTRAINT_VALUE} are allowed`);
    }
    out[k] = v;
  }
  return out;
}

/** Checks a Constraints parameter; undefined when absent or empty. */
export function checkGrantConstraints(value: unknown): GrantConstraints | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationException("Constraints must be { EncryptionContextEquals?, EncryptionContextSubset? }");
  }
  const c = value as Record<string, unknown>;
  const equals = constraintContext(c.EncryptionContextEquals, "constraints.encryptionContextEquals");
  const subset = constraintContext(c.EncryptionContextSubset, "constraints.encryptionContextSubset");
  if (!equals && !subset) return undefined;
  return { ...(equals ? { EncryptionContextEquals: equals } : {}), ...(subset ? { EncryptionContextSubset: subset } : {}) };
}

/** Checks a Name parameter (1–256 characters of letters, digits, ":", "/", "_", "-"). */
export function checkGrantName(value: unknown): string | undefined {
  const name = stringField(value, "name", 1, 256);
  if (name !== undefined && !GRANT_NAME.test(name)) {
    throw new ValidationException(`Grant name ${JSON.stringify(name)} is not valid: use letters, digits, ":", "/", "_" and "-"`);
  }
  return name;
}

/** Checks a GrantId parameter. */
export function checkGrantId(value: unknown): string {
  const id = stringField(value, "grantId", 1, 128, true);
  if (!GRANT_ID.test(id)) throw new InvalidGrantIdException(`Grant id ${JSON.stringify(id)} is not valid: grant ids are 64 hexadecimal characters`);
  return id;
}

export function newGrantId(): string {
  let hex = "";
  for (const b of crypto.getRandomValues(new Uint8Array(32))) hex += b.toString(16).padStart(2, "0");
  return hex;
}

// ---------------------------------------------------------------------------
// Grant tokens: base64url of  0x01 ‖ key id (16) ‖ grant id (32) ‖ nonce (16).

const TOKEN_VERSION = 1;
const TOKEN_BYTES = 65;

/** A fresh token for a grant (every CreateGrant returns a new one, even for an existing grant). */
export function grantToken(keyId: string, grantId: string): string {
  const b = new Uint8Array(TOKEN_BYTES);
  b[0] = TOKEN_VERSION;
  b.set(uuidToBytes(keyId), 1);
  for (let i = 0; i < 32; i++) b[17 + i] = parseInt(grantId.substr(i * 2, 2), 16);
  b.set(crypto.getRandomValues(new Uint8Array(16)), 49);
  let binary = "";
  for (const x of b) binary += String.fromCharCode(x);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The key id and grant id a token names; InvalidGrantTokenException when it is not one of ours. */
export function parseGrantToken(token: unknown): { keyId: string; grantId: string } {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_GRANT_TOKEN) {
    throw new InvalidGrantTokenException("The grant token is not valid: expected a string of 1 to 8192 characters");
  }
  let binary: string;
  try {
    binary = /^[A-Za-z0-9_-]+$/.test(token) ? atob(token.replace(/-/g, "+").replace(/_/g, "/")) : "";
  } catch {
    binary = "";
  }
  if (binary.length !== TOKEN_BYTES || binary.charCodeAt(0) !== TOKEN_VERSION) {
    throw new InvalidGrantTokenException("The grant token is not valid: it was not issued by CreateGrant");
  }
  const b = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const keyId = uuidFromBytes(b, 1);
  let grantId = "";
  for (let i = 17; i < 49; i++) grantId += b[i].toString(16).padStart(2, "0");
  if (!isKeyId(keyId)) throw new InvalidGrantTokenException("The grant token is not valid: it was not issued by CreateGrant");
  return { keyId, grantId };
}

/** Checks a GrantTokens parameter: at most 10 well-formed tokens. */
export function checkGrantTokens(value: unknown): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw new ValidationException("GrantTokens must be a list of grant tokens");
  if (value.length > MAX_GRANT_TOKENS) {
    throw new ValidationException(`GrantTokens has ${value.length} tokens; at most ${MAX_GRANT_TOKENS} are allowed`);
  }
  for (const token of value) parseGrantToken(token);
}

// ---------------------------------------------------------------------------
// Matching.

function lowerKeys(context: EncryptionContext | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (context) for (const k in context) out.set(k.toLowerCase(), context[k]);
  return out;
}

function includesPairs(context: Map<string, string>, required: EncryptionContext): boolean {
  for (const k in required) if (context.get(k.toLowerCase()) !== required[k]) return false;
  return true;
}

/** Whether a request's encryption context satisfies a grant's constraints. */
export function satisfiesConstraints(constraints: GrantConstraints | undefined, context: EncryptionContext | undefined): boolean {
  if (!constraints) return true;
  const given = lowerKeys(context);
  const { EncryptionContextEquals: equals, EncryptionContextSubset: subset } = constraints;
  if (equals && (given.size !== Object.keys(equals).length || !includesPairs(given, equals))) return false;
  if (subset && !includesPairs(given, subset)) return false;
  return true;
}

/**
 * Whether `child` constraints are at least as strict as `parent`'s: every
 * context the child admits, the parent admits too.
 */
export function constraintsAtLeastAsStrict(parent: GrantConstraints | undefined, child: GrantConstraints | undefined): boolean {
  if (!parent) return true;
  if (!child) return false;
  if (parent.EncryptionContextEquals) {
    // Only an identical Equals constraint admits no more than the parent's.
    const want = lowerKeys(parent.EncryptionContextEquals);
    const got = child.EncryptionContextEquals;
    if (!got || Object.keys(got).length !== want.size || !includesPairs(want, got)) return false;
  }
  if (parent.EncryptionContextSubset) {
    const childPairs = lowerKeys({ ...child.EncryptionContextSubset, ...child.EncryptionContextEquals });
    if (!includesPairs(childPairs, parent.EncryptionContextSubset)) return false;
  }
  return true;
}

/** The grant a CreateGrant request would make (for grants that pass on CreateGrant). */
export interface GrantRequestShape {
  operations: readonly GrantOperation[];
  constraints: GrantConstraints | undefined;
}

/**
 * The grants on `key` that let `caller` perform `operation` (a grant operation
 * name) with encryption context `context`; for CreateGrant, `child` is the
 * grant being made.
 */
export function applicableGrants(
  key: KeyEntry,
  caller: string,
  operation: string,
  context: EncryptionContext | undefined,
  child?: GrantRequestShape,
): GrantRecord[] {
  const grants = key.extra.grants;
  if (!grants || grants.length === 0) return [];
  const out: GrantRecord[] = [];
  for (const g of grants) {
    if (!(g.operations as string[]).includes(operation) || !actsAs(caller, g.granteePrincipal)) continue;
    if (TAKES_CONTEXT.has(operation) && !satisfiesConstraints(g.constraints, context)) continue;
    if (operation === "CreateGrant" && child) {
      if (!child.operations.every((op) => g.operations.includes(op))) continue;
      if (!constraintsAtLeastAsStrict(g.constraints, child.constraints)) continue;
    }
    out.push(g);
  }
  return out;
}
