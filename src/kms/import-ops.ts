/**
 * Imported key material for keys of Origin EXTERNAL: GetParametersForImport,
 * ImportKeyMaterial, DeleteImportedKeyMaterial. The wrapping keys, tokens and
 * unwrapping are in import-material.ts; this file keeps each outstanding
 * token's wrapping private key on the key's record (sealed under the root key,
 * dropped when used or expired) and applies the import.
 *
 * As in AWS: a key created with Origin EXTERNAL is PendingImport; a successful
 * import makes it Enabled; deleting the material, or reaching its ValidTo,
 * makes it PendingImport again; and only the same material can be imported
 * again (a commitment to it outlives the material), so ciphertexts made before
 * decrypt after the reimport.
 */
import { InvalidImportTokenException, UnsupportedOperationException, ValidationException } from "./errors.js";
import { checkReimportedMaterial, createImportParameters, openImportToken, unwrapKeyMaterial } from "./import-material.js";
import type { KeyEntry } from "./key-entry.js";
import { enumValue } from "./key-specs.js";
import { checkKeyState } from "./key-state.js";
import { DAY_MS, removeImportedMaterial } from "./lifecycle.js";
import type { OperationContext } from "./operation.js";
import { dateField } from "./request-fields.js";
import type { ExpirationModel, GetParametersForImportRequest, GetParametersForImportResponse, ImportKeyMaterialRequest, KeyIdResponse, KeyRequest } from "./types.js";

/** AWS: ValidTo may be at most 365 days after the request. */
const MAX_VALID_TO_DAYS = 365;
/** Outstanding tokens kept per key; older ones are dropped first. */
const MAX_PENDING_TOKENS = 10;
const EXPIRATION_MODELS = ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"] as const;

/** Resolves the key of an import operation: EXTERNAL origin first, then the state rule. */
function externalKey(ctx: OperationContext, keyId: unknown, rule: "manage" | "any"): KeyEntry {
  const key = ctx.key(keyId, "any");
  if (key.meta.Origin !== "EXTERNAL") {
    throw new UnsupportedOperationException(`${key.arn} origin is ${key.meta.Origin} which is not valid for this operation.`);
  }
  checkKeyState(key, rule);
  return key;
}

function wrappingKeyLabel(key: KeyEntry, tokenId: string): string {
  return `import wrapping key ${key.id} ${tokenId}`;
}

/** Outstanding tokens of a key that have not expired, newest last. */
function liveTokens(key: KeyEntry, now: number): Record<string, { validTo: number; sealed: Uint8Array }> {
  const out: Record<string, { validTo: number; sealed: Uint8Array }> = {};
  for (const [id, t] of Object.entries(key.extra.importWrappingKeys ?? {})) if (t.validTo > now) out[id] = t;
  return out;
}

export async function getParametersForImport(ctx: OperationContext, req: GetParametersForImportRequest): Promise<GetParametersForImportResponse> {
  const { core } = ctx;
  const key = externalKey(ctx, req.KeyId, "manage");
  const params = await createImportParameters({
    keyId: key.id,
    WrappingAlgorithm: req.WrappingAlgorithm,
    WrappingKeySpec: req.WrappingKeySpec,
    clock: core.clock,
    tokenKey: core.root.importTokenKey,
  });
  checkKeyState(key, "manage");
  const sealed = core.root.sealSecret(wrappingKeyLabel(key, params.tokenId), params.wrappingPrivateKey);
  params.wrappingPrivateKey.fill(0);
  return ctx.commit(() => {
    core.keys.update(key, (k) => {
      const tokens = Object.entries(liveTokens(k, ctx.now)).slice(-(MAX_PENDING_TOKENS - 1));
      tokens.push([params.tokenId, { validTo: params.ParametersValidTo.getTime(), sealed }]);
      k.extra.importWrappingKeys = Object.fromEntries(tokens);
    });
    return { KeyId: key.arn, ImportToken: params.ImportToken, PublicKey: params.PublicKey, ParametersValidTo: params.ParametersValidTo };
  });
}

/** ExpirationModel (default KEY_MATERIAL_EXPIRES) and ValidTo, which it requires and the other model forbids. */
function expiration(ctx: OperationContext, req: ImportKeyMaterialRequest): { model: ExpirationModel; validTo?: number } {
  const model = req.ExpirationModel === undefined ? "KEY_MATERIAL_EXPIRES" : enumValue(req.ExpirationModel, EXPIRATION_MODELS, "expirationModel");
  const validTo = dateField(req.ValidTo, "validTo");
  if (model === "KEY_MATERIAL_DOES_NOT_EXPIRE") {
    if (validTo !== undefined) throw new ValidationException("ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
    return { model };
  }
  if (validTo === undefined) throw new ValidationException("ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES (the default)");
  if (validTo <= ctx.now) throw new ValidationException(`ValidTo must be in the future, got ${new Date(validTo).toISOString()}`);
  if (validTo > ctx.now + MAX_VALID_TO_DAYS * DAY_MS) throw new ValidationException(`ValidTo may be at most ${MAX_VALID_TO_DAYS} days from now`);
  return { model, validTo };
}

export async function importKeyMaterial(ctx: OperationContext, req: ImportKeyMaterialRequest): Promise<KeyIdResponse> {
  const { core } = ctx;
  const key = externalKey(ctx, req.KeyId, "manage");
  const { model, validTo } = expiration(ctx, req);
  const token = await openImportToken({ ImportToken: req.ImportToken, keyId: key.id, clock: core.clock, tokenKey: core.root.importTokenKey });
  const kept = liveTokens(key, ctx.now)[token.tokenId];
  const wrappingPrivateKey = kept && core.root.openSecret(wrappingKeyLabel(key, token.tokenId), kept.sealed);
  if (!wrappingPrivateKey) throw new InvalidImportTokenException("The import token is invalid: it was already used, or this KMS no longer has its wrapping key");
  let material: Uint8Array;
  try {
    material = await unwrapKeyMaterial({ token, wrappingPrivateKey, EncryptedKeyMaterial: req.EncryptedKeyMaterial });
  } finally {
    wrappingPrivateKey.fill(0);
  }
  try {
    const commitment = core.root.commitment(key.idBytes, material);
    const previous = key.extra.importCommitment;
    if (previous) checkReimportedMaterial(previous, commitment);
    checkKeyState(key, "manage");
    return ctx.commit(() => {
      core.keys.update(key, (k) => {
        if (k.record.versions.length === 0) {
          k.record.versions = [{ version: 1, wrapped: core.root.wrapMaterial(k.idBytes, 1, material), createdAt: ctx.now, origin: "IMPORT" }];
        }
        k.extra.importCommitment = commitment;
        const tokens = liveTokens(k, ctx.now);
        delete tokens[token.tokenId];
        k.extra.importWrappingKeys = tokens;
        k.meta.ExpirationModel = model;
        if (validTo === undefined) delete k.meta.ValidTo;
        else k.meta.ValidTo = validTo;
        if (k.meta.KeyState === "PendingImport") k.meta.KeyState = "Enabled";
      });
      return { KeyId: key.arn };
    });
  } finally {
    material.fill(0);
  }
}

export function deleteImportedKeyMaterial(ctx: OperationContext, req: KeyRequest): KeyIdResponse {
  const key = externalKey(ctx, req.KeyId, "any");
  if (key.record.versions.length > 0) ctx.write(() => ctx.core.keys.update(key, removeImportedMaterial));
  return { KeyId: key.arn };
}
