/**
 * matchPolicy: which statements of one policy apply to a request.
 *
 * A statement applies when its Action / NotAction, Resource / NotResource,
 * principals and Condition all fit the request. What it then reports:
 * - `allows` / `denies`: statements whose effect applies to the caller itself.
 * - `delegations`: Allow statements that name only the caller's *account*
 *   (Principal `arn:aws:iam::<account>:root` or the bare account id) while the
 *   caller is another principal of that account. In AWS such a statement
 *   does not allow the caller; it lets the account's IAM policies decide
 *   (authorizeKms combines the two). A Deny naming the caller's account is
 *   in `denies`: it applies to every principal of the account.
 * With `{ identity: true }` (IAM policies, which have no principals) the
 * principal test is skipped. A resource-policy statement with neither
 * Principal nor NotPrincipal applies to no one.
 */
import { conditionsHold } from "./conditions.js";
import type { CompiledPolicy, Policy } from "./parse.js";
import { ACCOUNT, DIRECT, NONE, type PrincipalMatch, principalExempt, principalMatch } from "./principal.js";
import { PreparedRequest, type RequestContext } from "./request.js";
import type { CompiledStatement, StatementRef } from "./statement.js";

export interface PolicyMatch {
  allows: StatementRef[];
  denies: StatementRef[];
  /** Allow statements naming the caller's account, which delegate to its IAM policies. */
  delegations: StatementRef[];
}

export interface MatchOptions {
  /** The policy is an identity (IAM) policy: statements have no principals. */
  identity?: boolean;
}

export function compiled(policy: Policy): CompiledPolicy {
  // A parsed policy has at least one statement, each compiled (with a `ref` method).
  const first = (policy as CompiledPolicy | undefined)?.statements?.[0] as CompiledStatement | undefined;
  if (typeof first?.ref !== "function") {
    throw new TypeError("expected a Policy returned by parsePolicy");
  }
  return policy as CompiledPolicy;
}

function principalApplies(s: CompiledStatement, req: PreparedRequest): PrincipalMatch {
  const set = s.principals;
  if (set === undefined) return NONE;
  if (s.notPrincipal) return principalExempt(set, req.caller) ? NONE : DIRECT;
  return principalMatch(set, req.caller);
}

/** matchPolicy on a request prepared once (authorizeKms evaluates several policies per request). */
export function matchPrepared(policy: CompiledPolicy, name: string, req: PreparedRequest, identity: boolean): PolicyMatch {
  const result: PolicyMatch = { allows: [], denies: [], delegations: [] };
  for (const s of policy.statements) {
    if (s.actions.test(req.actionLower) === s.notAction) continue;
    if (s.resources.test(req) === s.notResource) continue;
    const who = identity ? DIRECT : principalApplies(s, req);
    if (who === NONE) continue;
    if (s.conditions.length > 0 && !conditionsHold(s.conditions, req)) continue;
    const list = s.effect === "Deny" ? result.denies : who === ACCOUNT ? result.delegations : result.allows;
    list.push(s.ref(name));
  }
  return result;
}

/** Which statements of `policy` apply to `request`; `name` labels the refs. */
export function matchPolicy(policy: Policy, name: string, request: RequestContext, opts: MatchOptions = {}): PolicyMatch {
  return matchPrepared(compiled(policy), name, new PreparedRequest(request), opts.identity === true);
}
