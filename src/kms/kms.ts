/**
 * Kms: an in-process AWS KMS. Operations are async methods named as in AWS
 * (camelCase) taking and returning AWS's request and response shapes.
 *
 *   const kms = new Kms();                                  // memory store, random root key
 *   const kms = new Kms({ store: new SqliteKeyStore(path), rootKey });
 *   const { KeyMetadata } = await kms.createKey({});
 *   const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext });
 *
 * Every operation enters through `#call` (call.ts), which makes the
 * OperationContext (operation name, caller, request, time) that key
 * resolution, authorization, quotas and audit work from. `kms.as(principal)`
 * returns a view of the same KMS that calls as another principal; without it
 * the caller is the account's root user. IAM identity policies are attached
 * with `kms.iam.putPrincipalPolicy(…)`; `kms.explain(…)` says how a request
 * would be decided; `kms.audit` is the audit log and `kms.usage(…)` what the
 * calls would cost.
 */
import { type AuditSink, AuditLog, type MemoryAuditSinkOptions, type UsageReport, memoryAuditSink, storeAuditSink } from "../audit/index.js";
import { type Clock, systemClock } from "../clock.js";
import { randomBytes } from "../engine/index.js";
import type { AuthorizationDecision } from "../policy/index.js";
import { type QuotaOption, RequestQuotas } from "../quota/index.js";
import type { KeyStore } from "../store/key-store.js";
import { MemoryKeyStore } from "../store/memory-store.js";
import { createAlias, deleteAlias, listAliases, updateAlias } from "./aliases.js";
import { decrypt, encrypt, generateDataKey, generateDataKeyWithoutPlaintext, generateRandom, reEncrypt } from "./encryption-ops.js";
import { AccessControl } from "./access-control.js";
import { type Operation, runOperation } from "./call.js";
import { type ExplainRequest, explain } from "./explain.js";
import { createGrant, listGrants, listRetirableGrants, retireGrant, revokeGrant } from "./grants.js";
import type { IdentityPolicies } from "./identity-policies.js";
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from "./import-ops.js";
import {
  cancelKeyDeletion,
  createKey,
  describeKey,
  disableKey,
  enableKey,
  listKeys,
  scheduleKeyDeletion,
  updateKeyDescription,
} from "./key-management.js";
import { RootKey } from "./key-material.js";
import { getKeyPolicy, listKeyPolicies, putKeyPolicy } from "./key-policy.js";
import { KeyRepository } from "./key-repository.js";
import { sweep } from "./lifecycle.js";
import { getKeyLastUsage } from "./key-usage.js";
import type { Caller, KmsCore } from "./operation.js";
import { principalAccount } from "./principals.js";
import { RandomPool } from "./random-pool.js";
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from "./rotation.js";
import {
  generateDataKeyPair,
  generateDataKeyPairWithoutPlaintext,
  generateMac,
  getPublicKey,
  sign,
  verify,
  verifyMac,
} from "./signing-ops.js";
import { listResourceTags, tagResource, untagResource } from "./tags.js";
import type * as T from "./types.js";

export interface KmsOptions {
  /** Where keys live. Default: a new MemoryKeyStore. */
  store?: KeyStore;
  /**
   * 32 bytes that wrap all key material. Required with any store but a
   * MemoryKeyStore (default: random, which is right only for a store that
   * dies with the process). A store remembers a check value of the root key it
   * was first opened with and refuses any other.
   */
  rootKey?: Uint8Array;
  /** 12-digit AWS account id in ARNs. Default 111122223333. */
  account?: string;
  /** Region in ARNs. Default us-east-1. */
  region?: string;
  /** Time source for rotation, deletion windows, expiry, quotas and audit times. Default: the system clock. */
  clock?: Clock;
  /**
   * Request quotas: "aws-2020" or "aws-current" (AWS's figures for this
   * Region, then or now), custom rates, or false (default: no quotas).
   * Calls over a quota fail with ThrottlingException and change nothing.
   */
  quotas?: QuotaOption;
  /**
   * The audit log: true (default) keeps it in the key store (which is where
   * a durable store keeps it across restarts, every record of it; a
   * MemoryKeyStore keeps it in memory, the newest 100,000 records), an
   * AuditSink puts it there, false keeps none. `{ maxRecords }` sets how many
   * records a MemoryKeyStore's log keeps (Infinity: all; see memoryAuditSink).
   */
  audit?: boolean | AuditSink | Required<MemoryAuditSinkOptions>;
}

/** A view's link to the KMS it belongs to (not exported: only `as` makes views). */
class Shared {
  constructor(
    readonly core: KmsCore,
    readonly state: { closed: boolean },
  ) {}
}

