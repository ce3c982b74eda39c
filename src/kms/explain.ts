/**
 * kms.explain: how a request would be decided, without making it. Nothing
 * changes (no housekeeping on the key, no quota taken, no audit record); the
 * decision is the one the call would meet, from the same key policy, IAM
 * policies, grants and condition keys (operation.ts, access-control.ts).
 */
import type { AuthorizationDecision } from "../policy/index.js";
import { NotFoundException, ValidationException } from "./errors.js";
import { aliasArn, keyArn, parseKeyReference } from "./key-id.js";
import type { KmsCore } from "./operation.js";
import { isPrincipalArn } from "./principals.js";
import { accountConditions } from "./request-conditions.js";
import type { EncryptionContext } from "./types.js";

export interface ExplainRequest {
  /** The caller (default: the principal of the Kms view explain is called on). */
  principal?: string;
  /** e.g. "kms:Decrypt", "kms:ReEncryptFrom", "kms:CreateKey". */
  action: string;
  /** Key id, key ARN, alias name or alias ARN; absent for actions on no key (decided by IAM alone). */
  keyId?: string;
  /** The request's encryption context (for kms:EncryptionContext:… conditions and grant constraints). */
  context?: EncryptionContext;
  /** Further request fields, as the operation would get them (e.g. { EncryptionAlgorithm: "…" }). */
  request?: Record<string, unknown>;
}

const ACTION = /^kms:[A-Za-z]+$/;

export function explain(core: KmsCore, defaultPrincipal: string, q: ExplainRequest): AuthorizationDecision {
  if (typeof q !== "object" || q === null) throw new TypeError("Kms.explain: expected { principal, action, keyId, context }");
  const principal = q.principal ?? defaultPrincipal;
  if (!isPrincipalArn(principal)) throw new ValidationException(`explain: principal must be an IAM or STS principal ARN, got ${JSON.stringify(principal)}`);
  if (typeof q.action !== "string" || !ACTION.test(q.action)) {
    throw new ValidationException(`explain: action must look like "kms:Decrypt", got ${JSON.stringify(q.action)}`);
  }
  const action = q.action;
  // kms:ReEncryptFrom and kms:ReEncryptTo are the two halves of ReEncrypt.
  const operation = action === "kms:ReEncryptFrom" || action === "kms:ReEncryptTo" ? "ReEncrypt" : action.slice(4);
  const request: Record<string, unknown> = { ...q.request };
  if (q.context !== undefined) {
    if (operation === "ReEncrypt") request[action === "kms:ReEncryptTo" ? "DestinationEncryptionContext" : "SourceEncryptionContext"] = q.context;
    else request.EncryptionContext = q.context;
  }
  const now = core.clock.now();
  if (q.keyId === undefined) return core.access.decideIdentity(principal, action, "*", accountConditions(operation, request, now));
  const ref = parseKeyReference(core.scope, q.keyId, "keyId", true);
  let keyId: string;
  let requestAlias: string | undefined;
  if (ref.kind === "alias") {
    const alias = core.keys.alias(ref.aliasName);
    if (!alias) throw new NotFoundException(`Alias ${aliasArn(core.scope, ref.aliasName)} is not found.`);
    keyId = alias.targetKeyId;
    requestAlias = ref.aliasName;
  } else {
    keyId = ref.keyId;
  }
  const key = core.keys.get(keyId);
  if (!key) throw new NotFoundException(`Key '${keyArn(core.scope, keyId)}' does not exist`);
  return core.access.decideKeyUse(key, { principal, operation, action, request, now, requestAlias });
}
