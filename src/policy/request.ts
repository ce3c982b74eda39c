/**
 * The request a policy is evaluated against, and its prepared form: the caller
 * ARN parsed, the action lowercased, and condition keys looked up without
 * regard to case (condition key names are case-insensitive in AWS; values are
 * not). Keys the request does not set but the caller's ARN implies
 * (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username,
 * kms:CallerAccount) are derived from it.
 */
import { BoundedMemo } from "./bounded-memo.js";
import { type Caller, parseCaller } from "./principal.js";

/** Values of condition keys for one request. */
export type ConditionValue = string | number | boolean | Date | string[] | undefined;
export type ConditionContext = Record<string, ConditionValue>;

export interface RequestContext {
  /** Caller ARN, e.g. arn:aws:iam::111122223333:user/KeyUser (or …:root, …:role/App, …:assumed-role/…). */
  principal: string;
  /** e.g. "kms:Encrypt". */
  action: string;
  /** ARN of the resource (for KMS, the key ARN). */
  resource: string;
  /** Condition keys, e.g. { "kms:EncryptionContext:dept": "x", "aws:CurrentTime": new Date() }. */
  conditions: ConditionContext;
}

/** Lowercased action names; the same few dozen come again and again. */
const lowerActions = new BoundedMemo(1024, (action) => action.toLowerCase());

export class PreparedRequest {
  readonly caller: Caller;
  readonly action: string;
  readonly actionLower: string;
  readonly resource: string;
  readonly conditions: ConditionContext;
  #lower: Map<string, ConditionValue> | undefined;

  constructor(request: RequestContext) {
    this.caller = parseCaller(request.principal);
    this.action = request.action;
    this.actionLower = lowerActions.get(request.action);
    this.resource = request.resource;
    this.conditions = request.conditions ?? {};
  }

  get principal(): string {
    return this.caller.arn;
  }

  /** The value of a condition key, `lowerKey` lowercased. */
  value(lowerKey: string): ConditionValue {
    const lower = (this.#lower ??= lowercaseKeys(this.conditions));
    return lower.has(lowerKey) ? lower.get(lowerKey) : derived(this.caller, lowerKey);
  }
}

function lowercaseKeys(conditions: ConditionContext): Map<string, ConditionValue> {
  const map = new Map<string, ConditionValue>();
  for (const key in conditions) map.set(key.toLowerCase(), conditions[key]);
  return map;
}

function derived(caller: Caller, lowerKey: string): ConditionValue {
  switch (lowerKey) {
    case "aws:principalarn":
      return caller.principalArn;
    case "aws:principalaccount":
    case "kms:calleraccount":
      return caller.account;
    case "aws:principaltype":
      return caller.type;
    case "aws:username":
      return caller.userName;
    default:
      return undefined;
  }
}
