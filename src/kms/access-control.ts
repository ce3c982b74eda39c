/**
 * Who may do what: every authorization decision of a Kms is made here, from
 * the key policy, the caller's IAM identity policies and the key's grants, by
 * the policy layer (src/policy/) with AWS KMS's rules:
 *
 * - A call on a key is decided by `authorizeKms`: an explicit Deny anywhere
 *   wins; otherwise the key policy must allow the caller, or allow its
 *   account (delegation) with an IAM policy of the caller that allows the
 *   call, or a grant must; another account's caller needs the key policy and
 *   its own IAM policy, for the operations AWS permits across accounts.
 * - A call on no key (CreateKey, ListKeys, ListAliases, GenerateRandom,
 *   ListRetirableGrants) and the alias half of alias operations are decided
 *   by IAM policies alone, in the Kms's own account: the account's root user
 *   is always allowed, other principals need an IAM policy that allows the
 *   action (on "*" or the alias ARN) and none that denies it. A caller from
 *   another account is refused (its CreateKey would act in its own account,
 *   which this Kms does not hold).
 *
 * Parsed key policies are cached per key and re-parsed when the policy text
 * changes (PutKeyPolicy); IAM policies are cached by IdentityPolicies.
 */
import {
  type AuthorizationDecision,
  type ConditionContext,
  type Policy,
  type StatementRef,
  MalformedPolicyError,
  authorizeKms,
  matchPolicy,
  parsePolicy,
} from "../policy/index.js";
import { AccessDeniedException } from "./errors.js";
import { type GrantRecord, applicableGrants } from "./grant-rules.js";
import { IdentityPolicies } from "./identity-policies.js";
import type { KeyEntry } from "./key-entry.js";
import { DEFAULT_POLICY_NAME } from "./key-policy.js";
import type { KeyRepository } from "./key-repository.js";
import { principalAccount } from "./principals.js";
import { encryptionContextOf, keyUseConditions } from "./request-conditions.js";

/** What a call on a key is being authorized for. */
export interface KeyUseRequest {
  /** Caller ARN. */
  principal: string;
  /** AWS operation name, e.g. "ReEncrypt". */
  operation: string;
  /** Permission this use needs, e.g. "kms:ReEncryptFrom". */
  action: string;
  /** The request (condition keys are read from it). */
  request: object;
  /** Clock time of the call (aws:CurrentTime). */
  now: number;
  /** The alias the KeyId parameter named, for kms:RequestAlias. */
  requestAlias?: string;
  /** Grants to consider instead of matching the key's grants (RetireGrant: the grant being retired). */
  grants?: readonly GrantRecord[];
}

export class AccessControl {
  readonly iam: IdentityPolicies;
  readonly #account: string;
  readonly #keys: KeyRepository;
  readonly #keyPolicies = new WeakMap<KeyEntry, { text: string; policy: Policy }>();

  constructor(keys: KeyRepository, account: string) {
    this.#keys = keys;
    this.#account = account;
    this.iam = new IdentityPolicies(keys);
  }

  /** The parsed policy of a key (cached until its text changes). */
  keyPolicy(key: KeyEntry): Policy {
    const text = key.record.policies[DEFAULT_POLICY_NAME];
    const cached = this.#keyPolicies.get(key);
    if (cached && cached.text === text) return cached.policy;
    const policy = parsePolicy(text);
    this.#keyPolicies.set(key, { text, policy });
    return policy;
  }

