/**
 * Operations on asymmetric and HMAC keys, and data key pairs: Sign, Verify,
 * GetPublicKey, GenerateMac, VerifyMac, GenerateDataKeyPair,
 * GenerateDataKeyPairWithoutPlaintext. The cryptography is in asymmetric.ts
 * and hmac-keys.ts; this file resolves keys, checks their usage, and unwraps
 * their material.
 */
import { generateDataKeyPair as newDataKeyPair, sign as signMessage, verify as verifySignature } from "./asymmetric.js";
import { MAX_PLAINTEXT, checkEncryptionKey, sealSymmetric } from "./encryption-ops.js";
import { checkEncryptionContext } from "./encryption-context.js";
import { InvalidKeyUsageException, UnsupportedOperationException } from "./errors.js";
import { generateMac as macOf, verifyMac as checkMac } from "./hmac-keys.js";
import type { KeyEntry } from "./key-entry.js";
import { byteField, cryptographicMetadata, parseDataKeyPairSpec } from "./key-specs.js";
import { checkKeyState } from "./key-state.js";
import type { OperationContext } from "./operation.js";
import type {
  GenerateDataKeyPairRequest,
  GenerateDataKeyPairResponse,
  GenerateDataKeyPairWithoutPlaintextResponse,
  GenerateMacRequest,
  GenerateMacResponse,
  GetPublicKeyResponse,
  KeyRequest,
  KeyUsage,
  SignRequest,
  SignResponse,
  VerifyMacRequest,
  VerifyMacResponse,
  VerifyRequest,
  VerifyResponse,
} from "./types.js";

/** The key a Sign/Verify/GenerateMac/VerifyMac request names, with the usage the operation needs. */
function keyFor(ctx: OperationContext, keyId: unknown, usage: KeyUsage): KeyEntry {
  const key = ctx.key(keyId, "use", { aliases: true });
  if (key.meta.KeyUsage !== usage) {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.meta.KeyUsage} which is not valid for ${ctx.operation}.`);
  }
  return key;
}

/** Unwrapped material of a key with a single version (HMAC and asymmetric keys never rotate). */
function materialOf(ctx: OperationContext, key: KeyEntry): Uint8Array {
  const material = key.material(ctx.core.root, 1);
  if (!material) throw new Error(`Kms: ${key.arn} has no key material`);
  return material;
}

export async function sign(ctx: OperationContext, req: SignRequest): Promise<SignResponse> {
  byteField(req.Message, "message", 1, MAX_PLAINTEXT);
  const key = keyFor(ctx, req.KeyId, "SIGN_VERIFY");
  const out = await signMessage({
    keySpec: key.spec,
    privateKey: materialOf(ctx, key),
    Message: req.Message,
    MessageType: req.MessageType,
    SigningAlgorithm: req.SigningAlgorithm,
  });
  return { KeyId: key.arn, ...out };
}

export async function verify(ctx: OperationContext, req: VerifyRequest): Promise<VerifyResponse> {
  byteField(req.Message, "message", 1, MAX_PLAINTEXT);
  const key = keyFor(ctx, req.KeyId, "SIGN_VERIFY");
  const out = await verifySignature({
    keySpec: key.spec,
    publicKey: key.record.publicKey as Uint8Array,
    Message: req.Message,
    MessageType: req.MessageType,
    SigningAlgorithm: req.SigningAlgorithm,
    Signature: req.Signature,
  });
  return { KeyId: key.arn, ...out };
}

export function getPublicKey(ctx: OperationContext, req: KeyRequest): GetPublicKeyResponse {
  const key = ctx.key(req.KeyId, "use", { aliases: true });
  const publicKey = key.record.publicKey;
  if (!publicKey) throw new UnsupportedOperationException(`${key.arn} is a ${key.spec} key, which has no public key`);
  const { MacAlgorithms: _, ...meta } = cryptographicMetadata(key.spec, key.meta.KeyUsage);
  return { KeyId: key.arn, PublicKey: new Uint8Array(publicKey), ...meta };
}

export async function generateMac(ctx: OperationContext, req: GenerateMacRequest): Promise<GenerateMacResponse> {
  byteField(req.Message, "message", 1, MAX_PLAINTEXT);
  const key = keyFor(ctx, req.KeyId, "GENERATE_VERIFY_MAC");
  const out = await macOf({ keySpec: key.spec, key: materialOf(ctx, key), Message: req.Message, MacAlgorithm: req.MacAlgorithm });
  return { KeyId: key.arn, ...out };
}

export async function verifyMac(ctx: OperationContext, req: VerifyMacRequest): Promise<VerifyMacResponse> {
  byteField(req.Message, "message", 1, MAX_PLAINTEXT);
  const key = keyFor(ctx, req.KeyId, "GENERATE_VERIFY_MAC");
  const out = await checkMac({ keySpec: key.spec, key: materialOf(ctx, key), Message: req.Message, MacAlgorithm: req.MacAlgorithm, Mac: req.Mac });
  return { KeyId: key.arn, ...out };
}

export async function generateDataKeyPair(ctx: OperationContext, req: GenerateDataKeyPairRequest): Promise<GenerateDataKeyPairResponse> {
  const spec = parseDataKeyPairSpec(req.KeyPairSpec);
  const context = checkEncryptionContext(req.EncryptionContext, "encryptionContext");
  const key = ctx.key(req.KeyId, "use", { aliases: true });
  checkEncryptionKey(ctx, key, true);
  const pair = await newDataKeyPair(spec);
  // Generating an RSA key takes a while; the key may have changed state meanwhile.
  checkKeyState(key, "use");
  return {
    PrivateKeyCiphertextBlob: sealSymmetric(ctx.core, key, pair.PrivateKeyPlaintext, context),
    PrivateKeyPlaintext: pair.PrivateKeyPlaintext,
    PublicKey: pair.PublicKey,
    KeyId: key.arn,
    KeyPairSpec: pair.KeyPairSpec,
  };
}

export async function generateDataKeyPairWithoutPlaintext(
  ctx: OperationContext,
  req: GenerateDataKeyPairRequest,
): Promise<GenerateDataKeyPairWithoutPlaintextResponse> {
  const { PrivateKeyPlaintext, ...rest } = await generateDataKeyPair(ctx, req);
  PrivateKeyPlaintext.fill(0);
  return rest;
}
