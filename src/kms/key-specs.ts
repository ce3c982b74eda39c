/**
 * What each key spec allows, as AWS KMS documents it ("Key spec reference",
 * "Asymmetric key specs", "HMAC keys in AWS KMS"): key usages, encryption,
 * signing and MAC algorithms, RSA plaintext limits, curve and hash details;
 * plus the request-value checks every operation shares.
 *
 * Check order follows AWS: a value outside the API's enum is a
 * ValidationException ("failed to satisfy constraint"); a value AWS knows but
 * the key cannot use is an InvalidKeyUsageException; a value AWS knows but
 * wasmkms does not implement is an UnsupportedOperationException.
 */
import {
  InvalidKeyUsageException,
  UnsupportedOperationException,
  ValidationException,
} from "./errors.js";
import type {
  DataKeyPairSpec,
  EncryptionAlgorithm,
  KeySpec,
  KeyUsage,
  MacAlgorithm,
  MessageType,
  SigningAlgorithm,
} from "./types.js";

export type RsaKeySpec = "RSA_2048" | "RSA_3072" | "RSA_4096";
export type EccKeySpec = "ECC_NIST_P256" | "ECC_NIST_P384" | "ECC_NIST_P521";
export type HmacKeySpec = "HMAC_224" | "HMAC_256" | "HMAC_384" | "HMAC_512";
export type AsymmetricKeySpec = RsaKeySpec | EccKeySpec;
/** The SHA-2 hashes behind the algorithms: WebCrypto names. */
export type ShaName = "SHA-1" | "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512";

// ---------------------------------------------------------------------------
// AWS enums (kms-2014-11-01), including values wasmkms does not implement, so
// that those get UnsupportedOperationException rather than ValidationException.

const KEY_SPEC_ENUM = [
  "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
  "ECC_NIST_EDWARDS25519", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
  "ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
] as const;
const DATA_KEY_PAIR_SPEC_ENUM = [
  "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
  "ECC_NIST_EDWARDS25519", "SM2",
] as const;
const KEY_USAGE_ENUM = ["SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"] as const;
const ENCRYPTION_ALGORITHM_ENUM = ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"] as const;
const SIGNING_ALGORITHM_ENUM = [
  "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
  "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512",
  "SM2DSA", "ML_DSA_SHAKE_256", "ED25519_SHA_512", "ED25519_PH_SHA_512",
] as const;
const MAC_ALGORITHM_ENUM = ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"] as const;
const MESSAGE_TYPE_ENUM = ["RAW", "DIGEST", "EXTERNAL_MU"] as const;

/**
 * Checks `value` against an AWS enum, throwing ValidationException in AWS's
 * wording ("Value 'X' at 'field' failed to satisfy constraint …") otherwise.
 */
