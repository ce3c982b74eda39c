/**
 * Aliases: friendly names ("alias/…") for keys. CreateAlias, UpdateAlias,
 * DeleteAlias, ListAliases. An alias points to one key; a key may have up to
 * 50 aliases (AWS quota "Aliases per KMS key"). Aliases are deleted with their
 * key. There are no AWS managed aliases (alias/aws/…) here.
 *
 * Authorization, as in AWS: CreateAlias, UpdateAlias and DeleteAlias need the
 * permission on the alias (IAM policies: an alias has no policy of its own)
 * and on each key involved (key policy); ListAliases needs kms:ListAliases
 * from IAM.
 */
import type { AliasRecord } from "../store/key-store.js";
import { AlreadyExistsException, LimitExceededException, NotFoundException, ValidationException } from "./errors.js";
import type { KeyEntry } from "./key-entry.js";
import { aliasArn, checkAliasName } from "./key-id.js";
import type { OperationContext } from "./operation.js";
import { pageFields, paginate } from "./pagination.js";
import type { AliasListEntry, CreateAliasRequest, DeleteAliasRequest, ListAliasesRequest, ListAliasesResponse, UpdateAliasRequest } from "./types.js";

export const MAX_ALIASES_PER_KEY = 50;

function aliasCount(ctx: OperationContext, keyId: string): number {
  let n = 0;
  for (const a of ctx.core.keys.aliases()) if (a.targetKeyId === keyId) n++;
  return n;
}

function checkAliasRoom(ctx: OperationContext, key: KeyEntry): void {
  if (aliasCount(ctx, key.id) >= MAX_ALIASES_PER_KEY) {
    throw new LimitExceededException(`${key.arn} already has ${MAX_ALIASES_PER_KEY} aliases, the most a key may have`);
  }
}

function existingAlias(ctx: OperationContext, name: string): AliasRecord {
  const alias = ctx.core.keys.alias(name);
  if (!alias) throw new NotFoundException(`Alias ${aliasArn(ctx.core.scope, name)} is not found.`);
  return alias;
}

/** "symmetric", "HMAC" or "asymmetric": UpdateAlias keeps an alias within one kind and one key usage. */
function keyKind(key: KeyEntry): string {
  const spec = key.spec;
  return spec === "SYMMETRIC_DEFAULT" ? "symmetric" : spec.startsWith("HMAC_") ? "HMAC" : "asymmetric";
}

export function createAlias(ctx: OperationContext, req: CreateAliasRequest): void {
  const name = checkAliasName(req.AliasName, true);
  ctx.authorizeIdentity(aliasArn(ctx.core.scope, name));
  const key = ctx.key(req.TargetKeyId, "manage", { field: "TargetKeyId" });
  ctx.write(() => {
    if (ctx.core.keys.alias(name)) {
      throw new AlreadyExistsException(`An alias with the name ${aliasArn(ctx.core.scope, name)} already exists`);
    }
    checkAliasRoom(ctx, key);
    ctx.core.keys.putAlias({ aliasName: name, targetKeyId: key.id, creationDate: ctx.now, lastUpdatedDate: ctx.now });
  });
}

export function updateAlias(ctx: OperationContext, req: UpdateAliasRequest): void {
  const name = checkAliasName(req.AliasName, false);
  const alias = existingAlias(ctx, name);
  ctx.authorizeIdentity(aliasArn(ctx.core.scope, name));
  const target = ctx.key(req.TargetKeyId, "manage", { field: "TargetKeyId" });
  const current = ctx.keyById(alias.targetKeyId);
  if (current) {
    ctx.use(current, "any");
    if (keyKind(current) !== keyKind(target) || current.meta.KeyUsage !== target.meta.KeyUsage) {
      throw new ValidationException(
        `${name} points to a ${keyKind(current)} ${current.meta.KeyUsage} key; ${target.arn} is a ` +
          `${keyKind(target)} ${target.meta.KeyUsage} key. An alias can only move to a key of the same type and key usage.`,
      );
    }
  }
  if (alias.targetKeyId === target.id) return;
  ctx.write(() => {
    checkAliasRoom(ctx, target);
    ctx.core.keys.putAlias({ ...alias, targetKeyId: target.id, lastUpdatedDate: ctx.now });
  });
}

export function deleteAlias(ctx: OperationContext, req: DeleteAliasRequest): void {
  const name = checkAliasName(req.AliasName, false);
  const alias = existingAlias(ctx, name);
  ctx.authorizeIdentity(aliasArn(ctx.core.scope, name));
  const key = ctx.keyById(alias.targetKeyId);
  if (key) ctx.use(key, "any");
  ctx.write(() => ctx.core.keys.deleteAlias(name));
}

export function listAliases(ctx: OperationContext, req: ListAliasesRequest): ListAliasesResponse {
  // Authorized by IAM alone, when the call starts (kms.ts), with or without a KeyId.
  const key = req.KeyId === undefined ? undefined : ctx.key(req.KeyId, "any", { authorize: false });
  const all = ctx.core.keys.aliases().filter((a) => (key ? a.targetKeyId === key.id : ctx.keyById(a.targetKeyId) !== undefined));
  const page = paginate("aliases", all, req, (a) => a.aliasName);
  const scope = ctx.core.scope;
  const Aliases: AliasListEntry[] = page.items.map((a) => ({
    AliasName: a.aliasName,
    AliasArn: aliasArn(scope, a.aliasName),
    TargetKeyId: a.targetKeyId,
    CreationDate: new Date(a.creationDate),
    LastUpdatedDate: new Date(a.lastUpdatedDate),
  }));
  return { Aliases, ...pageFields(page) };
}
