/**
 * The ESDK algorithm suites (framework/algorithm-suites.md) and the
 * commitment policies that choose among them (framework/commitment-policy.md).
 *
 * Encryption uses 0x0478 (default) or 0x0578; decryption accepts all eleven
 * AES-GCM suites, the v1 (non-committing) ones only when the policy allows.
 */
import { CommitmentPolicyError, InvalidParameterError, UnsupportedAlgorithmSuiteError } from "./errors.js";
import { type AlgorithmSuite, type AlgorithmSuiteId, type CommitmentPolicy, hex4 } from "./materials.js";

const P256 = Object.freeze({ curve: "P-256", hash: "sha256" } as const);
const P384 = Object.freeze({ curve: "P-384", hash: "sha384" } as const);

function suite(
  id: AlgorithmSuiteId,
  name: string,
  keyLength: 16 | 24 | 32,
  kdf: AlgorithmSuite["kdf"],
  signature?: AlgorithmSuite["signature"],
): AlgorithmSuite {
  const committing = id === 0x0478 || id === 0x0578;
  return Object.freeze({
    id,
    name,
    messageFormat: committing ? 2 : 1,
    keyLength,
    ivLength: 12,
    tagLength: 16,
    kdf,
    commitment: committing,
    suiteDataLength: committing ? 32 : 0,
    ...(signature ? { signature } : {}),
    encrypt: committing,
  });
}

/** Every suite, by id. */
export const ALGORITHM_SUITES: ReadonlyMap<AlgorithmSuiteId, AlgorithmSuite> = new Map(
  [
    suite(0x0014, "ALG_AES_128_GCM_IV12_TAG16_NO_KDF", 16, "identity"),
    suite(0x0046, "ALG_AES_192_GCM_IV12_TAG16_NO_KDF", 24, "identity"),
    suite(0x0078, "ALG_AES_256_GCM_IV12_TAG16_NO_KDF", 32, "identity"),
    suite(0x0114, "ALG_AES_128_GCM_IV12_TAG16_HKDF_SHA256", 16, "sha256"),
    suite(0x0146, "ALG_AES_192_GCM_IV12_TAG16_HKDF_SHA256", 24, "sha256"),
    suite(0x0178, "ALG_AES_256_GCM_IV12_TAG16_HKDF_SHA256", 32, "sha256"),
    suite(0x0214, "ALG_AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256", 16, "sha256", P256),
    suite(0x0346, "ALG_AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384", 24, "sha384", P384),
    suite(0x0378, "ALG_AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384", 32, "sha384", P384),
    suite(0x0478, "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY", 32, "sha512"),
    suite(0x0578, "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", 32, "sha512", P384),
  ].map((s) => [s.id, s] as const),
);

/** The default suite for encryption: AES-256-GCM, HKDF-SHA512, key commitment, no signature. */
export const DEFAULT_SUITE_ID: AlgorithmSuiteId = 0x0478;
export const DEFAULT_COMMITMENT_POLICY: CommitmentPolicy = "REQUIRE_ENCRYPT_REQUIRE_DECRYPT";

/** Looks up a suite by its numeric id; throws UnsupportedAlgorithmSuiteError for an unknown id. */
export function algorithmSuite(id: number): AlgorithmSuite {
  const s = ALGORITHM_SUITES.get(id as AlgorithmSuiteId);
  if (!s) throw new UnsupportedAlgorithmSuiteError(`unknown algorithm suite 0x${hex4(id)}`);
  return s;
}

/** Validates a commitment policy option (undefined → the default). */
export function commitmentPolicyOf(value: unknown): CommitmentPolicy {
  if (value === undefined) return DEFAULT_COMMITMENT_POLICY;
  if (value === "REQUIRE_ENCRYPT_REQUIRE_DECRYPT" || value === "REQUIRE_ENCRYPT_ALLOW_DECRYPT") return value;
  throw new InvalidParameterError(
    `commitmentPolicy must be "REQUIRE_ENCRYPT_REQUIRE_DECRYPT" or "REQUIRE_ENCRYPT_ALLOW_DECRYPT", got ${JSON.stringify(value)}`,
  );
}

/** Throws unless `suite` may encrypt under `policy` (both policies require committing suites). */
export function checkEncryptSuite(suite: AlgorithmSuite, policy: CommitmentPolicy): void {
  if (!suite.commitment) {
    throw new CommitmentPolicyError(`commitment policy ${policy} forbids encrypting with the non-committing suite 0x${hex4(suite.id)}`);
  }
  if (!suite.encrypt) throw new UnsupportedAlgorithmSuiteError(`suite 0x${hex4(suite.id)} is supported for decryption only`);
}

/** Throws unless a message with `suite` may be decrypted under `policy`. */
export function checkDecryptSuite(suite: AlgorithmSuite, policy: CommitmentPolicy): void {
  if (!suite.commitment && policy === "REQUIRE_ENCRYPT_REQUIRE_DECRYPT") {
    throw new CommitmentPolicyError(
      `commitment policy ${policy} forbids decrypting a message with the non-committing suite 0x${hex4(suite.id)}; ` +
        `use REQUIRE_ENCRYPT_ALLOW_DECRYPT to read messages from older SDKs`,
    );
  }
}
