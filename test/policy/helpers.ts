import { type ConditionContext, matchPolicy, parsePolicy, type Policy, type RequestContext } from "../../src/policy/index.js";

export const ACCOUNT = "111122223333";
export const OTHER = "444455556666";
export const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const KEY_USER = `arn:aws:iam::${ACCOUNT}:user/KeyUser`;
export const KEY_MANAGER = `arn:aws:iam::${ACCOUNT}:user/KeyManager`;

export function request(fields: Partial<RequestContext> = {}): RequestContext {
  return { principal: KEY_USER, action: "kms:Encrypt", resource: KEY, conditions: {}, ...fields };
}

/** A policy of one Allow statement for everyone, with `condition`. */
export function conditionPolicy(condition: object, version = "2012-10-17"): Policy {
  return parsePolicy({ Version: version, Statement: { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*", Condition: condition } });
}

/** Whether `condition` holds for a request with `conditions`. */
export function holds(condition: object, conditions: ConditionContext, principal = KEY_USER): boolean {
  return matchPolicy(conditionPolicy(condition), "p", request({ principal, conditions })).allows.length === 1;
}

/** The Sids (or indexes) of statements of `policy` that allow `req`. */
export function allowing(policy: Policy, req: RequestContext, identity = false): (string | number)[] {
  return matchPolicy(policy, "p", req, { identity }).allows.map((r) => r.sid ?? r.index);
}