export function enumValue<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const shown = typeof value === "string" ? `'${value}'` : value === undefined ? "null" : String(value);
  throw new ValidationException(
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(", ")}]`,
  );
}

// ---------------------------------------------------------------------------
// Per-spec tables.

export interface RsaSpecInfo {
  readonly modulusBits: 2048 | 3072 | 4096;
}
export interface EccSpecInfo {
  /** WebCrypto namedCurve. */
  readonly namedCurve: "P-256" | "P-384" | "P-521";
  /** Bytes of one coordinate / scalar: the width of r and s in IEEE P1363 form. */
  readonly fieldBytes: 32 | 48 | 66;
  readonly signingAlgorithm: "ECDSA_SHA_256" | "ECDSA_SHA_384" | "ECDSA_SHA_512";
}
export interface HmacSpecInfo {
  readonly macAlgorithm: MacAlgorithm;
  readonly hash: "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512";
  /** AWS generates HMAC_N keys of N bits. */
  readonly keyBytes: 28 | 32 | 48 | 64;
  readonly macBytes: 28 | 32 | 48 | 64;
}

export const RSA_SPECS: Readonly<Record<RsaKeySpec, RsaSpecInfo>> = {
  RSA_2048: { modulusBits: 2048 },
  RSA_3072: { modulusBits: 3072 },
  RSA_4096: { modulusBits: 4096 },
};
export const ECC_SPECS: Readonly<Record<EccKeySpec, EccSpecInfo>> = {
  ECC_NIST_P256: { namedCurve: "P-256", fieldBytes: 32, signingAlgorithm: "ECDSA_SHA_256" },
  ECC_NIST_P384: { namedCurve: "P-384", fieldBytes: 48, signingAlgorithm: "ECDSA_SHA_384" },
  ECC_NIST_P521: { namedCurve: "P-521", fieldBytes: 66, signingAlgorithm: "ECDSA_SHA_512" },
};
export const HMAC_SPECS: Readonly<Record<HmacKeySpec, HmacSpecInfo>> = {
  HMAC_224: { macAlgorithm: "HMAC_SHA_224", hash: "SHA-224", keyBytes: 28, macBytes: 28 },
  HMAC_256: { macAlgorithm: "HMAC_SHA_256", hash: "SHA-256", keyBytes: 32, macBytes: 32 },
  HMAC_384: { macAlgorithm: "HMAC_SHA_384", hash: "SHA-384", keyBytes: 48, macBytes: 48 },
  HMAC_512: { macAlgorithm: "HMAC_SHA_512", hash: "SHA-512", keyBytes: 64, macBytes: 64 },
};

export function isRsaSpec(spec: string): spec is RsaKeySpec {
  return Object.hasOwn(RSA_SPECS, spec);
}
export function isEccSpec(spec: string): spec is EccKeySpec {
  return Object.hasOwn(ECC_SPECS, spec);
}
export function isHmacSpec(spec: string): spec is HmacKeySpec {
  return Object.hasOwn(HMAC_SPECS, spec);
}

/** Signing algorithm → how it signs. */
export interface SigningAlgorithmInfo {
  readonly scheme: "RSASSA-PSS" | "RSASSA-PKCS1-v1_5" | "ECDSA";
  readonly hash: "SHA-256" | "SHA-384" | "SHA-512";
  /** Digest length in bytes: what a DIGEST message must be; also the PSS salt length AWS uses. */
  readonly hashBytes: 32 | 48 | 64;
}
const H256 = { hash: "SHA-256", hashBytes: 32 } as const;
const H384 = { hash: "SHA-384", hashBytes: 48 } as const;
const H512 = { hash: "SHA-512", hashBytes: 64 } as const;
export const SIGNING_ALGORITHMS: Readonly<Record<SigningAlgorithm, SigningAlgorithmInfo>> = {
  RSASSA_PSS_SHA_256: { scheme: "RSASSA-PSS", ...H256 },
  RSASSA_PSS_SHA_384: { scheme: "RSASSA-PSS", ...H384 },
  RSASSA_PSS_SHA_512: { scheme: "RSASSA-PSS", ...H512 },
  RSASSA_PKCS1_V1_5_SHA_256: { scheme: "RSASSA-PKCS1-v1_5", ...H256 },
  RSASSA_PKCS1_V1_5_SHA_384: { scheme: "RSASSA-PKCS1-v1_5", ...H384 },
  RSASSA_PKCS1_V1_5_SHA_512: { scheme: "RSASSA-PKCS1-v1_5", ...H512 },
  ECDSA_SHA_256: { scheme: "ECDSA", ...H256 },
  ECDSA_SHA_384: { scheme: "ECDSA", ...H384 },
  ECDSA_SHA_512: { scheme: "ECDSA", ...H512 },
};

/** RSAES-OAEP: the same hash for the label hash and MGF1, empty label (AWS "RSA key specs for encryption"). */
export const OAEP_HASH: Readonly<Record<"RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256", { hash: ShaName; hashBytes: number }>> = {
  RSAES_OAEP_SHA_1: { hash: "SHA-1", hashBytes: 20 },
  RSAES_OAEP_SHA_256: { hash: "SHA-256", hashBytes: 32 },
};

/**
 * Largest plaintext one Encrypt call takes (RFC 8017 §7.1.1: k − 2·hLen − 2),
 * matching AWS's table: RSA_2048 214/190, RSA_3072 342/318, RSA_4096 470/446.
 */
export function rsaPlaintextLimit(spec: RsaKeySpec, algorithm: keyof typeof OAEP_HASH): number {
  return RSA_SPECS[spec].modulusBits / 8 - 2 * OAEP_HASH[algorithm].hashBytes - 2;
}

const RSA_SIGNING: readonly SigningAlgorithm[] = [
  "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
  "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
];
const RSA_ENCRYPTION: readonly EncryptionAlgorithm[] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];

/** The key usages a spec allows (KEY_AGREEMENT for ECC exists in AWS; wasmkms does not implement it). */
export function keyUsagesFor(spec: KeySpec): readonly KeyUsage[] {
  if (spec === "SYMMETRIC_DEFAULT") return ["ENCRYPT_DECRYPT"];
  if (isHmacSpec(spec)) return ["GENERATE_VERIFY_MAC"];
  if (isRsaSpec(spec)) return ["ENCRYPT_DECRYPT", "SIGN_VERIFY"];
  return ["SIGN_VERIFY"];
}

// ---------------------------------------------------------------------------
// Request checks.

/**
 * CreateKey's KeySpec (default SYMMETRIC_DEFAULT). Values outside AWS's enum →
 * ValidationException; ECC_SECG_P256K1, ECC_NIST_EDWARDS25519, SM2 and ML_DSA_*
 * → UnsupportedOperationException (WebCrypto has no secp256k1, SM2 or ML-DSA).
 */
export function parseKeySpec(value: unknown, field = "keySpec"): KeySpec {
  if (value === undefined) return "SYMMETRIC_DEFAULT";
  const spec = enumValue(value, KEY_SPEC_ENUM, field);
  if (spec === "SYMMETRIC_DEFAULT" || isHmacSpec(spec) || isRsaSpec(spec) || isEccSpec(spec)) return spec;
  throw new UnsupportedOperationException(`KeySpec ${spec} is not supported by wasmkms`);
}

/**
 * CreateKey's KeyUsage for a spec: AWS defaults to ENCRYPT_DECRYPT, which only
 * suits SYMMETRIC_DEFAULT and RSA; HMAC and ECC keys must name theirs.
 * Incompatible pairs → ValidationException.
 */
export function parseKeyUsage(spec: KeySpec, value: unknown, field = "keyUsage"): KeyUsage {
  const usage = value === undefined ? "ENCRYPT_DECRYPT" : enumValue(value, KEY_USAGE_ENUM, field);
  if (usage !== "KEY_AGREEMENT" && keyUsagesFor(spec).includes(usage)) return usage;
  throw new ValidationException(
    `KeyUsage ${usage} is not compatible with KeySpec ${spec}; use ${keyUsagesFor(spec).join(" or ")}`,
  );
}

/** GenerateDataKeyPair's KeyPairSpec: RSA_2048/3072/4096 and ECC_NIST_P256/P384/P521. */
export function parseDataKeyPairSpec(value: unknown, field = "keyPairSpec"): DataKeyPairSpec {
  const spec = enumValue(value, DATA_KEY_PAIR_SPEC_ENUM, field);
  if (isRsaSpec(spec) || isEccSpec(spec)) return spec;
  throw new UnsupportedOperationException(`KeyPairSpec ${spec} is not supported by wasmkms`);
}

/** Sign/Verify's MessageType (default RAW). EXTERNAL_MU is for ML-DSA keys only. */
export function parseMessageType(value: unknown, field = "messageType"): MessageType {
  if (value === undefined) return "RAW";
  const type = enumValue(value, MESSAGE_TYPE_ENUM, field);
  if (type === "EXTERNAL_MU") {
    throw new ValidationException("MessageType EXTERNAL_MU is only valid with ML_DSA key specs");
  }
  return type;
}

function incompatible(kind: string, algorithm: string, spec: KeySpec): never {
  throw new InvalidKeyUsageException(`${kind} ${algorithm} is not compatible with KeySpec ${spec}`);
}

/** The SigningAlgorithm of a Sign/Verify request, checked against the key's spec. */
export function parseSigningAlgorithm(spec: KeySpec, value: unknown, field = "signingAlgorithm"): SigningAlgorithm {
  const alg = enumValue(value, SIGNING_ALGORITHM_ENUM, field);
  const allowed = signingAlgorithmsFor(spec);
  if (!(allowed as readonly string[]).includes(alg)) incompatible("SigningAlgorithm", alg, spec);
  return alg as SigningAlgorithm;
}

/**
 * The EncryptionAlgorithm of an Encrypt/Decrypt request against the key's spec
 * (AWS's default is SYMMETRIC_DEFAULT, so an RSA request without one fails).
 */
export function parseEncryptionAlgorithm(
  spec: KeySpec,
  value: unknown,
  field = "encryptionAlgorithm",
): EncryptionAlgorithm {
  const alg = value === undefined ? "SYMMETRIC_DEFAULT" : enumValue(value, ENCRYPTION_ALGORITHM_ENUM, field);
  const allowed = spec === "SYMMETRIC_DEFAULT" ? ["SYMMETRIC_DEFAULT"] : isRsaSpec(spec) ? RSA_ENCRYPTION : [];
  if (!(allowed as readonly string[]).includes(alg)) incompatible("EncryptionAlgorithm", alg, spec);
  return alg as EncryptionAlgorithm;
}

/** The MacAlgorithm of a GenerateMac/VerifyMac request: it must be the one the HMAC spec names. */
export function parseMacAlgorithm(spec: KeySpec, value: unknown, field = "macAlgorithm"): MacAlgorithm {
  const alg = enumValue(value, MAC_ALGORITHM_ENUM, field);
  if (!isHmacSpec(spec) || HMAC_SPECS[spec].macAlgorithm !== alg) incompatible("MacAlgorithm", alg, spec);
  return alg;
}

function signingAlgorithmsFor(spec: KeySpec): readonly SigningAlgorithm[] {
  if (isRsaSpec(spec)) return RSA_SIGNING;
  if (isEccSpec(spec)) return [ECC_SPECS[spec].signingAlgorithm];
  return [];
}

/** The algorithm lists AWS puts in KeyMetadata (DescribeKey, CreateKey) and GetPublicKey for a key. */
export interface CryptographicMetadata {
  KeySpec: KeySpec;
  CustomerMasterKeySpec: KeySpec;
  KeyUsage: KeyUsage;
  EncryptionAlgorithms?: EncryptionAlgorithm[];
  SigningAlgorithms?: SigningAlgorithm[];
  MacAlgorithms?: MacAlgorithm[];
}

/**
 * KeySpec, CustomerMasterKeySpec, KeyUsage and whichever algorithm list the key
 * has, as AWS returns them (absent lists are omitted, not empty).
 */
export function cryptographicMetadata(spec: KeySpec, usage: KeyUsage): CryptographicMetadata {
  const out: CryptographicMetadata = { KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: usage };
  if (usage === "ENCRYPT_DECRYPT") {
    out.EncryptionAlgorithms = spec === "SYMMETRIC_DEFAULT" ? ["SYMMETRIC_DEFAULT"] : [...RSA_ENCRYPTION];
  } else if (usage === "SIGN_VERIFY") {
    out.SigningAlgorithms = [...signingAlgorithmsFor(spec)];
  } else if (usage === "GENERATE_VERIFY_MAC" && isHmacSpec(spec)) {
    out.MacAlgorithms = [HMAC_SPECS[spec].macAlgorithm];
  }
  return out;
}

// ---------------------------------------------------------------------------
// Byte-valued request fields.

/** Throws ValidationException unless `value` is a Uint8Array of min..max bytes. */
export function byteField(value: unknown, field: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new ValidationException(`${field} must be a Uint8Array, got ${value === null ? "null" : typeof value}`);
  }
  if (value.length < min || value.length > max) {
    throw new ValidationException(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: ` +
        `Member must have length between ${min} and ${max} (got ${value.length})`,
    );
  }
  return value;
}
