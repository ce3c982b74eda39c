/**
 * wasmkms/sdk — envelope encryption in the AWS Encryption SDK message format
 * (v2 header, framed body, key commitment; suites 0x0478 and 0x0578), so
 * messages interoperate with the ESDKs (e.g. `@aws-crypto/client-node`) both
 * ways. Portable: web-standard APIs only.
 *
 *   const keyring = new RawAesKeyring({ keyNamespace, keyName, wrappingKey });
 *   const { result } = await encrypt(keyring, plaintext, { encryptionContext });
 *   const { plaintext, header } = await decrypt(keyring, result);
 */
export { encrypt } from "./encrypt.js";
export type { EncryptResult } from "./encrypt.js";
export { decrypt } from "./decrypt.js";
export type { DecryptResult } from "./decrypt.js";
export { encryptStream, decryptStream } from "./streams.js";
export type { MessageStream } from "./streams.js";
export type { EncryptOptions, EncryptStreamOptions, DecryptOptions } from "./options.js";
export { DEFAULT_FRAME_LENGTH } from "./options.js";
export type { MessageHeader } from "./header.js";

export { RawAesKeyring } from "./raw-aes-keyring.js";
export type { RawAesKeyringOptions } from "./raw-aes-keyring.js";
export { MultiKeyring } from "./multi-keyring.js";
export type { MultiKeyringOptions } from "./multi-keyring.js";
export { DefaultMaterialsManager } from "./default-materials-manager.js";

export {
  isMaterialsManager,
  encryptionMaterials,
  decryptionMaterials,
  withPlaintextDataKey,
  withEncryptedDataKey,
  withDecryptedDataKey,
} from "./materials.js";
export type {
  AlgorithmSuite,
  AlgorithmSuiteId,
  CommitmentPolicy,
  DecryptionMaterials,
  DecryptionMaterialsRequest,
  EncryptedDataKey,
  EncryptionContext,
  EncryptionMaterials,
  EncryptionMaterialsRequest,
  Keyring,
  MaterialsManager,
} from "./materials.js";
export {
  ALGORITHM_SUITES,
  DEFAULT_SUITE_ID,
  DEFAULT_COMMITMENT_POLICY,
  algorithmSuite,
  checkEncryptSuite,
  checkDecryptSuite,
} from "./algorithm-suites.js";
export {
  PUBLIC_KEY_CONTEXT_KEY,
  RESERVED_PREFIX,
  checkEncryptionContext,
  serializeEncryptionContext,
} from "./encryption-context.js";
export {
  SdkError,
  MalformedMessageError,
  UnsupportedAlgorithmSuiteError,
  CommitmentPolicyError,
  TooManyEncryptedDataKeysError,
  KeyCommitmentError,
  HeaderAuthenticationError,
  FrameAuthenticationError,
  SignatureVerificationError,
  EncryptionContextError,
  NoDecryptableDataKeyError,
  KeyringError,
  InvalidParameterError,
} from "./errors.js";

// Keyrings over KMS and the caching materials manager (SDK periphery).
export { KmsKeyring, KMS_PROVIDER_ID } from "./kms-keyring.js";
export type { DiscoveryFilter, KmsDataKeyOperations, KmsKeyringCommonOptions, KmsKeyringOptions } from "./kms-keyring.js";
export { AwsKmsKeyring } from "./aws-kms-keyring.js";
export type { AwsKmsClient, AwsKmsKeyringOptions, KmsCommands } from "./aws-kms-keyring.js";
export { CachingMaterialsManager, MaterialsCache, MAX_BYTES_PER_DATA_KEY, MAX_MESSAGES_PER_DATA_KEY } from "./caching-materials-manager.js";
export type { CacheEntry, CachingMaterialsManagerOptions } from "./caching-materials-manager.js";
