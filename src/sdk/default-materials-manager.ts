/**
 * The default materials manager (framework/default-cmm.md): asks one keyring
 * for a fresh data key per message, and for signing suites makes a fresh
 * ECDSA key pair whose public half goes into the encryption context under
 * `aws-crypto-public-key`.
 */
import { algorithmSuite, checkDecryptSuite, checkEncryptSuite, DEFAULT_SUITE_ID } from "./algorithm-suites.js";
import { checkEncryptionContext, PUBLIC_KEY_CONTEXT_KEY } from "./encryption-context.js";
import { EncryptionContextError, KeyringError, MalformedMessageError, NoDecryptableDataKeyError } from "./errors.js";
import {
  type DecryptionMaterials,
  type DecryptionMaterialsRequest,
  decryptionMaterials,
  type EncryptionMaterials,
  type EncryptionMaterialsRequest,
  encryptionMaterials,
  type Keyring,
  type MaterialsManager,
} from "./materials.js";
import { decodeVerificationKey, generateSigningKey } from "./signature.js";

export class DefaultMaterialsManager implements MaterialsManager {
  constructor(readonly keyring: Keyring) {
    if (!keyring || typeof keyring.onEncrypt !== "function" || typeof keyring.onDecrypt !== "function") {
      throw new KeyringError("DefaultMaterialsManager needs a keyring (an object with onEncrypt and onDecrypt)");
    }
  }

  async getEncryptionMaterials(request: EncryptionMaterialsRequest): Promise<EncryptionMaterials> {
    const suite = algorithmSuite(request.suiteId ?? DEFAULT_SUITE_ID);
    checkEncryptSuite(suite, request.commitmentPolicy);
    const context = checkEncryptionContext(request.encryptionContext, true);
    if (Object.hasOwn(context, PUBLIC_KEY_CONTEXT_KEY)) {
      throw new EncryptionContextError(`the encryption context already has the reserved key "${PUBLIC_KEY_CONTEXT_KEY}"`);
    }
    let initial: EncryptionMaterials;
    if (suite.signature) {
      const { signingKey, publicKey } = await generateSigningKey(suite.signature);
      initial = encryptionMaterials(suite, { ...context, [PUBLIC_KEY_CONTEXT_KEY]: publicKey }, signingKey);
    } else {
      initial = encryptionMaterials(suite, context);
    }
    const materials = await this.keyring.onEncrypt(initial);
    if (!materials?.plaintextDataKey || materials.plaintextDataKey.length !== suite.keyLength) {
      throw new KeyringError("the keyring returned no data key (does it have a generator?)");
    }
    if (materials.encryptedDataKeys.length === 0) throw new KeyringError("the keyring returned no encrypted data keys");
    if (materials.suite.id !== suite.id) throw new KeyringError("the keyring changed the algorithm suite");
    return materials;
  }

  async decryptMaterials(request: DecryptionMaterialsRequest): Promise<DecryptionMaterials> {
    const { suite, encryptionContext } = request;
    checkDecryptSuite(suite, request.commitmentPolicy);
    const publicKey = Object.hasOwn(encryptionContext, PUBLIC_KEY_CONTEXT_KEY) ? encryptionContext[PUBLIC_KEY_CONTEXT_KEY] : undefined;
    let verificationKey: Uint8Array | undefined;
    if (suite.signature) {
      if (publicKey === undefined) throw new MalformedMessageError(`a signed message without "${PUBLIC_KEY_CONTEXT_KEY}" in its encryption context`);
      verificationKey = decodeVerificationKey(suite.signature, publicKey);
    } else if (publicKey !== undefined) {
      throw new MalformedMessageError(`an unsigned message with "${PUBLIC_KEY_CONTEXT_KEY}" in its encryption context`);
    }
    const initial = decryptionMaterials(suite, encryptionContext, verificationKey);
    const materials = await this.keyring.onDecrypt(initial, request.encryptedDataKeys);
    if (!materials?.plaintextDataKey) {
      const n = request.encryptedDataKeys.length;
      throw new NoDecryptableDataKeyError(`no keyring could decrypt any of the message's ${n} encrypted data key${n === 1 ? "" : "s"}`);
    }
    return materials;
  }
}
