/**
 * How the Kms runs one call, the same for every operation:
 *
 * 1. Check the request is an object and its GrantTokens are well formed
 *    (InvalidGrantTokenException).
 * 2. Take it from its request quota (ThrottlingException), unless its quota
 *    pool depends on its key's type: then at the first key use.
 * 3. For operations on no key, authorize by IAM policies (kms:<operation> on
 *    "*"); operations on keys authorize each key use as they resolve it
 *    (operation.ts).
 * 4. Run the operation. Operations that write and finish synchronously run
 *    whole in one store transaction, with their audit record inside it; the
 *    asynchronous ones that write end with `ctx.commit`, which does the same
 *    for their last step.
 * 5. Record the call in the audit log, success or failure (a denied or
 *    throttled call included), unless step 4 already did.
 *
 * Steps 1–3 come before the operation can change anything, so a throttled or
 * denied call leaves no trace but its audit record.
 */
import { ValidationException } from "./errors.js";
import { checkGrantTokens } from "./grant-rules.js";
import { type Caller, type KmsCore, OperationContext } from "./operation.js";

export type Operation<Q, R> = (ctx: OperationContext, request: Q) => R | Promise<R>;

/** Operations on no key: authorized by IAM policies alone (AWS: "Required permissions: … (IAM policy)"). */
const IDENTITY_OPERATIONS = new Set(["CreateKey", "ListKeys", "ListAliases", "GenerateRandom", "ListRetirableGrants"]);

/** Operations that may write and run synchronously: run whole in one transaction with their audit record. */
const SYNC_WRITERS = new Set([
  "EnableKey",
  "DisableKey",
  "ScheduleKeyDeletion",
  "CancelKeyDeletion",
  "UpdateKeyDescription",
  "TagResource",
  "UntagResource",
  "CreateAlias",
  "UpdateAlias",
  "DeleteAlias",
  "EnableKeyRotation",
  "DisableKeyRotation",
  "RotateKeyOnDemand",
  "PutKeyPolicy",
  "CreateGrant",
  "RetireGrant",
  "RevokeGrant",
  "DeleteImportedKeyMaterial",
]);

function isPromise<R>(value: R | Promise<R>): value is Promise<R> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

export function runOperation<Q, R>(core: KmsCore, caller: Caller, operation: string, request: Q, fn: Operation<Q, R>): R | Promise<R> {
  const valid = typeof request === "object" && request !== null;
  const ctx = new OperationContext(core, operation, caller, valid ? (request as object) : {});
  let out: R | Promise<R>;
  try {
    if (!valid) throw new ValidationException(`${operation}: the request must be an object`);
    checkGrantTokens((request as { GrantTokens?: unknown }).GrantTokens);
    ctx.takeQuota();
    if (IDENTITY_OPERATIONS.has(operation)) ctx.authorizeIdentity("*");
    out = SYNC_WRITERS.has(operation) ? ctx.commit(() => fn(ctx, request) as R) : fn(ctx, request);
  } catch (err) {
    throw failed(ctx, err);
  }
  if (isPromise(out)) {
    return out.then(
      (response) => succeeded(ctx, response),
      (err) => {
        throw failed(ctx, err);
      },
    );
  }
  return succeeded(ctx, out);
}

function succeeded<R>(ctx: OperationContext, response: R): R {
  ctx.audit(response, undefined);
  return response;
}

/** Records a failed call; returns the error to throw (the call's own, even if recording it fails too). */
function failed(ctx: OperationContext, err: unknown): unknown {
  try {
    ctx.audit(undefined, err);
  } catch {
    // The call's own error says more than the audit log's.
  }
  return err;
}
