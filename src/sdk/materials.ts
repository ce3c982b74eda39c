/**
 * The materials framework of the envelope SDK: what keyrings and materials
 * managers exchange, after the AWS Encryption SDK specification
 * (framework/structures.md, keyring-interface.md, cmm-interface.md).
 *
 *   encrypt ──► MaterialsManager.getEncryptionMaterials ──► Keyring.onEncrypt
 *   decrypt ──► MaterialsManager.decryptMaterials      ──► Keyring.onDecrypt
 *
 * Materials are immutable values: a keyring never modifies the materials it
 * is given, it returns new ones built with `withPlaintextDataKey`,
 * `withEncryptedDataKey` or `withDecryptedDataKey` (which also enforce the
 * spec's rules: right key length, no second data key). That makes materials
 * safe to cache and share between messages; `encrypt`/`decrypt` never modify
 * or wipe the materials a manager returns (the manager owns them).
 *
 * Writing a keyring (e.g. over KMS):
 *   - onEncrypt: if `materials.plaintextDataKey` is absent, generate one of
 *     `materials.suite.keyLength` bytes (or fail if you cannot generate);
 *     then wrap it and append an EncryptedDataKey. Return the new materials.
 *   - onDecrypt: if `materials.plaintextDataKey` is already set, throw a
 *     KeyringError. Otherwise try the EDKs that are yours, in order; return
 *     the materials with the first key that decrypts. If none of them is
 *     yours, return the materials unchanged. Throw only for errors the caller
 *     should see (service failures, misconfiguration): the multi keyring and
 *     the default materials manager collect them into NoDecryptableDataKeyError.
 *   - Bind the encryption context (`materials.encryptionContext`) into the
 *     wrapping (AAD, or the KMS EncryptionContext).
 */
import { KeyringError } from "./errors.js";

/**
 * Encryption context: non-secret string pairs bound to the message (stored in
 * its header, authenticated, and given to every keyring). Keys starting with
 * `aws-crypto-` are reserved for the SDK.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * One wrapped copy of the message's data key, as stored in the header
 * (message-header.md, Encrypted Data Key Entries).
 */
export interface EncryptedDataKey {
  /** Key provider ID (UTF-8 on the wire): `"aws-kms"`, or a raw keyring's key namespace. */
  readonly providerId: string;
  /**
   * Key provider information, as raw bytes: a KMS key ARN in UTF-8 for KMS
   * keyrings; keyName ‖ tag bits ‖ IV length ‖ IV for the raw AES keyring.
   */
  readonly providerInfo: Uint8Array;
  /** The wrapped data key. */
  readonly ciphertext: Uint8Array;
}

/** The algorithm suite ids the AWS Encryption SDK defines (algorithm-suites.md). */
export type AlgorithmSuiteId =
  | 0x0014
  | 0x0046
  | 0x0078
  | 0x0114
  | 0x0146
  | 0x0178
  | 0x0214
  | 0x0346
  | 0x0378
  | 0x0478
  | 0x0578;

/**
 * A description of one algorithm suite. All ESDK suites use AES-GCM with a
 * 12-byte IV and a 16-byte tag; they differ in key length, key derivation,
 * key commitment and signing. The table is in algorithm-suites.ts
 * (`algorithmSuite(id)`, `ALGORITHM_SUITES`).
 */
export interface AlgorithmSuite {
  readonly id: AlgorithmSuiteId;
  /** The ESDK's name, e.g. `ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY`. */
  readonly name: string;
  /** Message format version the suite is used with: 1 (non-committing) or 2 (committing). */
  readonly messageFormat: 1 | 2;
  /** AES key length in bytes (16, 24 or 32); also the length of the plaintext data key. */
  readonly keyLength: 16 | 24 | 32;
  readonly ivLength: 12;
  readonly tagLength: 16;
  /** Key derivation: the identity, or HKDF with this hash. */
  readonly kdf: "identity" | "sha256" | "sha384" | "sha512";
  /** Whether the suite commits to its data key (v2 suites: a 32-byte commitment key in the header). */
  readonly commitment: boolean;
  /** Bytes of algorithm suite data in the v2 header (the commitment key): 32, or 0. */
  readonly suiteDataLength: 0 | 32;
  /** ECDSA signature over header and body, if the suite signs. */
  readonly signature?: { readonly curve: "P-256" | "P-384"; readonly hash: "sha256" | "sha384" };
  /** Whether this implementation can encrypt with it (0x0478 and 0x0578 only). */
  readonly encrypt: boolean;
}

/**
 * Commitment policy (framework/commitment-policy.md): which suites may be used.
 *   - REQUIRE_ENCRYPT_REQUIRE_DECRYPT (default): encrypt and decrypt only
 *     with key-committing suites (0x0478, 0x0578).
 *   - REQUIRE_ENCRYPT_ALLOW_DECRYPT: encrypt with committing suites; decrypt
 *     older non-committing (v1) messages too.
 */
export type CommitmentPolicy = "REQUIRE_ENCRYPT_REQUIRE_DECRYPT" | "REQUIRE_ENCRYPT_ALLOW_DECRYPT";

/** What encrypt needs: produced by a MaterialsManager, refined by keyrings. */
export interface EncryptionMaterials {
  readonly suite: AlgorithmSuite;
  /**
   * The context that will be stored in the header. For signing suites it
   * includes `aws-crypto-public-key` (added by the default materials manager).
   */
  readonly encryptionContext: EncryptionContext;
  /** `suite.keyLength` random bytes; absent until a keyring generates it. */
  readonly plaintextDataKey?: Uint8Array;
  /** The wrapped copies of the data key; encrypt needs at least one. */
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Signing suites: the ECDSA private scalar (big-endian, 48 bytes for P-384). */
  readonly signingKey?: Uint8Array;
}

