/**
 * What every operation runs with. `KmsCore` is the shared state of one Kms
 * (and of every `kms.as(…)` view of it); an `OperationContext` is one call:
 * the operation name, the calling principal, the request, the time, and the
 * keys the call resolved.
 *
 * Every key an operation touches is resolved through `ctx.key(…)` (or
 * `ctx.keyById(…)` then `ctx.use(…)`), the one place that turns a KeyId into
 * a key: parse the identifier, follow an alias, apply due housekeeping, and
 * then, in this order, take the request from its quota (cryptographic
 * operations, whose quota pool depends on the key's type), authorize the use
 * (key policy, IAM policies, grants: AccessDeniedException), and check the
 * key state. All of that happens before the operation changes anything, so a
 * throttled or denied call has no effect. Audit reads `ctx.uses` after the
 * call.
 */
import type { Clock } from "../clock.js";
import type { AuditLog } from "../audit/index.js";
import type { RequestQuotas } from "../quota/index.js";
import type { AccessControl } from "./access-control.js";
import { NotFoundException, ThrottlingException } from "./errors.js";
import type { GrantRecord } from "./grant-rules.js";
import type { KeyEntry } from "./key-entry.js";
import { type KeyScope, aliasArn, keyArn, parseKeyReference } from "./key-id.js";
import type { RootKey } from "./key-material.js";
import type { KeyRepository } from "./key-repository.js";
import { type StateRule, checkKeyState } from "./key-state.js";
import { settle } from "./lifecycle.js";
import { accountConditions } from "./request-conditions.js";
import type { RandomPool } from "./random-pool.js";

export interface KmsCore {
  readonly scope: KeyScope;
  readonly clock: Clock;
  readonly keys: KeyRepository;
  readonly root: RootKey;
  readonly random: RandomPool;
  /** Authorization: key policies, IAM identity policies, grants. */
  readonly access: AccessControl;
  /** Request quotas (a RequestQuotas with no limits when quotas are off). */
  readonly quotas: RequestQuotas;
  /** The audit log; undefined when audit is off. */
  readonly audit: AuditLog | undefined;
}

/** Who is calling: the principal, and where from when a server passes it on (for audit). */
export interface Caller {
  readonly principal: string;
  /** The principal's 12-digit account. */
  readonly account: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

/**
 * Operations whose quota pool is that of their key's type (symmetric, RSA,
 * ECC): their request is taken from its quota when the key is known, at its
 * first use. Every other operation is taken when the call starts.
 */
const KEY_TYPE_QUOTA_OPERATIONS = new Set([
  "Encrypt",
  "Decrypt",
  "ReEncrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateMac",
  "VerifyMac",
  "Sign",
  "Verify",
]);

export interface KeyUse {
  readonly key: KeyEntry;
  /** e.g. "kms:Encrypt". */
  readonly action: string;
}

export interface KeyLookup {
  /** Name of the request field, for messages (default "KeyId"). */
  field?: string;
  /** Whether alias names and alias ARNs are accepted (default false). */
  aliases?: boolean;
  /**
   * The permission this use of the key needs, when it is not kms:<operation>
   * (ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on
   * the destination).
   */
  action?: string;
  /**
   * false when the operation authorizes this use itself (RetireGrant, whose
   * grant decides) or by IAM alone (ListAliases). Default true.
   */
  authorize?: boolean;
}

export class OperationContext {
  readonly core: KmsCore;
  /** AWS operation name, e.g. "Encrypt". */
  readonly operation: string;
  /** ARN of the caller. */
  readonly principal: string;
  readonly caller: Caller;
  readonly request: object;
  /** Clock time at the start of the call (ms). */
  readonly now: number;
  /** Keys this call resolved (including a use then refused), in order, with the permission each use needs. */
  readonly uses: KeyUse[] = [];
  #quotaTaken = false;
  /** Whether this call's audit record has been made. */
  #audited = false;

  constructor(core: KmsCore, operation: string, caller: Caller, request: object) {
    this.core = core;
    this.operation = operation;
    this.caller = caller;
    this.principal = caller.principal;
    this.request = request;
    this.now = core.clock.now();
  }

  /** kms:<operation>, the permission a use of a key needs unless the operation says otherwise. */
  get action(): string {
    return `kms:${this.operation}`;
  }

