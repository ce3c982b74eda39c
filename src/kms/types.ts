/**
 * Request and response shapes of the Kms operations. They mirror the AWS KMS
 * API (kms-2014-11-01) as the AWS SDK for JavaScript v3 presents it: PascalCase
 * fields, `Uint8Array` for blobs, `Date` for timestamps. Fields of the AWS API
 * that wasmkms does not implement (custom key stores, multi-Region keys, Nitro
 * enclave recipients, dry runs) are left out; passing them has no effect.
 */

export type KeySpec =
  | "SYMMETRIC_DEFAULT"
  | "HMAC_224"
  | "HMAC_256"
  | "HMAC_384"
  | "HMAC_512"
  | "RSA_2048"
  | "RSA_3072"
  | "RSA_4096"
  | "ECC_NIST_P256"
  | "ECC_NIST_P384"
  | "ECC_NIST_P521";
export type KeyUsage = "ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "GENERATE_VERIFY_MAC";
export type KeyState = "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport";
export type OriginType = "AWS_KMS" | "EXTERNAL";
export type ExpirationModel = "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";
export type EncryptionAlgorithm = "SYMMETRIC_DEFAULT" | "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256";
export type SigningAlgorithm =
  | "RSASSA_PSS_SHA_256"
  | "RSASSA_PSS_SHA_384"
  | "RSASSA_PSS_SHA_512"
  | "RSASSA_PKCS1_V1_5_SHA_256"
  | "RSASSA_PKCS1_V1_5_SHA_384"
  | "RSASSA_PKCS1_V1_5_SHA_512"
  | "ECDSA_SHA_256"
  | "ECDSA_SHA_384"
  | "ECDSA_SHA_512";
export type MacAlgorithm = "HMAC_SHA_224" | "HMAC_SHA_256" | "HMAC_SHA_384" | "HMAC_SHA_512";
export type DataKeySpec = "AES_256" | "AES_128";
export type DataKeyPairSpec = "RSA_2048" | "RSA_3072" | "RSA_4096" | "ECC_NIST_P256" | "ECC_NIST_P384" | "ECC_NIST_P521";
export type MessageType = "RAW" | "DIGEST";
export type WrappingAlgorithm = "RSAES_OAEP_SHA_256";
export type WrappingKeySpec = "RSA_2048";
export type RotationType = "AUTOMATIC" | "ON_DEMAND";
export type EncryptionContext = Record<string, string>;

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KeyMetadata {
  AWSAccountId: string;
  KeyId: string;
  Arn: string;
  CreationDate: Date;
  Enabled: boolean;
  Description: string;
  KeyUsage: KeyUsage;
  KeyState: KeyState;
  DeletionDate?: Date;
  ValidTo?: Date;
  Origin: OriginType;
  ExpirationModel?: ExpirationModel;
  KeyManager: "CUSTOMER";
  /** Deprecated in AWS in favour of KeySpec; kept because SDKs still return it. */
  CustomerMasterKeySpec: KeySpec;
  KeySpec: KeySpec;
  EncryptionAlgorithms?: EncryptionAlgorithm[];
  SigningAlgorithms?: SigningAlgorithm[];
  MacAlgorithms?: MacAlgorithm[];
  MultiRegion: false;
  PendingDeletionWindowInDays?: number;
}

/** Paged requests: Limit 1–1000 (default 100); Marker from a previous NextMarker. */
export interface PageRequest {
  Limit?: number;
  Marker?: string;
}
export interface PageResponse {
  NextMarker?: string;
  Truncated: boolean;
}

/** Requests that name one KMS key. */
export interface KeyRequest {
  KeyId: string;
}
export interface KeyIdResponse {
  /** The key ARN. */
  KeyId: string;
}

