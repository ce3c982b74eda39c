/**
 * How AWS KMS decides a request on a key, from the key policy, the caller's
 * IAM policies and the key's grants:
 *
 * 1. An explicit Deny in the key policy or in any of the caller's IAM
 *    policies refuses the request, whatever else allows it.
 * 2. Same account (the caller belongs to the account that owns the key):
 *    allowed when a key policy statement allows the caller itself; or when a
 *    key policy statement allows the account (delegation, see match.ts) and
 *    one of the caller's IAM policies allows the request; or when a grant
 *    allows it. An IAM policy without the key policy's delegation counts for
 *    nothing.
 * 3. Another account: only the operations AWS permits across accounts
 *    (CROSS_ACCOUNT_ACTIONS); the key policy must allow the caller or its
 *    account AND the caller's IAM policies must allow the request (an
 *    account's root user needs no IAM policy). A grant is enough on its own,
 *    in any account: grants are not IAM policies.
 * Callers without an account (service principals) are judged by the key
 * policy and grants alone.
 */
import { compiled, matchPrepared } from "./match.js";
import type { Policy } from "./parse.js";
import { PreparedRequest, type ConditionContext, type RequestContext } from "./request.js";
import type { StatementRef } from "./statement.js";

/** The `policy` name of key policy statements in decisions. */
export const KEY_POLICY_NAME = "key policy";

/** Actions AWS KMS allows on a key in another account (lowercased). */
export const CROSS_ACCOUNT_ACTIONS: ReadonlySet<string> = new Set(
  [
    "CreateGrant", "Decrypt", "DeriveSharedSecret", "DescribeKey", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GetKeyRotationStatus",
    "GetPublicKey", "ListGrants", "ReEncryptFrom", "ReEncryptTo", "RetireGrant", "RevokeGrant", "Sign", "Verify", "VerifyMac",
  ].map((op) => `kms:${op.toLowerCase()}`),
);

export interface GrantRef {
  grantId: string;
  name?: string;
}

export interface KmsAuthorizationInput {
  /** Account that owns the key. */
  keyAccount: string;
  request: RequestContext;
  keyPolicy: Policy;
  /** IAM policies attached to the caller (from the caller's own account). */
  identityPolicies: { name: string; policy: Policy }[];
  /** Grants that allow this request (the Kms checks operations, constraints and grantee). */
  grants?: GrantRef[];
}

export type AuthorizationBasis =
  | "explicit-deny"
  | "allowed-by-key-policy"
  | "allowed-by-iam"
  | "allowed-by-grant"
  | "allowed-cross-account"
  | "no-allow"
  | "no-iam-allow"
  | "cross-account-no-iam"
  | "cross-account-unsupported";

export interface AuthorizationDecision {
  allowed: boolean;
  basis: AuthorizationBasis;
  /** The statements (and grants) that decided it. */
  deciding: (StatementRef | GrantRef)[];
  /** AWS-style AccessDeniedException message; "" when allowed. */
  message: string;
  /** One paragraph saying why, for kms.explain(). */
  explanation: string;
}

interface Facts {
  input: KmsAuthorizationInput;
  req: PreparedRequest;
  crossAccount: boolean;
  keyAllows: StatementRef[];
  keyDelegations: StatementRef[];
  keyDenies: StatementRef[];
  iamAllows: StatementRef[];
  iamDenies: StatementRef[];
}

/** AWS KMS authorization (see the header). */
export function authorizeKms(input: KmsAuthorizationInput): AuthorizationDecision {
  const req = new PreparedRequest(input.request);
  const key = matchPrepared(compiled(input.keyPolicy), KEY_POLICY_NAME, req, false);
  let iamAllows: StatementRef[] = [];
  let iamDenies: StatementRef[] = [];
  for (const { name, policy } of input.identityPolicies) {
    const m = matchPrepared(compiled(policy), name, req, true);
    if (m.allows.length > 0) iamAllows = iamAllows.concat(m.allows);
    if (m.denies.length > 0) iamDenies = iamDenies.concat(m.denies);
  }
  const account = req.caller.account;
  const facts: Facts = {
    input,
    req,
    crossAccount: account !== undefined && account !== input.keyAccount,
    keyAllows: key.allows,
    keyDelegations: key.delegations,
    keyDenies: key.denies,
    iamAllows,
    iamDenies,
  };
  return decide(facts);
}

function decide(f: Facts): AuthorizationDecision {
  const grants = f.input.grants ?? [];
  if (f.keyDenies.length > 0 || f.iamDenies.length > 0) return deny(f, "explicit-deny", [...f.keyDenies, ...f.iamDenies]);
  if (f.crossAccount) {
    if (!CROSS_ACCOUNT_ACTIONS.has(f.req.actionLower)) return deny(f, "cross-account-unsupported", []);
    const keyStatements = [...f.keyAllows, ...f.keyDelegations];
    const iamOk = f.req.caller.root || f.iamAllows.length > 0;
    if (keyStatements.length > 0 && iamOk) return allow(f, "allowed-cross-account", [...keyStatements, ...f.iamAllows]);
    if (grants.length > 0) return allow(f, "allowed-by-grant", grants);
    return keyStatements.length > 0 ? deny(f, "cross-account-no-iam", keyStatements) : deny(f, "no-allow", []);
  }
  if (f.keyAllows.length > 0) return allow(f, "allowed-by-key-policy", f.keyAllows);
  if (f.keyDelegations.length > 0 && f.iamAllows.length > 0) return allow(f, "allowed-by-iam", [...f.keyDelegations, ...f.iamAllows]);
  if (grants.length > 0) return allow(f, "allowed-by-grant", grants);
  return f.keyDelegations.length > 0 ? deny(f, "no-iam-allow", f.keyDelegations) : deny(f, "no-allow", []);
}

