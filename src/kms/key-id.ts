/**
 * Key identifiers: key ids (UUID v4), key ARNs, alias names and alias ARNs.
 *
 *   key id      1234abcd-12ab-44cd-96ef-1234567890ab
 *   key ARN     arn:aws:kms:us-east-1:111122223333:key/1234abcd-…
 *   alias name  alias/ExampleAlias
 *   alias ARN   arn:aws:kms:us-east-1:111122223333:alias/ExampleAlias
 *
 * A ciphertext blob carries the key id as its 16 raw bytes.
 */
import { InvalidAliasNameException, InvalidArnException, NotFoundException, ValidationException } from "./errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Alias names: "alias/" then letters, digits, "/", "_" and "-"; 256 characters at most. */
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const MAX_ALIAS_NAME = 256;
/** AWS's limit on every KeyId parameter. */
const MAX_KEY_ID = 2048;

/** A fresh key id: a version 4 UUID from the platform CSPRNG (RFC 9562 §5.4). */
export function newKeyId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return uuidFromBytes(b, 0);
}

export function isKeyId(s: string): boolean {
  return s.length === 36 && UUID.test(s);
}

/** The 16 bytes of a UUID string (which must be valid: see isKeyId). */
export function uuidToBytes(id: string): Uint8Array {
  const out = new Uint8Array(16);
  const hex = id.replace(/-/g, "");
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The UUID string of 16 bytes at `offset`. */
export function uuidFromBytes(b: Uint8Array, offset: number): string {
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    s += HEX[b[offset + i]];
  }
  return s;
}

/** Where keys live: the account and region in every ARN. */
export interface KeyScope {
  readonly account: string;
  readonly region: string;
}

export function keyArn(scope: KeyScope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.account}:key/${keyId}`;
}

export function aliasArn(scope: KeyScope, aliasName: string): string {
  return `arn:aws:kms:${scope.region}:${scope.account}:${aliasName}`;
}

/** What a KeyId parameter named: a key (by id) or an alias (by name). */
export type KeyReference = { kind: "key"; keyId: string } | { kind: "alias"; aliasName: string };

/**
 * Parses a KeyId parameter. `aliases` says whether the operation accepts alias
 * names and alias ARNs (DescribeKey and the cryptographic operations do;
 * management operations take only a key id or key ARN).
 *
 * An ARN of another account or region names no key here (NotFoundException);
 * a string that starts like an ARN but is malformed is InvalidArnException.
 */
export function parseKeyReference(scope: KeyScope, value: unknown, field: string, aliases: boolean): KeyReference {
  if (typeof value !== "string" || value.length === 0) {
    throw new ValidationException(`${field} is required and must be a non-empty string`);
  }
  if (value.length > MAX_KEY_ID) {
    throw new ValidationException(`${field} must be at most ${MAX_KEY_ID} characters, got ${value.length}`);
  }
  let ref: KeyReference;
  if (value.startsWith("arn:")) {
    const m = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(value);
    if (!m) throw new InvalidArnException(`${field}: ${value} is not a valid KMS key or alias ARN`);
    if (m[1] !== scope.region || m[2] !== scope.account) {
      throw new NotFoundException(`${field}: ${value} is not in account ${scope.account}, region ${scope.region}`);
    }
    const resource = m[3];
    if (resource.startsWith("key/")) {
      const id = resource.slice(4);
      if (!isKeyId(id)) throw new NotFoundException(`Key '${value}' does not exist`);
      ref = { kind: "key", keyId: id };
    } else {
      ref = { kind: "alias", aliasName: resource };
    }
  } else if (value.startsWith("alias/")) {
    ref = { kind: "alias", aliasName: value };
  } else if (isKeyId(value)) {
    ref = { kind: "key", keyId: value };
  } else {
    throw new NotFoundException(`Invalid keyId '${value}': not a key id, key ARN, alias name or alias ARN`);
  }
  if (ref.kind === "alias" && !aliases) {
    throw new NotFoundException(`Invalid keyId '${value}': this operation takes a key id or key ARN, not an alias`);
  }
  return ref;
}

/** Checks an alias name given to CreateAlias / UpdateAlias / DeleteAlias. */
export function checkAliasName(name: unknown, forCreate: boolean): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new ValidationException("AliasName is required and must be a non-empty string");
  }
  if (name.length > MAX_ALIAS_NAME) {
    throw new ValidationException(`AliasName must be at most ${MAX_ALIAS_NAME} characters, got ${name.length}`);
  }
  if (!ALIAS_NAME.test(name)) {
    throw new InvalidAliasNameException(
      `Alias ${name} is not valid: an alias name is "alias/" followed by letters, digits, "/", "_" or "-"`,
    );
  }
  if (forCreate && name.startsWith("alias/aws/")) {
    throw new InvalidAliasNameException(`Alias ${name} is not valid: the prefix alias/aws/ is reserved for AWS managed keys`);
  }
  return name;
}