export interface CreateKeyRequest {
  Policy?: string;
  Description?: string;
  KeyUsage?: KeyUsage;
  KeySpec?: KeySpec;
  /** Deprecated synonym of KeySpec; give one or the other. */
  CustomerMasterKeySpec?: KeySpec;
  Origin?: OriginType;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: Tag[];
  MultiRegion?: boolean;
}
export interface KeyMetadataResponse {
  KeyMetadata: KeyMetadata;
}

export interface DescribeKeyRequest extends KeyRequest {
  GrantTokens?: string[];
}

export type ListKeysRequest = PageRequest;
export interface ListKeysResponse extends PageResponse {
  Keys: { KeyId: string; KeyArn: string }[];
}

export interface ScheduleKeyDeletionRequest extends KeyRequest {
  PendingWindowInDays?: number;
}
export interface ScheduleKeyDeletionResponse extends KeyIdResponse {
  DeletionDate: Date;
  KeyState: "PendingDeletion";
  PendingWindowInDays: number;
}

export interface UpdateKeyDescriptionRequest extends KeyRequest {
  Description: string;
}

export interface TagResourceRequest extends KeyRequest {
  Tags: Tag[];
}
export interface UntagResourceRequest extends KeyRequest {
  TagKeys: string[];
}
export interface ListResourceTagsRequest extends KeyRequest, PageRequest {}
export interface ListResourceTagsResponse extends PageResponse {
  Tags: Tag[];
}

export interface CreateAliasRequest {
  AliasName: string;
  TargetKeyId: string;
}
export type UpdateAliasRequest = CreateAliasRequest;
export interface DeleteAliasRequest {
  AliasName: string;
}
export interface AliasListEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: Date;
  LastUpdatedDate: Date;
}
export interface ListAliasesRequest extends PageRequest {
  KeyId?: string;
}
export interface ListAliasesResponse extends PageResponse {
  Aliases: AliasListEntry[];
}

export interface EnableKeyRotationRequest extends KeyRequest {
  RotationPeriodInDays?: number;
}
export interface GetKeyRotationStatusResponse extends KeyIdResponse {
  KeyRotationEnabled: boolean;
  RotationPeriodInDays?: number;
  NextRotationDate?: Date;
}
export interface ListKeyRotationsRequest extends KeyRequest, PageRequest {
  /** ROTATIONS_ONLY (default) lists rotations; ALL_KEY_MATERIAL also lists the original material. */
  IncludeKeyMaterial?: "ALL_KEY_MATERIAL" | "ROTATIONS_ONLY";
}
export interface RotationsListEntry {
  KeyId: string;
  /** CURRENT for the material Encrypt uses, NON_CURRENT for older material. */
  KeyMaterialState: "CURRENT" | "NON_CURRENT";
  /** Absent for the original material (IncludeKeyMaterial ALL_KEY_MATERIAL). */
  RotationDate?: Date;
  RotationType?: RotationType;
}
export interface ListKeyRotationsResponse extends PageResponse {
  Rotations: RotationsListEntry[];
}

export interface EncryptRequest extends KeyRequest {
  Plaintext: Uint8Array;
  EncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
  EncryptionAlgorithm?: EncryptionAlgorithm;
}
export interface EncryptResponse extends KeyIdResponse {
  CiphertextBlob: Uint8Array;
  EncryptionAlgorithm: EncryptionAlgorithm;
}

export interface DecryptRequest {
  CiphertextBlob: Uint8Array;
  /** Optional for symmetric keys (the blob names its key); required for asymmetric keys. */
  KeyId?: string;
  EncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
  EncryptionAlgorithm?: EncryptionAlgorithm;
}
export interface DecryptResponse extends KeyIdResponse {
  Plaintext: Uint8Array;
  EncryptionAlgorithm: EncryptionAlgorithm;
}

export interface ReEncryptRequest {
  CiphertextBlob: Uint8Array;
  SourceEncryptionContext?: EncryptionContext;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContext;
  SourceEncryptionAlgorithm?: EncryptionAlgorithm;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithm;
  GrantTokens?: string[];
}
export interface ReEncryptResponse extends KeyIdResponse {
  CiphertextBlob: Uint8Array;
  SourceKeyId: string;
  SourceEncryptionAlgorithm: EncryptionAlgorithm;
  DestinationEncryptionAlgorithm: EncryptionAlgorithm;
}

