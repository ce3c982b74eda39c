/**
 * The IAM-style policy language (DESIGN.md §4): parse and validate policy
 * documents, match their statements against a request, and decide AWS KMS
 * requests from a key policy, IAM policies and grants, with an explanation.
 * Portable; used by src/kms and later by the S3-style, Parameter Store and
 * Secrets Manager layers.
 *
 * Additions to the agreed contract (all backward compatible):
 * - `PolicyMatch.delegations`: Allow statements that name only the caller's
 *   account (`…:root` or the account id); they delegate to IAM and are not
 *   in `allows` (see match.ts).
 * - `parsePolicy(document, { kind: "resource" | "identity" })`: optional;
 *   "resource" requires a Principal/NotPrincipal in every statement (use it for
 *   key policies), "identity" forbids them (IAM policies).
 * - `AuthorizationDecision.basis` is typed `AuthorizationBasis`, which adds
 *   "allowed-cross-account", "no-iam-allow" and "cross-account-unsupported";
 *   `message` is "" when the request is allowed.
 * - Extra exports: parsePolicyCached (parsePolicy memoized by the JSON
 *   text, so a stored policy is compiled once), KEY_POLICY_NAME,
 *   CROSS_ACCOUNT_ACTIONS, and the types below.
 */
export { MalformedPolicyError } from "./errors.js";
export { parsePolicy, parsePolicyCached } from "./parse.js";
export type { ParseOptions, Policy, PolicyVersion } from "./parse.js";
export type { ConditionContext, ConditionValue, RequestContext } from "./request.js";
export type { Effect, StatementRef } from "./statement.js";
export { matchPolicy } from "./match.js";
export type { MatchOptions, PolicyMatch } from "./match.js";
export { authorizeKms, CROSS_ACCOUNT_ACTIONS, KEY_POLICY_NAME, keepsPutKeyPolicy } from "./kms-authorization.js";
export type { AuthorizationBasis, AuthorizationDecision, GrantRef, KmsAuthorizationInput } from "./kms-authorization.js";
export { defaultKeyPolicy } from "./default-key-policy.js";