  /**
   * Takes this call from its request quota: at the start for most
   * operations, at the first key use for those whose pool depends on the
   * key's type. ThrottlingException (and nothing taken) when it is spent.
   */
  takeQuota(keySpec?: string): void {
    if (this.#quotaTaken) return;
    if (keySpec === undefined && KEY_TYPE_QUOTA_OPERATIONS.has(this.operation)) return;
    this.#quotaTaken = true;
    const account = this.caller.account;
    const pairSpec = (this.request as { KeyPairSpec?: unknown }).KeyPairSpec;
    const check = this.core.quotas.take(
      this.operation,
      keySpec,
      typeof pairSpec === "string" ? pairSpec : undefined,
      account === this.core.scope.account ? undefined : account,
    );
    if (!check.ok) throw new ThrottlingException(check.message);
  }

  /**
   * Resolves a KeyId parameter to a live key in a state `rule` accepts.
   * NotFoundException when nothing by that name exists (or it was deleted when
   * its deletion date passed).
   */
  key(value: unknown, rule: StateRule, lookup: KeyLookup = {}): KeyEntry {
    const field = lookup.field ?? "KeyId";
    const ref = parseKeyReference(this.core.scope, value, field, lookup.aliases === true);
    let keyId: string;
    let requestAlias: string | undefined;
    if (ref.kind === "alias") {
      requestAlias = ref.aliasName;
      const alias = this.core.keys.alias(ref.aliasName);
      if (!alias) throw new NotFoundException(`Alias ${aliasArn(this.core.scope, ref.aliasName)} is not found.`);
      keyId = alias.targetKeyId;
    } else {
      keyId = ref.keyId;
    }
    const entry = this.#live(keyId);
    if (!entry) throw new NotFoundException(`Key '${keyArn(this.core.scope, keyId)}' does not exist`);
    return this.#use(entry, rule, lookup.action ?? this.action, requestAlias, lookup.authorize !== false);
  }

  /** The live key with this id, or undefined (used for the key id a ciphertext names). */
  keyById(keyId: string): KeyEntry | undefined {
    return this.#live(keyId);
  }

  /** Authorizes a use of `entry` by `action`, checks its state under `rule`, and records it as used by this call. */
  use(entry: KeyEntry, rule: StateRule, action = this.action): KeyEntry {
    return this.#use(entry, rule, action, undefined, true);
  }

  /** Records the key CreateKey just made as this call's (authorized by IAM before it was made). */
  created(entry: KeyEntry): void {
    this.uses.push({ key: entry, action: this.action });
  }

  /**
   * AccessDeniedException unless the caller may use `entry` by `action`.
   * `grants`: the grants that count, instead of those matching the request.
   */
  authorize(entry: KeyEntry, action: string, grants?: readonly GrantRecord[], requestAlias?: string): void {
    this.core.access.authorizeKeyUse(entry, {
      principal: this.principal,
      operation: this.operation,
      action,
      request: this.request,
      now: this.now,
      requestAlias,
      grants,
    });
  }

  /** AccessDeniedException unless the caller's IAM policies allow kms:<operation> on `resource` (an alias ARN, or "*"). */
  authorizeIdentity(resource: string): void {
    const conditions = accountConditions(this.operation, this.request as Record<string, unknown>, this.now);
    this.core.access.authorizeIdentity(this.principal, this.action, resource, conditions);
  }

  #use(entry: KeyEntry, rule: StateRule, action: string, requestAlias: string | undefined, authorize: boolean): KeyEntry {
    this.uses.push({ key: entry, action });
    this.takeQuota(entry.spec);
    if (authorize) this.authorize(entry, action, undefined, requestAlias);
    checkKeyState(entry, rule);
    return entry;
  }

  #live(keyId: string): KeyEntry | undefined {
    const entry = this.core.keys.get(keyId);
    return entry && settle(this.core, entry, this.now);
  }

  /** Runs `fn` as one store transaction (see KeyRepository.write). */
  write<T>(fn: () => T): T {
    return this.core.keys.write(fn);
  }

  /**
   * Finishes the call: runs `fn` (its last writes, and the response) as one
   * store transaction and records the call's success in the audit log inside
   * that same transaction, so a durable store keeps a change and its record
   * together or neither.
   */
  commit<R>(fn: () => R): R {
    const out = this.core.keys.write(() => {
      const response = fn();
      this.#record(response, undefined);
      return response;
    });
    this.#audited = true;
    return out;
  }

  /** Records the call's outcome in the audit log, once (a no-op when commit() already did, or audit is off). */
  audit(response: unknown, error: unknown): void {
    if (this.#audited) return;
    this.#audited = true;
    this.#record(response, error);
  }

  #record(response: unknown, error: unknown): void {
    const log = this.core.audit;
    if (!log) return;
    const keyArns: string[] = [];
    for (const use of this.uses) if (!keyArns.includes(use.key.arn)) keyArns.push(use.key.arn);
    const { scope } = this.core;
    log.record({
      time: this.now,
      operation: this.operation,
      region: scope.region,
      account: scope.account,
      principal: this.principal,
      request: this.request as Record<string, unknown>,
      response: error === undefined ? (response as Record<string, unknown> | undefined) : undefined,
      error: error === undefined ? undefined : { name: errorName(error), message: errorMessage(error) },
      keyArns,
      readOnly: isReadOnly(this.operation),
      sourceIp: this.caller.sourceIp,
      userAgent: this.caller.userAgent,
    });
  }
}

/** Operations that change nothing besides the audit log (CloudTrail's readOnly: true). */
const READ_ONLY = new Set([
  "Decrypt",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateMac",
  "GenerateRandom",
  "ReEncrypt",
  "Sign",
  "Verify",
  "VerifyMac",
]);

function isReadOnly(operation: string): boolean {
  return READ_ONLY.has(operation) || operation.startsWith("Describe") || operation.startsWith("List") || operation.startsWith("Get");
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "InternalError";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
