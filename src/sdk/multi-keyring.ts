/**
 * Multi keyring (framework/multi-keyring.md): one generator that makes the
 * data key, and children that each add their own wrapped copy, so any one of
 * them can decrypt the message.
 *
 * Encrypt: the generator's onEncrypt must produce the data key (if there is no
 * generator the materials must already carry one), then every child wraps it;
 * any failure fails the whole call. Decrypt: the generator, then the children
 * in order, until one returns a data key; errors are collected and, if none
 * succeeds, reported together in a NoDecryptableDataKeyError.
 */
import { KeyringError, NoDecryptableDataKeyError } from "./errors.js";
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from "./materials.js";

export interface MultiKeyringOptions {
  generator?: Keyring;
  children?: readonly Keyring[];
}

function isKeyring(k: unknown): k is Keyring {
  return !!k && typeof (k as Keyring).onEncrypt === "function" && typeof (k as Keyring).onDecrypt === "function";
}

export class MultiKeyring implements Keyring {
  readonly generator: Keyring | undefined;
  readonly children: readonly Keyring[];

  constructor(options: MultiKeyringOptions) {
    const { generator, children = [] } = options ?? {};
    if (generator !== undefined && !isKeyring(generator)) throw new KeyringError("MultiKeyring: generator is not a keyring");
    if (!Array.isArray(children) || !children.every(isKeyring)) throw new KeyringError("MultiKeyring: children must be an array of keyrings");
    if (!generator && children.length === 0) throw new KeyringError("MultiKeyring needs a generator or at least one child");
    this.generator = generator;
    this.children = Object.freeze([...children]);
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    let m = materials;
    if (this.generator) {
      if (m.plaintextDataKey) throw new KeyringError("MultiKeyring: the materials already have a data key, but this keyring has a generator");
      m = await this.generator.onEncrypt(m);
      if (!m?.plaintextDataKey) throw new KeyringError("MultiKeyring: the generator keyring did not produce a data key");
    } else if (!m.plaintextDataKey) {
      throw new KeyringError("MultiKeyring without a generator needs materials that already carry a data key");
    }
    for (const child of this.children) m = await child.onEncrypt(m);
    return m;
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) throw new KeyringError("MultiKeyring: the decryption materials already have a data key");
    const errors: unknown[] = [];
    for (const keyring of this.generator ? [this.generator, ...this.children] : this.children) {
      try {
        const result = await keyring.onDecrypt(materials, encryptedDataKeys);
        if (result?.plaintextDataKey) return result;
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new NoDecryptableDataKeyError("no keyring of the MultiKeyring could decrypt a data key", errors);
    return materials;
  }
}