export interface GenerateDataKeyRequest extends KeyRequest {
  EncryptionContext?: EncryptionContext;
  /** Give exactly one of NumberOfBytes (1–1024) and KeySpec. */
  NumberOfBytes?: number;
  KeySpec?: DataKeySpec;
  GrantTokens?: string[];
}
export interface GenerateDataKeyResponse extends KeyIdResponse {
  CiphertextBlob: Uint8Array;
  Plaintext: Uint8Array;
}
export type GenerateDataKeyWithoutPlaintextRequest = GenerateDataKeyRequest;
export interface GenerateDataKeyWithoutPlaintextResponse extends KeyIdResponse {
  CiphertextBlob: Uint8Array;
}

export interface GenerateDataKeyPairRequest extends KeyRequest {
  KeyPairSpec: DataKeyPairSpec;
  EncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
}
export interface GenerateDataKeyPairResponse extends KeyIdResponse {
  /** PKCS #8 private key encrypted under the KMS key (decrypt it with Decrypt). */
  PrivateKeyCiphertextBlob: Uint8Array;
  /** PKCS #8 DER. */
  PrivateKeyPlaintext: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  PublicKey: Uint8Array;
  KeyPairSpec: DataKeyPairSpec;
}
export type GenerateDataKeyPairWithoutPlaintextRequest = GenerateDataKeyPairRequest;
export type GenerateDataKeyPairWithoutPlaintextResponse = Omit<GenerateDataKeyPairResponse, "PrivateKeyPlaintext">;

export interface GenerateRandomRequest {
  NumberOfBytes?: number;
}
export interface GenerateRandomResponse {
  Plaintext: Uint8Array;
}

export interface GenerateMacRequest extends KeyRequest {
  Message: Uint8Array;
  MacAlgorithm: MacAlgorithm;
  GrantTokens?: string[];
}
export interface GenerateMacResponse extends KeyIdResponse {
  Mac: Uint8Array;
  MacAlgorithm: MacAlgorithm;
}
export interface VerifyMacRequest extends GenerateMacRequest {
  Mac: Uint8Array;
}
export interface VerifyMacResponse extends KeyIdResponse {
  MacValid: true;
  MacAlgorithm: MacAlgorithm;
}

export interface SignRequest extends KeyRequest {
  Message: Uint8Array;
  MessageType?: MessageType;
  SigningAlgorithm: SigningAlgorithm;
  GrantTokens?: string[];
}
export interface SignResponse extends KeyIdResponse {
  Signature: Uint8Array;
  SigningAlgorithm: SigningAlgorithm;
}
export interface VerifyRequest extends SignRequest {
  Signature: Uint8Array;
}
export interface VerifyResponse extends KeyIdResponse {
  SignatureValid: true;
  SigningAlgorithm: SigningAlgorithm;
}

export interface GetPublicKeyResponse extends KeyIdResponse {
  PublicKey: Uint8Array;
  CustomerMasterKeySpec: KeySpec;
  KeySpec: KeySpec;
  KeyUsage: KeyUsage;
  EncryptionAlgorithms?: EncryptionAlgorithm[];
  SigningAlgorithms?: SigningAlgorithm[];
}

export interface GetParametersForImportRequest extends KeyRequest {
  WrappingAlgorithm: WrappingAlgorithm;
  WrappingKeySpec: WrappingKeySpec;
}
export interface GetParametersForImportResponse extends KeyIdResponse {
  ImportToken: Uint8Array;
  /** SubjectPublicKeyInfo DER of the RSA wrapping key. */
  PublicKey: Uint8Array;
  ParametersValidTo: Date;
}
export interface ImportKeyMaterialRequest extends KeyRequest {
  ImportToken: Uint8Array;
  EncryptedKeyMaterial: Uint8Array;
  ValidTo?: Date;
  ExpirationModel?: ExpirationModel;
}

