/**
 * Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant,
 * RevokeGrant. What a grant is and when it applies: grant-rules.ts.
 *
 * Authorization, as in AWS: CreateGrant, ListGrants and RevokeGrant need
 * kms:<operation> from the key policy (or IAM, when the key policy delegates
 * to the account), and CreateGrant also from a grant that passes on
 * CreateGrant. RetireGrant is allowed by the grant itself, to its retiring
 * principal and to its grantee when it includes RetireGrant, and to the
 * key's account (its root, or principals its IAM policies allow
 * kms:RetireGrant). ListRetirableGrants needs kms:ListRetirableGrants from
 * IAM. An explicit Deny stops all of them.
 */
import { LimitExceededException, NotFoundException, ValidationException } from "./errors.js";
import {
  type GrantRecord,
  MAX_GRANTS_PER_GRANTEE,
  checkGrantConstraints,
  checkGrantId,
  checkGrantName,
  checkGrantOperations,
  grantOperationsFor,
  grantToken,
  newGrantId,
  parseGrantToken,
} from "./grant-rules.js";
import type { KeyEntry } from "./key-entry.js";
import { keyArn } from "./key-id.js";
import type { OperationContext } from "./operation.js";
import { pageFields, paginate } from "./pagination.js";
import { accountRoot, actsAs, principalField } from "./principals.js";
import type {
  CreateGrantRequest,
  CreateGrantResponse,
  GrantConstraints,
  GrantListEntry,
  ListGrantsRequest,
  ListGrantsResponse,
  ListRetirableGrantsRequest,
  ListRetirableGrantsResponse,
  RetireGrantRequest,
  RevokeGrantRequest,
} from "./types.js";

function sameContext(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b !== undefined && Object.prototype.hasOwnProperty.call(b, k) && b[k] === a?.[k]);
}

function sameConstraints(a: GrantConstraints | undefined, b: GrantConstraints | undefined): boolean {
  return sameContext(a?.EncryptionContextEquals, b?.EncryptionContextEquals) && sameContext(a?.EncryptionContextSubset, b?.EncryptionContextSubset);
}

/** Whether an existing grant has exactly the parameters of a new request (Name idempotence). */
function sameGrant(g: GrantRecord, want: Omit<GrantRecord, "grantId" | "creationDate" | "issuingAccount">): boolean {
  return (
    g.name === want.name &&
    g.granteePrincipal === want.granteePrincipal &&
    g.retiringPrincipal === want.retiringPrincipal &&
    g.operations.length === want.operations.length &&
    g.operations.every((op) => want.operations.includes(op)) &&
    sameConstraints(g.constraints, want.constraints)
  );
}

export function createGrant(ctx: OperationContext, req: CreateGrantRequest): CreateGrantResponse {
  const granteePrincipal = principalField(req.GranteePrincipal, "granteePrincipal", true);
  const retiringPrincipal = principalField(req.RetiringPrincipal, "retiringPrincipal");
  const operations = checkGrantOperations(req.Operations);
  const constraints = checkGrantConstraints(req.Constraints);
  const name = checkGrantName(req.Name);
  const key = ctx.key(req.KeyId, "manage");
  const supported = grantOperationsFor(key);
  const unsupported = operations.filter((op) => !supported.has(op));
  if (unsupported.length > 0) {
    throw new ValidationException(
      `${key.arn} is a ${key.spec} key with key usage ${key.meta.KeyUsage}; it does not support the grant operations ${unsupported.join(", ")}`,
    );
  }
  if (constraints && key.spec !== "SYMMETRIC_DEFAULT") {
    throw new ValidationException(`Grant constraints need an encryption context, which ${key.spec} keys do not take`);
  }
  const want = { granteePrincipal, operations, ...(retiringPrincipal ? { retiringPrincipal } : {}), ...(name ? { name } : {}), ...(constraints ? { constraints } : {}) };
  const grants = key.extra.grants ?? [];
  if (name !== undefined) {
    const existing = grants.find((g) => sameGrant(g, want));
    if (existing) return { GrantId: existing.grantId, GrantToken: grantToken(key.id, existing.grantId) };
  }
  if (grants.filter((g) => g.granteePrincipal === granteePrincipal).length >= MAX_GRANTS_PER_GRANTEE) {
    throw new LimitExceededException(`${granteePrincipal} already has ${MAX_GRANTS_PER_GRANTEE} grants on ${key.arn}, the most AWS allows`);
  }
  const grant: GrantRecord = { grantId: newGrantId(), issuingAccount: accountRoot(ctx.core.scope.account), creationDate: ctx.now, ...want };
  ctx.write(() => ctx.core.keys.update(key, (k) => (k.extra.grants = [...grants, grant])));
  return { GrantId: grant.grantId, GrantToken: grantToken(key.id, grant.grantId) };
}