function allow(f: Facts, basis: AuthorizationBasis, deciding: (StatementRef | GrantRef)[]): AuthorizationDecision {
  return { allowed: true, basis, deciding, message: "", explanation: explain(f, basis) };
}

function deny(f: Facts, basis: AuthorizationBasis, deciding: (StatementRef | GrantRef)[]): AuthorizationDecision {
  return { allowed: false, basis, deciding, message: deniedMessage(f, basis), explanation: explain(f, basis) };
}

/** AWS's AccessDeniedException wording. */
function deniedMessage(f: Facts, basis: AuthorizationBasis): string {
  const { principal, action, resource } = f.input.request;
  const head = `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`;
  switch (basis) {
    case "explicit-deny":
      return `${head} with an explicit deny in ${f.keyDenies.length > 0 ? "a resource-based" : "an identity-based"} policy`;
    case "no-iam-allow":
    case "cross-account-no-iam":
      return `${head} because no identity-based policy allows the ${action} action`;
    case "cross-account-unsupported":
      return `${head} because ${action} is not permitted on a key in another account`;
    default:
      return `${head} because no resource-based policy allows the ${action} action`;
  }
}

function describe(ref: StatementRef | GrantRef): string {
  if ("grantId" in ref) return `grant ${ref.grantId}${ref.name ? ` ("${ref.name}")` : ""}`;
  const which = ref.sid ? `"${ref.sid}"` : String(ref.index + 1);
  return ref.policy === KEY_POLICY_NAME ? `key policy statement ${which}` : `IAM policy "${ref.policy}" statement ${which}`;
}

function list(refs: readonly (StatementRef | GrantRef)[]): string {
  const names = refs.map(describe);
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function explain(f: Facts, basis: AuthorizationBasis): string {
  const { action, resource } = f.input.request;
  const who = f.req.caller.arn;
  const account = f.req.caller.account;
  const keyAccount = f.input.keyAccount;
  const what = `${action} for ${who} on ${resource}`;
  const noDeny = "; no statement denies it.";
  const grants = f.input.grants ?? [];
  const iamAside =
    f.iamAllows.length > 0 ? ` (${list(f.iamAllows)} would allow it, but IAM policies count only when the key policy allows the account)` : "";
  switch (basis) {
    case "explicit-deny":
      return `Denied: ${list([...f.keyDenies, ...f.iamDenies])} explicitly ${f.keyDenies.length + f.iamDenies.length > 1 ? "deny" : "denies"} ${what}; an explicit deny overrides every allow.`;
    case "allowed-by-key-policy":
      return `Allowed: ${list(f.keyAllows)} ${f.keyAllows.length > 1 ? "allow" : "allows"} ${what}${noDeny}`;
    case "allowed-by-iam":
      return `Allowed: ${list(f.keyDelegations)} ${f.keyDelegations.length > 1 ? "allow" : "allows"} account ${keyAccount}, which delegates the key to the account's IAM policies, and ${list(f.iamAllows)} ${f.iamAllows.length > 1 ? "allow" : "allows"} ${what}${noDeny}`;
    case "allowed-by-grant":
      return `Allowed: ${list(grants)} ${grants.length > 1 ? "allow" : "allows"} ${what}; no key policy or IAM statement allowed it on its own terms, and none denies it.`;
    case "allowed-cross-account": {
      const iam = f.req.caller.root ? `the caller is account ${account}'s root user, which IAM policies do not limit` : `${list(f.iamAllows)} in account ${account} ${f.iamAllows.length > 1 ? "allow" : "allows"} it`;
      return `Allowed across accounts (caller in ${account}, key in ${keyAccount}): ${list([...f.keyAllows, ...f.keyDelegations])} ${f.keyAllows.length + f.keyDelegations.length > 1 ? "allow" : "allows"} ${what}, and ${iam}${noDeny}`;
    }
    case "no-iam-allow":
      return `Denied: ${list(f.keyDelegations)} delegates ${action} on ${resource} to account ${keyAccount}'s IAM policies, but none of ${who}'s IAM policies allows it; no key policy statement allows the caller directly, and no grant applies.`;
    case "cross-account-no-iam":
      return `Denied: the key belongs to account ${keyAccount} and the caller to ${account}; ${list([...f.keyAllows, ...f.keyDelegations])} ${f.keyAllows.length + f.keyDelegations.length > 1 ? "allow" : "allows"} ${what}, but use from another account also needs an IAM policy in ${account} that allows it, and none does; no grant applies.`;
    case "cross-account-unsupported":
      return `Denied: ${action} cannot be used on a key in another account (caller in ${account}, key in ${keyAccount}), whatever the policies say.`;
    default:
      return `Denied: no statement in the key policy allows ${what}, and none delegates it to account ${account ?? keyAccount}'s IAM policies${iamAside}; no grant applies.`;
  }
}

/**
 * The lockout safety check of PutKeyPolicy and CreateKey: would `principal`
 * still be allowed kms:PutKeyPolicy on `resource` under `keyPolicy` (with its
 * identity policies and grants)?
 */
export function keepsPutKeyPolicy(
  input: Omit<KmsAuthorizationInput, "request"> & { principal: string; resource: string; conditions?: ConditionContext },
): boolean {
  const { principal, resource, conditions, keyAccount, keyPolicy, identityPolicies, grants } = input;
  return authorizeKms({
    keyAccount,
    keyPolicy,
    identityPolicies,
    grants,
    request: { principal, action: "kms:PutKeyPolicy", resource, conditions: conditions ?? {} },
  }).allowed;
}