export interface GetKeyPolicyRequest extends KeyRequest {
  PolicyName?: string;
}
export interface GetKeyPolicyResponse {
  Policy: string;
  PolicyName: string;
}
export interface PutKeyPolicyRequest extends KeyRequest {
  PolicyName?: string;
  Policy: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
}
export interface ListKeyPoliciesRequest extends KeyRequest, PageRequest {}
export interface ListKeyPoliciesResponse extends PageResponse {
  PolicyNames: string[];
}

export type GrantOperation =
  | "Decrypt"
  | "Encrypt"
  | "GenerateDataKey"
  | "GenerateDataKeyWithoutPlaintext"
  | "ReEncryptFrom"
  | "ReEncryptTo"
  | "Sign"
  | "Verify"
  | "GetPublicKey"
  | "CreateGrant"
  | "RetireGrant"
  | "DescribeKey"
  | "GenerateDataKeyPair"
  | "GenerateDataKeyPairWithoutPlaintext"
  | "GenerateMac"
  | "VerifyMac";
/**
 * Encryption context a grant requires: exactly these pairs (Equals) or at
 * least these pairs (Subset). Keys compare case-insensitively, values exactly.
 */
export interface GrantConstraints {
  EncryptionContextSubset?: EncryptionContext;
  EncryptionContextEquals?: EncryptionContext;
}
export interface CreateGrantRequest extends KeyRequest {
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  Operations: GrantOperation[];
  Constraints?: GrantConstraints;
  GrantTokens?: string[];
  /** Makes CreateGrant idempotent: the same Name and parameters return the existing grant's id. */
  Name?: string;
}
export interface CreateGrantResponse {
  GrantToken: string;
  GrantId: string;
}
export interface GrantListEntry {
  /** The key ARN. */
  KeyId: string;
  GrantId: string;
  Name?: string;
  CreationDate: Date;
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  /** arn:aws:iam::<account>:root of the account the grant was made in. */
  IssuingAccount: string;
  Operations: GrantOperation[];
  Constraints?: GrantConstraints;
}
export interface ListGrantsRequest extends KeyRequest, PageRequest {
  GrantId?: string;
  GranteePrincipal?: string;
}
export interface ListGrantsResponse extends PageResponse {
  Grants: GrantListEntry[];
}
export interface ListRetirableGrantsRequest extends PageRequest {
  RetiringPrincipal: string;
}
export type ListRetirableGrantsResponse = ListGrantsResponse;
/** Name the grant by GrantToken, or by KeyId (key id or ARN) and GrantId. */
export interface RetireGrantRequest {
  GrantToken?: string;
  KeyId?: string;
  GrantId?: string;
}
export interface RevokeGrantRequest extends KeyRequest {
  GrantId: string;
}

export type GetKeyLastUsageRequest = KeyRequest;
export interface KeyLastUsageData {
  /** The cryptographic operation, e.g. "Decrypt". */
  Operation: string;
  Timestamp: Date;
  /** eventID of the audit record of that call. */
  CloudTrailEventId: string;
  /** requestID of that call. */
  KmsRequestId: string;
}
export interface GetKeyLastUsageResponse {
  KeyId: string;
  KeyCreationDate: Date;
  /** Since when uses are recorded: the oldest record in the audit log. */
  TrackingStartDate: Date;
  /** Absent when the key has not been used successfully since TrackingStartDate. */
  KeyLastUsage?: KeyLastUsageData;
}

/** What `kms.sweep()` did. */
export interface SweepResult {
  /** Keys whose deletion date had passed, now deleted. */
  deleted: number;
  /** Automatic rotations performed. */
  rotated: number;
  /** Keys whose imported material expired (now PendingImport). */
  expired: number;
}