  /** The decision on one use of a key, with no side effect. */
  decideKeyUse(key: KeyEntry, use: KeyUseRequest): AuthorizationDecision {
    let keyPolicy: Policy;
    try {
      keyPolicy = this.keyPolicy(key);
    } catch (err) {
      // A policy stored before policies were parsed, that the grammar refuses: it allows no one.
      if (!(err instanceof MalformedPolicyError)) throw err;
      return {
        allowed: false,
        basis: "no-allow",
        deciding: [],
        message: `User: ${use.principal} is not authorized to perform: ${use.action} on resource: ${key.arn} because the key policy is not valid (${err.reason})`,
        explanation: `Denied: the key policy of ${key.arn} is not a valid policy (${err.reason}), so it allows no one; replace it with PutKeyPolicy.`,
      };
    }
    const request = use.request as Record<string, unknown>;
    const conditions = keyUseConditions(use.operation, use.action, request, use.now, key, use.requestAlias, this.#keys.aliasNames(key.id));
    const grants = use.grants ?? this.#grantsFor(key, use, request);
    return authorizeKms({
      keyAccount: key.meta.AWSAccountId,
      request: { principal: use.principal, action: use.action, resource: key.arn, conditions },
      keyPolicy,
      identityPolicies: this.iam.policiesOf(use.principal) as { name: string; policy: Policy }[],
      grants: grants.length === 0 ? undefined : grants.map((g) => (g.name === undefined ? { grantId: g.grantId } : { grantId: g.grantId, name: g.name })),
    });
  }

  /** Throws AccessDeniedException unless the use is allowed. */
  authorizeKeyUse(key: KeyEntry, use: KeyUseRequest): void {
    const decision = this.decideKeyUse(key, use);
    if (!decision.allowed) throw new AccessDeniedException(decision.message);
  }

  /**
   * The decision on an action authorized by IAM policies alone (a call on no
   * key, or an alias), on `resource` ("*" or an ARN).
   */
  decideIdentity(principal: string, action: string, resource: string, conditions: ConditionContext): AuthorizationDecision {
    const account = principalAccount(principal);
    const head = `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`;
    if (account !== this.#account) {
      return {
        allowed: false,
        basis: "cross-account-unsupported",
        deciding: [],
        message: `${head} because ${action} acts in the caller's own account, and this KMS holds account ${this.#account} only`,
        explanation: `Denied: ${action} is authorized by IAM policies in the caller's own account (${account}); this KMS models account ${this.#account} only.`,
      };
    }
    if (principal === `arn:aws:iam::${account}:root`) {
      return {
        allowed: true,
        basis: "allowed-by-iam",
        deciding: [],
        message: "",
        explanation: `Allowed: ${principal} is the root user of account ${account}, which IAM policies do not limit.`,
      };
    }
    const request = { principal, action, resource, conditions };
    const allows: StatementRef[] = [];
    const denies: StatementRef[] = [];
    for (const { name, policy } of this.iam.policiesOf(principal)) {
      const m = matchPolicy(policy, name, request, { identity: true });
      allows.push(...m.allows);
      denies.push(...m.denies);
    }
    const names = (refs: StatementRef[]) => refs.map((r) => `IAM policy "${r.policy}" statement ${r.sid ? `"${r.sid}"` : r.index + 1}`).join(", ");
    if (denies.length > 0) {
      return {
        allowed: false,
        basis: "explicit-deny",
        deciding: denies,
        message: `${head} with an explicit deny in an identity-based policy`,
        explanation: `Denied: ${names(denies)} explicitly denies ${action} for ${principal} on ${resource}; an explicit deny overrides every allow.`,
      };
    }
    if (allows.length > 0) {
      return {
        allowed: true,
        basis: "allowed-by-iam",
        deciding: allows,
        message: "",
        explanation: `Allowed: ${names(allows)} allows ${action} for ${principal} on ${resource}; no statement denies it.`,
      };
    }
    return {
      allowed: false,
      basis: "no-iam-allow",
      deciding: [],
      message: `${head} because no identity-based policy allows the ${action} action`,
      explanation: `Denied: ${action} on ${resource} is authorized by IAM policies alone, and none of ${principal}'s allows it.`,
    };
  }

  /** Throws AccessDeniedException unless IAM policies allow the action. */
  authorizeIdentity(principal: string, action: string, resource: string, conditions: ConditionContext): void {
    const decision = this.decideIdentity(principal, action, resource, conditions);
    if (!decision.allowed) throw new AccessDeniedException(decision.message);
  }

  /** Grants on `key` that allow this use to its caller. */
  #grantsFor(key: KeyEntry, use: KeyUseRequest, request: Record<string, unknown>): GrantRecord[] {
    if (!key.extra.grants?.length) return [];
    const operation = use.action.slice(4); // "kms:Encrypt" → "Encrypt"
    const context = encryptionContextOf(use.operation, use.action, request);
    const child =
      use.operation === "CreateGrant" && Array.isArray(request.Operations)
        ? { operations: request.Operations as GrantRecord["operations"], constraints: request.Constraints as GrantRecord["constraints"] }
        : undefined;
    return applicableGrants(key, use.principal, operation, context, child);
  }
}
