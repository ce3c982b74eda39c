/**
 * AWS KMS keyring over an in-process `Kms` (framework/aws-kms/aws-kms-keyring.md),
 * wire-compatible with the ESDKs' AWS KMS keyrings (e.g. `KmsKeyringNode`):
 *
 *   providerId   = "aws-kms"
 *   providerInfo = the key ARN KMS answered with (UTF-8)
 *   ciphertext   = the KMS ciphertext blob of the data key
 *
 * Encrypt: the first key of `keyIds` is the generator: GenerateDataKey makes
 * the data key (unless the materials already carry one, when it wraps it with
 * Encrypt like the others); every other key adds its copy with Encrypt. The
 * message's encryption context is the KMS EncryptionContext of every call,
 * so KMS binds the wrapped key to it.
 *
 * Decrypt: tries, in order, the EDKs with provider id "aws-kms" whose
 * provider info is one of `keyIds` (so key ARNs: an alias or bare key id in
 * `keyIds` names no EDK, as in the ESDK), calling Decrypt with KeyId set to
 * that ARN and checking that KMS answered for that key. In discovery mode
 * (`discovery: true`, no keyIds) it tries every "aws-kms" EDK, optionally
 * only those of some accounts (`discoveryFilter`). Failures are collected; if
 * no EDK decrypts and some call failed, they are thrown together in a
 * NoDecryptableDataKeyError.
 *
 * Every KMS call goes through the quota layer's `withRetry` (ThrottlingException
 * → backoff with jitter). Plaintext data keys from KMS are copied into arrays
 * of their own and the response's copy is wiped.
 */
import type {
  DecryptRequest,
  DecryptResponse,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
} from "../kms/types.js";
import { type RetryOptions, withRetry } from "../quota/retry.js";
import { KeyringError, NoDecryptableDataKeyError } from "./errors.js";
import {
  type DecryptionMaterials,
  type EncryptedDataKey,
  type EncryptionMaterials,
  type Keyring,
  withDecryptedDataKey,
  withEncryptedDataKey,
  withPlaintextDataKey,
} from "./materials.js";

export const KMS_PROVIDER_ID = "aws-kms";

/** The three KMS operations a KMS keyring uses, with AWS request/response shapes (a `Kms` has them). */
export interface KmsDataKeyOperations {
  generateDataKey(request: GenerateDataKeyRequest): Promise<GenerateDataKeyResponse>;
  encrypt(request: EncryptRequest): Promise<EncryptResponse>;
  decrypt(request: DecryptRequest): Promise<DecryptResponse>;
}

/** Which KMS keys a discovery keyring may use: those of these accounts in this partition. */
export interface DiscoveryFilter {
  accountIds: readonly string[];
  /** "aws", "aws-cn", "aws-us-gov", … */
  partition: string;
}

export interface KmsKeyringCommonOptions {
  /** The generator key first, then the keys that add their own copy: key ARNs, key ids, alias names or alias ARNs. */
  keyIds?: readonly string[];
  /** Decrypt-only keyring that tries every AWS KMS EDK (no keyIds). */
  discovery?: boolean;
  discoveryFilter?: DiscoveryFilter;
  /** Passed as GrantTokens on every call. */
  grantTokens?: readonly string[];
  /** Retry of throttled calls (see quota/retry.ts; default 3 attempts). */
  retry?: RetryOptions;
}

export interface KmsKeyringOptions extends KmsKeyringCommonOptions {
  /** A `Kms` (or a view of one from `kms.as(principal)`), or anything with its generateDataKey/encrypt/decrypt. */
  kms: KmsDataKeyOperations;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
const KMS_ARN = /^arn:(aws[a-z-]*):kms:[a-z0-9-]+:(\d{12}):key\/.+$/;

/** `{ partition, account }` of a KMS key ARN, or undefined if `text` is not one. */
function parseKeyArn(text: string): { partition: string; account: string } | undefined {
  const m = KMS_ARN.exec(text);
  return m ? { partition: m[1], account: m[2] } : undefined;
}

export class KmsKeyring implements Keyring {
  readonly kms: KmsDataKeyOperations;
  readonly generatorKeyId: string | undefined;
  /** Every configured key, the generator first. */
  readonly keyIds: readonly string[];
  readonly discovery: boolean;
  readonly discoveryFilter: DiscoveryFilter | undefined;
  readonly grantTokens: readonly string[] | undefined;
  readonly #retry: RetryOptions | undefined;
  readonly #what: string;