/** Where a call comes from, for audit records (a server passes these on). */
export interface CallerOrigin {
  sourceIp?: string;
  userAgent?: string;
}

function auditSink(option: KmsOptions["audit"], store: KeyStore): AuditSink | undefined {
  if (option === false) return undefined;
  if (typeof (option as AuditSink | undefined)?.append === "function") return option as AuditSink;
  const retention = option === undefined || option === true ? undefined : option;
  if (retention !== undefined && (typeof retention !== "object" || retention === null || !("maxRecords" in retention))) {
    throw new TypeError("Kms: audit must be true, false, { maxRecords } or an AuditSink");
  }
  if (store instanceof MemoryKeyStore) return memoryAuditSink(retention);
  if (retention !== undefined) throw new TypeError("Kms: audit.maxRecords bounds an in-memory audit log; a durable key store keeps every record");
  return storeAuditSink(store);
}

export class Kms {
  readonly #core: KmsCore;
  readonly #state: { closed: boolean };
  readonly #caller: Caller;
  /** ARN of the principal this Kms calls as. */
  readonly principal: string;

  /** @param options see KmsOptions. (The other parameters are for `as` only.) */
  constructor(options: KmsOptions = {}, shared?: unknown, caller?: Caller) {
    if (shared instanceof Shared) {
      this.#core = shared.core;
      this.#state = shared.state;
      this.#caller = caller as Caller;
      this.principal = this.#caller.principal;
      return;
    }
    const account = options.account ?? "111122223333";
    const region = options.region ?? "us-east-1";
    if (!/^\d{12}$/.test(account)) throw new TypeError(`Kms: account must be 12 digits, got ${JSON.stringify(account)}`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new TypeError(`Kms: region must look like us-east-1, got ${JSON.stringify(region)}`);
    const store = options.store ?? new MemoryKeyStore();
    if (options.rootKey === undefined && !(store instanceof MemoryKeyStore)) {
      throw new TypeError("Kms: a durable key store needs its rootKey (32 bytes); without it the keys could never be read again");
    }
    const root = new RootKey(options.rootKey ?? randomBytes(32));
    try {
      root.bind(store);
    } catch (err) {
      root.destroy();
      throw err;
    }
    const clock = options.clock ?? systemClock;
    const keys = new KeyRepository(store);
    const sink = auditSink(options.audit, store);
    this.#core = {
      scope: { account, region },
      clock,
      keys,
      root,
      random: new RandomPool(),
      access: new AccessControl(keys, account),
      quotas: new RequestQuotas(options.quotas ?? false, { region, clock }),
      audit: sink && new AuditLog(sink, { clock }),
    };
    this.#state = { closed: false };
    this.principal = `arn:aws:iam::${account}:root`;
    this.#caller = { principal: this.principal, account };
  }

  get account(): string {
    return this.#core.scope.account;
  }

  get region(): string {
    return this.#core.scope.region;
  }