function listEntry(key: KeyEntry, g: GrantRecord): GrantListEntry {
  const entry: GrantListEntry = {
    KeyId: key.arn,
    GrantId: g.grantId,
    CreationDate: new Date(g.creationDate),
    GranteePrincipal: g.granteePrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: [...g.operations],
  };
  if (g.name !== undefined) entry.Name = g.name;
  if (g.retiringPrincipal !== undefined) entry.RetiringPrincipal = g.retiringPrincipal;
  if (g.constraints) {
    entry.Constraints = {};
    if (g.constraints.EncryptionContextEquals) entry.Constraints.EncryptionContextEquals = { ...g.constraints.EncryptionContextEquals };
    if (g.constraints.EncryptionContextSubset) entry.Constraints.EncryptionContextSubset = { ...g.constraints.EncryptionContextSubset };
  }
  return entry;
}

/** A key's grants in listing order (by grant id, which is random: AWS promises no order either). */
function sortedGrants(key: KeyEntry): GrantRecord[] {
  return [...(key.extra.grants ?? [])].sort((a, b) => (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0));
}

export function listGrants(ctx: OperationContext, req: ListGrantsRequest): ListGrantsResponse {
  const key = ctx.key(req.KeyId, "any");
  const grantId = req.GrantId === undefined ? undefined : checkGrantId(req.GrantId);
  const grantee = principalField(req.GranteePrincipal, "granteePrincipal");
  const grants = sortedGrants(key).filter((g) => (grantId === undefined || g.grantId === grantId) && (grantee === undefined || g.granteePrincipal === grantee));
  const page = paginate("grants", grants, req, (g) => g.grantId);
  return { Grants: page.items.map((g) => listEntry(key, g)), ...pageFields(page) };
}

export function listRetirableGrants(ctx: OperationContext, req: ListRetirableGrantsRequest): ListRetirableGrantsResponse {
  const retiring = principalField(req.RetiringPrincipal, "retiringPrincipal", true);
  function* retirable(): Generator<[KeyEntry, GrantRecord]> {
    for (const id of ctx.core.keys.keyIds()) {
      const key = ctx.keyById(id);
      if (!key) continue;
      for (const g of sortedGrants(key)) if (g.retiringPrincipal === retiring) yield [key, g];
    }
  }
  const page = paginate("retirable", retirable(), req, ([key, g]) => `${key.id}/${g.grantId}`);
  return { Grants: page.items.map(([key, g]) => listEntry(key, g)), ...pageFields(page) };
}

function findGrant(key: KeyEntry, grantId: string): GrantRecord {
  const grant = key.extra.grants?.find((g) => g.grantId === grantId);
  if (!grant) throw new NotFoundException(`Grant ${grantId} does not exist on ${key.arn}`);
  return grant;
}

function removeGrant(ctx: OperationContext, key: KeyEntry, grantId: string): void {
  ctx.write(() => ctx.core.keys.update(key, (k) => (k.extra.grants = (k.extra.grants ?? []).filter((g) => g.grantId !== grantId))));
}

export function retireGrant(ctx: OperationContext, req: RetireGrantRequest): void {
  let keyRef: unknown = req.KeyId;
  let grantId: string;
  if (req.GrantToken !== undefined) {
    const named = parseGrantToken(req.GrantToken);
    grantId = named.grantId;
    if (req.GrantId !== undefined && checkGrantId(req.GrantId) !== grantId) {
      throw new ValidationException("GrantId names another grant than GrantToken");
    }
    keyRef ??= keyArn(ctx.core.scope, named.keyId);
  } else {
    if (req.KeyId === undefined || req.GrantId === undefined) {
      throw new ValidationException("RetireGrant needs the GrantToken, or both the KeyId and the GrantId");
    }
    grantId = checkGrantId(req.GrantId);
  }
  const key = ctx.key(keyRef, "any", { authorize: false });
  const grant = findGrant(key, grantId);
  // The grant itself authorizes its retiring principal, and its grantee when it includes RetireGrant.
  const byGrant = actsAs(ctx.principal, grant.retiringPrincipal ?? "") || (actsAs(ctx.principal, grant.granteePrincipal) && grant.operations.includes("RetireGrant"));
  ctx.authorize(key, "kms:RetireGrant", byGrant ? [grant] : []);
  removeGrant(ctx, key, grantId);
}

export function revokeGrant(ctx: OperationContext, req: RevokeGrantRequest): void {
  const key = ctx.key(req.KeyId, "any");
  const grantId = checkGrantId(req.GrantId);
  findGrant(key, grantId);
  removeGrant(ctx, key, grantId);
}