  constructor(options: KmsKeyringOptions, what = "KmsKeyring") {
    const { kms, keyIds = [], discovery = false, discoveryFilter, grantTokens, retry } = options ?? ({} as KmsKeyringOptions);
    this.#what = what;
    if (!kms || typeof kms.generateDataKey !== "function" || typeof kms.encrypt !== "function" || typeof kms.decrypt !== "function") {
      throw new KeyringError(`${what} needs a KMS with generateDataKey, encrypt and decrypt`);
    }
    if (!Array.isArray(keyIds) || !keyIds.every((k) => typeof k === "string" && k.trim() !== "")) {
      throw new KeyringError(`${what}: keyIds must be an array of non-empty key identifiers`);
    }
    if (discovery !== true && discovery !== false) throw new KeyringError(`${what}: discovery must be a boolean`);
    if (discovery && keyIds.length) throw new KeyringError(`${what}: a discovery keyring has no keyIds`);
    if (!discovery && !keyIds.length) throw new KeyringError(`${what} needs keyIds (the generator first) or discovery: true`);
    if (discoveryFilter !== undefined) {
      if (!discovery) throw new KeyringError(`${what}: discoveryFilter applies to discovery keyrings only`);
      const { accountIds, partition } = discoveryFilter;
      if (!Array.isArray(accountIds) || !accountIds.length || !accountIds.every((a) => typeof a === "string" && a !== "") || !partition) {
        throw new KeyringError(`${what}: discoveryFilter needs a partition and at least one account id`);
      }
    }
    if (grantTokens !== undefined && (!Array.isArray(grantTokens) || !grantTokens.every((g) => typeof g === "string"))) {
      throw new KeyringError(`${what}: grantTokens must be an array of strings`);
    }
    this.kms = kms;
    this.keyIds = Object.freeze([...keyIds]);
    this.generatorKeyId = this.keyIds[0];
    this.discovery = discovery;
    this.discoveryFilter = discoveryFilter && Object.freeze({ accountIds: Object.freeze([...discoveryFilter.accountIds]), partition: discoveryFilter.partition });
    this.grantTokens = grantTokens && Object.freeze([...grantTokens]);
    this.#retry = retry;
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    if (this.discovery) return materials;
    let m = materials;
    let wrapWith = this.keyIds;
    const context = { ...m.encryptionContext };
    if (!m.plaintextDataKey) {
      const generator = this.keyIds[0];
      const r = await this.#call(() =>
        this.kms.generateDataKey({ KeyId: generator, NumberOfBytes: m.suite.keyLength, EncryptionContext: context, ...this.#grants() }),
      );
      if (!(r?.Plaintext instanceof Uint8Array) || !(r.CiphertextBlob instanceof Uint8Array)) {
        throw new KeyringError(`${this.#what}: malformed GenerateDataKey response for ${generator}`);
      }
      const dataKey = r.Plaintext.slice();
      r.Plaintext.fill(0);
      m = withPlaintextDataKey(m, dataKey);
      m = withEncryptedDataKey(m, this.#edk(r.KeyId, r.CiphertextBlob, generator));
      wrapWith = this.keyIds.slice(1);
    }
    for (const keyId of wrapWith) {
      const dataKey = m.plaintextDataKey!;
      const r = await this.#call(() => this.kms.encrypt({ KeyId: keyId, Plaintext: dataKey, EncryptionContext: context, ...this.#grants() }));
      if (!(r?.CiphertextBlob instanceof Uint8Array)) throw new KeyringError(`${this.#what}: malformed Encrypt response for ${keyId}`);
      m = withEncryptedDataKey(m, this.#edk(r.KeyId, r.CiphertextBlob, keyId));
    }
    return m;
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) throw new KeyringError(`${this.#what}: the decryption materials already have a data key`);
    const errors: unknown[] = [];
    const context = { ...materials.encryptionContext };
    for (const edk of encryptedDataKeys) {
      const arn = this.#mine(edk);
      if (arn === undefined) continue;
      try {
        const r = await this.#call(() => this.kms.decrypt({ CiphertextBlob: edk.ciphertext, KeyId: arn, EncryptionContext: context, ...this.#grants() }));
        if (!(r?.Plaintext instanceof Uint8Array)) throw new KeyringError(`${this.#what}: malformed Decrypt response for ${arn}`);
        const dataKey = r.Plaintext.slice();
        r.Plaintext.fill(0);
        if (r.KeyId !== arn) {
          dataKey.fill(0);
          throw new KeyringError(`${this.#what}: KMS decrypted with ${String(r.KeyId)}, not the requested ${arn}`);
        }
        return withDecryptedDataKey(materials, dataKey);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) {
      throw new NoDecryptableDataKeyError(`${this.#what}: no AWS KMS encrypted data key could be decrypted`, errors);
    }
    return materials;
  }

  /** The key ARN of an EDK this keyring may decrypt, or undefined. */
  #mine(edk: EncryptedDataKey): string | undefined {
    if (edk.providerId !== KMS_PROVIDER_ID) return undefined;
    const arn = utf8Decoder.decode(edk.providerInfo);
    if (!this.discovery) return this.keyIds.includes(arn) ? arn : undefined;
    const filter = this.discoveryFilter;
    if (!filter) return arn;
    const parsed = parseKeyArn(arn);
    return parsed && parsed.partition === filter.partition && filter.accountIds.includes(parsed.account) ? arn : undefined;
  }

  #edk(keyArn: unknown, ciphertext: Uint8Array, requested: string): EncryptedDataKey {
    if (typeof keyArn !== "string" || !parseKeyArn(keyArn)) {
      throw new KeyringError(`${this.#what}: KMS answered for ${requested} without a key ARN (got ${JSON.stringify(keyArn)})`);
    }
    return { providerId: KMS_PROVIDER_ID, providerInfo: utf8.encode(keyArn), ciphertext: ciphertext.slice() };
  }

  #grants(): { GrantTokens?: string[] } {
    return this.grantTokens ? { GrantTokens: [...this.grantTokens] } : {};
  }

  #call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, this.#retry);
  }
}
