/**
 * Key policies: stored as JSON text under the name "default" (the only policy
 * name AWS KMS has), checked here (MalformedPolicyDocumentException with the
 * reason: size, characters, JSON form, then the policy grammar of
 * src/policy/, where every statement must name a principal) and evaluated by
 * access-control.ts.
 *
 * The lockout safety check (PutKeyPolicy, and CreateKey with a Policy): unless
 * BypassPolicyLockoutSafetyCheck is true, the new policy must still let the
 * caller call PutKeyPolicy on the key, so that someone can change it again.
 */
import { type Policy, MalformedPolicyError, keepsPutKeyPolicy, parsePolicy } from "../policy/index.js";
import { MalformedPolicyDocumentException, NotFoundException } from "./errors.js";
import type { OperationContext } from "./operation.js";
import { pageFields, paginate } from "./pagination.js";
import { stringField } from "./request-fields.js";
import type {
  GetKeyPolicyRequest,
  GetKeyPolicyResponse,
  ListKeyPoliciesRequest,
  ListKeyPoliciesResponse,
  PutKeyPolicyRequest,
} from "./types.js";

export const DEFAULT_POLICY_NAME = "default";
/** AWS quota "Key policy document size": 32 KiB. */
export const MAX_POLICY_BYTES = 32 * 1024;
/** AWS's PolicyType pattern: tab, LF, CR and U+0020–U+00FF. */
const POLICY_CHARACTERS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

function malformed(reason: string): never {
  throw new MalformedPolicyDocumentException(`The key policy is not valid: ${reason}`);
}

/** AWS's message when a new key policy would lock the caller out. */
export const LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future.";

/**
 * Checks a policy document: a JSON object of at most 32 KiB, in AWS's
 * character set, with a Version string and a Statement, that parses as a key
 * policy. Returns the document unchanged and its parsed form.
 */
export function checkPolicyDocument(value: unknown): { text: string; policy: Policy } {
  if (typeof value !== "string" || value.length === 0) malformed("Policy must be a non-empty string of JSON");
  const size = new TextEncoder().encode(value).length;
  if (size > MAX_POLICY_BYTES) malformed(`it is ${size} bytes; a key policy may have at most ${MAX_POLICY_BYTES}`);
  if (!POLICY_CHARACTERS.test(value)) malformed("it contains characters outside tab, line feed, carriage return and U+0020–U+00FF");
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch (err) {
    malformed(`it is not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) malformed("it must be a JSON object");
  const { Version, Statement } = doc as Record<string, unknown>;
  if (typeof Version !== "string") malformed('it has no "Version" string');
  const statements = Array.isArray(Statement) ? Statement : [Statement];
  if (Statement === undefined || statements.length === 0) malformed('it has no "Statement"');
  for (const s of statements) {
    if (typeof s !== "object" || s === null || Array.isArray(s)) malformed("each statement must be a JSON object");
  }
  try {
    return { text: value, policy: parsePolicy(doc as object, { kind: "resource" }) };
  } catch (err) {
    if (err instanceof MalformedPolicyError) malformed(err.reason);
    throw err;
  }
}

/**
 * The lockout safety check: MalformedPolicyDocumentException unless `policy`
 * would let the caller call PutKeyPolicy on `keyArn` (skipped when `bypass`).
 */
export function checkLockout(ctx: OperationContext, policy: Policy, keyArn: string, bypass: unknown): void {
  if (bypass === true) return;
  const { access, scope } = ctx.core;
  const keeps = keepsPutKeyPolicy({
    keyAccount: scope.account,
    keyPolicy: policy,
    identityPolicies: access.iam.policiesOf(ctx.principal) as { name: string; policy: Policy }[],
    principal: ctx.principal,
    resource: keyArn,
    conditions: { "aws:CurrentTime": new Date(ctx.now), "kms:BypassPolicyLockoutSafetyCheck": false },
  });
  if (!keeps) throw new MalformedPolicyDocumentException(LOCKOUT_MESSAGE);
}

function policyName(value: unknown): string {
  const name = stringField(value, "policyName", 1, 128) ?? DEFAULT_POLICY_NAME;
  if (name !== DEFAULT_POLICY_NAME) throw new NotFoundException(`No such policy exists: ${name} (the only key policy name is "default")`);
  return name;
}

export function getKeyPolicy(ctx: OperationContext, req: GetKeyPolicyRequest): GetKeyPolicyResponse {
  const key = ctx.key(req.KeyId, "any");
  const name = policyName(req.PolicyName);
  return { Policy: key.record.policies[name], PolicyName: name };
}

export function putKeyPolicy(ctx: OperationContext, req: PutKeyPolicyRequest): void {
  const key = ctx.key(req.KeyId, "any");
  const name = policyName(req.PolicyName);
  const { text, policy } = checkPolicyDocument(req.Policy);
  checkLockout(ctx, policy, key.arn, req.BypassPolicyLockoutSafetyCheck);
  ctx.write(() => ctx.core.keys.update(key, (k) => (k.record.policies[name] = text)));
}

export function listKeyPolicies(ctx: OperationContext, req: ListKeyPoliciesRequest): ListKeyPoliciesResponse {
  const key = ctx.key(req.KeyId, "any");
  const page = paginate("policies", Object.keys(key.record.policies).sort(), req, (name) => name);
  return { PolicyNames: page.items, ...pageFields(page) };
}
