/**
 * Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext
 * and GenerateRandom.
 *
 * Symmetric keys seal into our ciphertext blob (ciphertext-blob.ts) with the
 * newest key version and open with the version the blob names. These paths
 * are synchronous and allocation-light: the key's Aes256Gcm and blob header
 * are cached on its KeyEntry, random bytes come from a pool, and a request
 * without an encryption context reuses a precomputed AAD. RSA keys
 * (RSAES-OAEP) go through asymmetric.ts and are asynchronous.
 *
 * Decrypt and ReEncrypt errors, after AWS: a blob that is malformed, names a
 * key or version that does not exist here, or fails authentication (tampering,
 * another encryption context) is InvalidCiphertextException, never a partial
 * plaintext. A KeyId that resolves to a different existing key than the blob's
 * is IncorrectKeyException.
 */
import { AuthenticationError } from "../engine/index.js";
import { rsaDecrypt, rsaEncrypt } from "./asymmetric.js";
import { blobAad, parseBlob, sealBlob } from "./ciphertext-blob.js";
import { checkEncryptionContext, encodeEncryptionContext } from "./encryption-context.js";
import { IncorrectKeyException, InvalidCiphertextException, InvalidKeyUsageException, ValidationException } from "./errors.js";
import type { KeyEntry } from "./key-entry.js";
import { byteField, enumValue, parseEncryptionAlgorithm } from "./key-specs.js";
import type { KmsCore, OperationContext } from "./operation.js";
import { integerField } from "./request-fields.js";
import type {
  DecryptRequest,
  DecryptResponse,
  EncryptionAlgorithm,
  EncryptionContext,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextResponse,
  GenerateRandomRequest,
  GenerateRandomResponse,
  ReEncryptRequest,
  ReEncryptResponse,
} from "./types.js";

/** AWS: Encrypt takes 1–4096 bytes; ciphertext blobs are 1–6144 bytes. */
export const MAX_PLAINTEXT = 4096;
export const MAX_CIPHERTEXT = 6144;
const IV_LENGTH = 12;
const DATA_KEY_SPECS = ["AES_256", "AES_128"] as const;

/** InvalidKeyUsageException unless `key` is an ENCRYPT_DECRYPT key (and symmetric, when `symmetricOnly`). */
export function checkEncryptionKey(ctx: OperationContext, key: KeyEntry, symmetricOnly: boolean): void {
  const usage = key.meta.KeyUsage;
  if (usage !== "ENCRYPT_DECRYPT" || (symmetricOnly && key.spec !== "SYMMETRIC_DEFAULT")) {
    throw new InvalidKeyUsageException(
      `${key.arn} is a ${key.spec} key with key usage ${usage}, which is not valid for ${ctx.operation}` +
        (symmetricOnly ? " (it needs a SYMMETRIC_DEFAULT key)" : ""),
    );
  }
}

/** Seals `plaintext` under the newest version of a symmetric key. */
export function sealSymmetric(core: KmsCore, key: KeyEntry, plaintext: Uint8Array, context: EncryptionContext | undefined): Uint8Array {
  const v = key.current(core.root);
  if (!v) throw new Error(`Kms: ${key.arn} is ${key.state} but has no key material`);
  const aad = context === undefined ? v.emptyContextAad : blobAad(v.header, encodeEncryptionContext(context));
  return sealBlob(v.gcm, v.header, aad, core.random.view(IV_LENGTH), plaintext);
}

/** Encrypts under `key` (symmetric, or RSA with `algorithm`). */
function encryptWith(
  ctx: OperationContext,
  key: KeyEntry,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
  algorithm: unknown,
): { blob: Uint8Array; algorithm: EncryptionAlgorithm } | Promise<{ blob: Uint8Array; algorithm: EncryptionAlgorithm }> {
  checkEncryptionKey(ctx, key, false);
  if (key.spec === "SYMMETRIC_DEFAULT") {
    parseEncryptionAlgorithm(key.spec, algorithm);
    return { blob: sealSymmetric(ctx.core, key, plaintext, context), algorithm: "SYMMETRIC_DEFAULT" };
  }
  if (context !== undefined) throw new ValidationException(`An encryption context is not valid with ${key.spec} keys`);
  const publicKey = key.record.publicKey as Uint8Array;
  return rsaEncrypt({ keySpec: key.spec, publicKey, Plaintext: plaintext, EncryptionAlgorithm: algorithm }).then((r) => ({
    blob: r.CiphertextBlob,
    algorithm: r.EncryptionAlgorithm,
  }));
}