/** What decrypt needs: produced by a MaterialsManager, completed by a keyring. */
export interface DecryptionMaterials {
  readonly suite: AlgorithmSuite;
  /** The context parsed from the message header. */
  readonly encryptionContext: EncryptionContext;
  /** The unwrapped data key; absent until a keyring decrypts one. */
  readonly plaintextDataKey?: Uint8Array;
  /** Signing suites: the SEC1-compressed public key from `aws-crypto-public-key`. */
  readonly verificationKey?: Uint8Array;
}

/** Wraps and unwraps data keys (keyring-interface.md). */
export interface Keyring {
  /** Generates the data key if absent (when able), then adds this keyring's EDK(s). */
  onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials>;
  /**
   * Unwraps the first of `encryptedDataKeys` it can. Returns the materials
   * with `plaintextDataKey` set, or unchanged if none of the EDKs was its own.
   */
  onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials>;
}

/** The input of MaterialsManager.getEncryptionMaterials (cmm-interface.md). */
export interface EncryptionMaterialsRequest {
  readonly encryptionContext: EncryptionContext;
  readonly commitmentPolicy: CommitmentPolicy;
  /** The suite the caller asked for; absent means the manager's default (0x0478). */
  readonly suiteId?: AlgorithmSuiteId;
  /** Plaintext length when known (one-shot encrypt, or a stream's `plaintextLength` hint). Caching managers count it. */
  readonly plaintextLength?: number;
}

/** The input of MaterialsManager.decryptMaterials (cmm-interface.md). */
export interface DecryptionMaterialsRequest {
  readonly suite: AlgorithmSuite;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly encryptionContext: EncryptionContext;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
}

/**
 * Cryptographic materials manager (CMM). Must return encryption materials
 * with a plaintext data key and at least one EDK, and decryption materials
 * with a plaintext data key (else throw). `DefaultMaterialsManager` wraps a
 * keyring; a caching manager may wrap another manager.
 */
export interface MaterialsManager {
  getEncryptionMaterials(request: EncryptionMaterialsRequest): Promise<EncryptionMaterials>;
  decryptMaterials(request: DecryptionMaterialsRequest): Promise<DecryptionMaterials>;
}

/** Distinguishes a MaterialsManager from a Keyring (the API accepts either). */
export function isMaterialsManager(value: Keyring | MaterialsManager): value is MaterialsManager {
  return typeof (value as MaterialsManager).getEncryptionMaterials === "function";
}

// ---- building materials (the only way keyrings should change them) ----

/** Fresh encryption materials without a data key or EDKs. */
export function encryptionMaterials(
  suite: AlgorithmSuite,
  encryptionContext: EncryptionContext,
  signingKey?: Uint8Array,
): EncryptionMaterials {
  return Object.freeze({
    suite,
    encryptionContext: Object.freeze({ ...encryptionContext }),
    encryptedDataKeys: Object.freeze([]),
    ...(signingKey ? { signingKey } : {}),
  });
}

/** Fresh decryption materials without a data key. */
export function decryptionMaterials(
  suite: AlgorithmSuite,
  encryptionContext: EncryptionContext,
  verificationKey?: Uint8Array,
): DecryptionMaterials {
  return Object.freeze({
    suite,
    encryptionContext: Object.freeze({ ...encryptionContext }),
    ...(verificationKey ? { verificationKey } : {}),
  });
}

function checkKeyLength(suite: AlgorithmSuite, key: Uint8Array, where: string): void {
  if (!(key instanceof Uint8Array) || key.length !== suite.keyLength) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw new KeyringError(`${where}: the data key must be ${suite.keyLength} bytes for suite 0x${hex4(suite.id)}, got ${got}`);
  }
}

/** Sets the generated data key. Throws KeyringError if one is already set or the length is wrong. */
export function withPlaintextDataKey(materials: EncryptionMaterials, dataKey: Uint8Array): EncryptionMaterials {
  if (materials.plaintextDataKey) throw new KeyringError("encryption materials already have a plaintext data key");
  checkKeyLength(materials.suite, dataKey, "withPlaintextDataKey");
  return Object.freeze({ ...materials, plaintextDataKey: dataKey });
}

/** Appends an EDK. Throws KeyringError if there is no plaintext data key yet (it would wrap nothing). */
export function withEncryptedDataKey(materials: EncryptionMaterials, edk: EncryptedDataKey): EncryptionMaterials {
  if (!materials.plaintextDataKey) throw new KeyringError("cannot add an encrypted data key before the plaintext data key");
  const copy: EncryptedDataKey = Object.freeze({
    providerId: edk.providerId,
    providerInfo: edk.providerInfo,
    ciphertext: edk.ciphertext,
  });
  return Object.freeze({ ...materials, encryptedDataKeys: Object.freeze([...materials.encryptedDataKeys, copy]) });
}

/** Sets the unwrapped data key. Throws KeyringError if one is already set or the length is wrong. */
export function withDecryptedDataKey(materials: DecryptionMaterials, dataKey: Uint8Array): DecryptionMaterials {
  if (materials.plaintextDataKey) throw new KeyringError("decryption materials already have a plaintext data key");
  checkKeyLength(materials.suite, dataKey, "withDecryptedDataKey");
  return Object.freeze({ ...materials, plaintextDataKey: dataKey });
}

/** Four hex digits of a suite id, for messages. */
export function hex4(id: number): string {
  return id.toString(16).padStart(4, "0");
}