  /**
   * The same KMS (same keys, store, clock, quotas and audit log), calling as
   * `principalArn` (e.g. arn:aws:iam::111122223333:user/KeyUser, …:role/App,
   * …:root, or another account's principal). `origin`: where the calls come
   * from, for audit records.
   */
  as(principalArn: string, origin: CallerOrigin = {}): Kms {
    if (typeof principalArn !== "string" || !/^arn:aws:(iam|sts)::\d{12}:.+/.test(principalArn)) {
      throw new TypeError(`Kms.as: expected an IAM or STS principal ARN, got ${JSON.stringify(principalArn)}`);
    }
    const caller: Caller = {
      principal: principalArn,
      account: principalAccount(principalArn),
      ...(origin.sourceIp ? { sourceIp: origin.sourceIp } : {}),
      ...(origin.userAgent ? { userAgent: origin.userAgent } : {}),
    };
    return new Kms({}, new Shared(this.#core, this.#state), caller);
  }

  /** IAM identity policies of users and roles (see identity-policies.ts). Shared by every view. */
  get iam(): IdentityPolicies {
    return this.#core.access.iam;
  }

  /** The audit log (undefined when the Kms was made with audit: false). */
  get audit(): AuditLog | undefined {
    return this.#core.audit;
  }

  /**
   * How a request would be decided, with the statements and grants that
   * decide it, without making it: no side effect, no audit record. `keyId`
   * absent: an action on no key (kms:CreateKey, …), decided by IAM alone.
   * `context`: the encryption context of the request.
   */
  explain(request: ExplainRequest): AuthorizationDecision {
    this.#open();
    return explain(this.#core, this.principal, request);
  }

  /**
   * Calls per operation and per key between `from` and `to` (default: the
   * whole log), and what they would cost at AWS's prices ($1 per key-month,
   * $0.03 per 10,000 requests). Needs the audit log.
   */
  usage(range: { from?: Date | number; to?: Date | number } = {}): UsageReport {
    this.#open();
    if (!this.#core.audit) throw new Error("Kms.usage: this Kms keeps no audit log (audit: false)");
    return this.#core.audit.usage(range);
  }

  /** Deletes keys whose deletion date has passed and runs due rotations and material expiry. */
  sweep(): T.SweepResult {
    this.#open();
    return sweep(this.#core, this.#core.clock.now());
  }

  /** Wipes cached keys and closes the store. Every view of this KMS closes with it. */
  close(): void {
    if (this.#state.closed) return;
    this.#state.closed = true;
    this.#core.keys.clear();
    this.#core.access.iam.clear();
    this.#core.root.destroy();
    this.#core.keys.store.close();
  }

  #open(): void {
    if (this.#state.closed) throw new Error("Kms: this KMS has been closed");
  }

  /** The single entry point of every operation. */
  #call<Q, R>(operation: string, request: Q, fn: Operation<Q, R>): R | Promise<R> {
    this.#open();
    return runOperation(this.#core, this.#caller, operation, request, fn);
  }

  // Keys
  async createKey(req: T.CreateKeyRequest = {}): Promise<T.KeyMetadataResponse> {
    return this.#call("CreateKey", req, createKey);
  }
  async describeKey(req: T.DescribeKeyRequest): Promise<T.KeyMetadataResponse> {
    return this.#call("DescribeKey", req, describeKey);
  }
  async listKeys(req: T.ListKeysRequest = {}): Promise<T.ListKeysResponse> {
    return this.#call("ListKeys", req, listKeys);
  }
  async enableKey(req: T.KeyRequest): Promise<void> { return this.#call("EnableKey", req, enableKey); }
  async disableKey(req: T.KeyRequest): Promise<void> { return this.#call("DisableKey", req, disableKey); }
  async scheduleKeyDeletion(req: T.ScheduleKeyDeletionRequest): Promise<T.ScheduleKeyDeletionResponse> {
    return this.#call("ScheduleKeyDeletion", req, scheduleKeyDeletion);
  }
  async cancelKeyDeletion(req: T.KeyRequest): Promise<T.KeyIdResponse> {
    return this.#call("CancelKeyDeletion", req, cancelKeyDeletion);
  }
  async updateKeyDescription(req: T.UpdateKeyDescriptionRequest): Promise<void> {
    return this.#call("UpdateKeyDescription", req, updateKeyDescription);
  }

  // Tags
  async tagResource(req: T.TagResourceRequest): Promise<void> { return this.#call("TagResource", req, tagResource); }
  async untagResource(req: T.UntagResourceRequest): Promise<void> {
    return this.#call("UntagResource", req, untagResource);
  }
  async listResourceTags(req: T.ListResourceTagsRequest): Promise<T.ListResourceTagsResponse> {
    return this.#call("ListResourceTags", req, listResourceTags);
  }

  // Aliases
  async createAlias(req: T.CreateAliasRequest): Promise<void> { return this.#call("CreateAlias", req, createAlias); }
  async updateAlias(req: T.UpdateAliasRequest): Promise<void> { return this.#call("UpdateAlias", req, updateAlias); }
  async deleteAlias(req: T.DeleteAliasRequest): Promise<void> { return this.#call("DeleteAlias", req, deleteAlias); }
  async listAliases(req: T.ListAliasesRequest = {}): Promise<T.ListAliasesResponse> {
    return this.#call("ListAliases", req, listAliases);
  }

  // Rotation
  async enableKeyRotation(req: T.EnableKeyRotationRequest): Promise<void> {
    return this.#call("EnableKeyRotation", req, enableKeyRotation);
  }
  async disableKeyRotation(req: T.KeyRequest): Promise<void> {
    return this.#call("DisableKeyRotation", req, disableKeyRotation);
  }
  async getKeyRotationStatus(req: T.KeyRequest): Promise<T.GetKeyRotationStatusResponse> {
    return this.#call("GetKeyRotationStatus", req, getKeyRotationStatus);
  }
  async rotateKeyOnDemand(req: T.KeyRequest): Promise<T.KeyIdResponse> {
    return this.#call("RotateKeyOnDemand", req, rotateKeyOnDemand);
  }
  async listKeyRotations(req: T.ListKeyRotationsRequest): Promise<T.ListKeyRotationsResponse> {
    return this.#call("ListKeyRotations", req, listKeyRotations);
  }

  // Symmetric and RSA encryption, data keys, random
  async encrypt(req: T.EncryptRequest): Promise<T.EncryptResponse> { return this.#call("Encrypt", req, encrypt); }
  async decrypt(req: T.DecryptRequest): Promise<T.DecryptResponse> { return this.#call("Decrypt", req, decrypt); }
  async reEncrypt(req: T.ReEncryptRequest): Promise<T.ReEncryptResponse> {
    return this.#call("ReEncrypt", req, reEncrypt);
  }
  async generateDataKey(req: T.GenerateDataKeyRequest): Promise<T.GenerateDataKeyResponse> {
    return this.#call("GenerateDataKey", req, generateDataKey);
  }
  async generateDataKeyWithoutPlaintext(req: T.GenerateDataKeyWithoutPlaintextRequest): Promise<T.GenerateDataKeyWithoutPlaintextResponse> {
    return this.#call("GenerateDataKeyWithoutPlaintext", req, generateDataKeyWithoutPlaintext);
  }
  async generateRandom(req: T.GenerateRandomRequest): Promise<T.GenerateRandomResponse> {
    return this.#call("GenerateRandom", req, generateRandom);
  }

  // Data key pairs, signing, MACs, public keys
  async generateDataKeyPair(req: T.GenerateDataKeyPairRequest): Promise<T.GenerateDataKeyPairResponse> {
    return this.#call("GenerateDataKeyPair", req, generateDataKeyPair);
  }
  async generateDataKeyPairWithoutPlaintext(req: T.GenerateDataKeyPairWithoutPlaintextRequest): Promise<T.GenerateDataKeyPairWithoutPlaintextResponse> {
    return this.#call("GenerateDataKeyPairWithoutPlaintext", req, generateDataKeyPairWithoutPlaintext);
  }
  async sign(req: T.SignRequest): Promise<T.SignResponse> { return this.#call("Sign", req, sign); }
  async verify(req: T.VerifyRequest): Promise<T.VerifyResponse> { return this.#call("Verify", req, verify); }
  async generateMac(req: T.GenerateMacRequest): Promise<T.GenerateMacResponse> {
    return this.#call("GenerateMac", req, generateMac);
  }
  async verifyMac(req: T.VerifyMacRequest): Promise<T.VerifyMacResponse> {
    return this.#call("VerifyMac", req, verifyMac);
  }
  async getPublicKey(req: T.KeyRequest): Promise<T.GetPublicKeyResponse> {
    return this.#call("GetPublicKey", req, getPublicKey);
  }

  // Imported key material
  async getParametersForImport(req: T.GetParametersForImportRequest): Promise<T.GetParametersForImportResponse> {
    return this.#call("GetParametersForImport", req, getParametersForImport);
  }
  async importKeyMaterial(req: T.ImportKeyMaterialRequest): Promise<T.KeyIdResponse> {
    return this.#call("ImportKeyMaterial", req, importKeyMaterial);
  }
  async deleteImportedKeyMaterial(req: T.KeyRequest): Promise<T.KeyIdResponse> {
    return this.#call("DeleteImportedKeyMaterial", req, deleteImportedKeyMaterial);
  }

  // Key policies
  async getKeyPolicy(req: T.GetKeyPolicyRequest): Promise<T.GetKeyPolicyResponse> {
    return this.#call("GetKeyPolicy", req, getKeyPolicy);
  }
  async putKeyPolicy(req: T.PutKeyPolicyRequest): Promise<void> {
    return this.#call("PutKeyPolicy", req, putKeyPolicy);
  }
  async listKeyPolicies(req: T.ListKeyPoliciesRequest): Promise<T.ListKeyPoliciesResponse> {
    return this.#call("ListKeyPolicies", req, listKeyPolicies);
  }

  // Grants
  async createGrant(req: T.CreateGrantRequest): Promise<T.CreateGrantResponse> {
    return this.#call("CreateGrant", req, createGrant);
  }
  async listGrants(req: T.ListGrantsRequest): Promise<T.ListGrantsResponse> { return this.#call("ListGrants", req, listGrants); }
  async listRetirableGrants(req: T.ListRetirableGrantsRequest): Promise<T.ListRetirableGrantsResponse> {
    return this.#call("ListRetirableGrants", req, listRetirableGrants);
  }
  async retireGrant(req: T.RetireGrantRequest): Promise<void> { return this.#call("RetireGrant", req, retireGrant); }
  async revokeGrant(req: T.RevokeGrantRequest): Promise<void> { return this.#call("RevokeGrant", req, revokeGrant); }

  // Usage
  async getKeyLastUsage(req: T.GetKeyLastUsageRequest): Promise<T.GetKeyLastUsageResponse> {
    return this.#call("GetKeyLastUsage", req, getKeyLastUsage);
  }
}