export function encrypt(ctx: OperationContext, req: EncryptRequest): EncryptResponse | Promise<EncryptResponse> {
  const plaintext = byteField(req.Plaintext, "plaintext", 1, MAX_PLAINTEXT);
  const context = checkEncryptionContext(req.EncryptionContext, "encryptionContext");
  const key = ctx.key(req.KeyId, "use", { aliases: true });
  const out = encryptWith(ctx, key, plaintext, context, req.EncryptionAlgorithm);
  // No closure on the symmetric path: a transpiler keeping function names (tsx) wraps each one made.
  return out instanceof Promise ? out.then((r) => encryptResponse(key, r)) : encryptResponse(key, out);
}

function encryptResponse(key: KeyEntry, r: { blob: Uint8Array; algorithm: EncryptionAlgorithm }): EncryptResponse {
  return { CiphertextBlob: r.blob, KeyId: key.arn, EncryptionAlgorithm: r.algorithm };
}

interface Opened {
  key: KeyEntry;
  plaintext: Uint8Array;
  algorithm: EncryptionAlgorithm;
}

/**
 * Opens a ciphertext: the shared part of Decrypt and ReEncrypt. `keyId` is the
 * optional KeyId / SourceKeyId; `action` the permission the use needs.
 */
function openCiphertext(
  ctx: OperationContext,
  blob: Uint8Array,
  keyId: unknown,
  context: EncryptionContext | undefined,
  algorithm: unknown,
  field: string,
  action?: string,
): Opened | Promise<Opened> {
  let named: KeyEntry | undefined;
  if (keyId !== undefined) {
    named = ctx.key(keyId, "use", { aliases: true, field, action });
    checkEncryptionKey(ctx, named, false);
    if (named.spec !== "SYMMETRIC_DEFAULT") {
      if (context !== undefined) throw new ValidationException(`An encryption context is not valid with ${named.spec} keys`);
      const key = named;
      const privateKey = key.material(ctx.core.root, 1) as Uint8Array;
      return rsaDecrypt({ keySpec: key.spec, privateKey, CiphertextBlob: blob, EncryptionAlgorithm: algorithm }).then((r) => ({
        key,
        plaintext: r.Plaintext,
        algorithm: r.EncryptionAlgorithm,
      }));
    }
  }
  const parsed = parseBlob(blob);
  let key: KeyEntry;
  if (named) {
    if (parsed.keyId !== named.id) {
      const actual = ctx.keyById(parsed.keyId);
      if (!actual) throw new InvalidCiphertextException(`The ciphertext was not made by ${named.arn} or any other key here`);
      throw new IncorrectKeyException(`The ciphertext was encrypted under ${actual.arn}, not under ${named.arn}`);
    }
    key = named;
  } else {
    const found = ctx.keyById(parsed.keyId);
    if (!found) throw new InvalidCiphertextException("The ciphertext names no key here: it was not made by this KMS, or its key was deleted");
    key = ctx.use(found, "use", action);
    checkEncryptionKey(ctx, key, false);
  }
  parseEncryptionAlgorithm(key.spec, algorithm);
  const v = key.symmetric(ctx.core.root, parsed.version);
  if (!v) throw new InvalidCiphertextException(`The ciphertext names version ${parsed.version} of ${key.arn}, which does not exist`);
  const aad = context === undefined ? v.emptyContextAad : blobAad(parsed.header, encodeEncryptionContext(context));
  try {
    return { key, plaintext: v.gcm.open(parsed.iv, parsed.sealed, aad), algorithm: "SYMMETRIC_DEFAULT" };
  } catch (err) {
    if (err instanceof AuthenticationError) {
      throw new InvalidCiphertextException(
        `The ciphertext does not authenticate under ${key.arn}: it was altered, or the encryption context differs`,
      );
    }
    throw err;
  }
}

export function decrypt(ctx: OperationContext, req: DecryptRequest): DecryptResponse | Promise<DecryptResponse> {
  const blob = byteField(req.CiphertextBlob, "ciphertextBlob", 1, MAX_CIPHERTEXT);
  const context = checkEncryptionContext(req.EncryptionContext, "encryptionContext");
  const out = openCiphertext(ctx, blob, req.KeyId, context, req.EncryptionAlgorithm, "KeyId");
  return out instanceof Promise ? out.then(decryptResponse) : decryptResponse(out);
}

function decryptResponse(r: Opened): DecryptResponse {
  return { KeyId: r.key.arn, Plaintext: r.plaintext, EncryptionAlgorithm: r.algorithm };
}

export async function reEncrypt(ctx: OperationContext, req: ReEncryptRequest): Promise<ReEncryptResponse> {
  const blob = byteField(req.CiphertextBlob, "ciphertextBlob", 1, MAX_CIPHERTEXT);
  const sourceContext = checkEncryptionContext(req.SourceEncryptionContext, "sourceEncryptionContext");
  const destinationContext = checkEncryptionContext(req.DestinationEncryptionContext, "destinationEncryptionContext");
  const source = await openCiphertext(ctx, blob, req.SourceKeyId, sourceContext, req.SourceEncryptionAlgorithm, "SourceKeyId", "kms:ReEncryptFrom");
  try {
    const destination = ctx.key(req.DestinationKeyId, "use", { aliases: true, field: "DestinationKeyId", action: "kms:ReEncryptTo" });
    const out = await encryptWith(ctx, destination, source.plaintext, destinationContext, req.DestinationEncryptionAlgorithm);
    return {
      CiphertextBlob: out.blob,
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: source.algorithm,
      DestinationEncryptionAlgorithm: out.algorithm,
    };
  } finally {
    source.plaintext.fill(0);
  }
}

/** Data key length from NumberOfBytes (1–1024) or KeySpec (AES_256, AES_128): exactly one of them. */
function dataKeyLength(req: GenerateDataKeyRequest): number {
  if (req.NumberOfBytes !== undefined && req.KeySpec !== undefined) {
    throw new ValidationException("Specify either NumberOfBytes or KeySpec, not both");
  }
  if (req.KeySpec !== undefined) return enumValue(req.KeySpec, DATA_KEY_SPECS, "keySpec") === "AES_256" ? 32 : 16;
  const n = integerField(req.NumberOfBytes, "numberOfBytes", 1, 1024);
  if (n === undefined) throw new ValidationException("Specify either NumberOfBytes or KeySpec");
  return n;
}

function dataKey(ctx: OperationContext, req: GenerateDataKeyRequest): { key: KeyEntry; plaintext: Uint8Array; blob: Uint8Array } {
  const length = dataKeyLength(req);
  const context = checkEncryptionContext(req.EncryptionContext, "encryptionContext");
  const key = ctx.key(req.KeyId, "use", { aliases: true });
  checkEncryptionKey(ctx, key, true);
  const plaintext = ctx.core.random.take(length);
  return { key, plaintext, blob: sealSymmetric(ctx.core, key, plaintext, context) };
}

export function generateDataKey(ctx: OperationContext, req: GenerateDataKeyRequest): GenerateDataKeyResponse {
  const { key, plaintext, blob } = dataKey(ctx, req);
  return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.arn };
}

export function generateDataKeyWithoutPlaintext(ctx: OperationContext, req: GenerateDataKeyRequest): GenerateDataKeyWithoutPlaintextResponse {
  const { key, plaintext, blob } = dataKey(ctx, req);
  plaintext.fill(0);
  return { CiphertextBlob: blob, KeyId: key.arn };
}

export function generateRandom(ctx: OperationContext, req: GenerateRandomRequest): GenerateRandomResponse {
  const n = integerField(req.NumberOfBytes, "numberOfBytes", 1, 1024);
  if (n === undefined) throw new ValidationException("NumberOfBytes is required");
  return { Plaintext: ctx.core.random.take(n) };
}
