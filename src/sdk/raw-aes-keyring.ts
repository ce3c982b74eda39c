/**
 * Raw AES keyring (framework/raw-aes-keyring.md), wire-compatible with the
 * ESDK's (e.g. `RawAesKeyringNode`): the data key is wrapped with AES-GCM
 * under a caller-held wrapping key, with a fresh 12-byte IV and the
 * serialized encryption context as AAD.
 *
 *   providerId   = keyNamespace
 *   providerInfo = keyName (UTF-8) ‖ tag bits:u32 (128) ‖ IV length:u32 (12) ‖ IV[12]
 *   ciphertext   = wrapped key ‖ tag[16]
 *
 * Key order in the AAD: this keyring writes the spec's order (by UTF-8 bytes
 * of the keys). The ESDK for JavaScript's raw keyrings default to
 * `localeCompare` order (`utf8Sorting: false`), which differs for contexts
 * such as {"B": …, "a": …}; on decrypt this keyring also tries that order,
 * so their messages always open here. Ours open there when their keyring has
 * `utf8Sorting: true` or the two orders agree.
 *
 * 256-bit wrapping keys run on the engine; 128- and 192-bit keys on WebCrypto
 * (see aes-gcm-key.ts).
 */
import { randomBytes } from "../engine/index.js";
import { AuthenticationError } from "../engine/index.js";
import { type AesGcmKey, aesGcmKey } from "./aes-gcm-key.js";
import { serializeEncryptionContext, serializeEncryptionContextLocaleOrder } from "./encryption-context.js";
import { KeyringError } from "./errors.js";
import {
  type DecryptionMaterials,
  type EncryptedDataKey,
  type EncryptionMaterials,
  type Keyring,
  withDecryptedDataKey,
  withEncryptedDataKey,
  withPlaintextDataKey,
} from "./materials.js";
import { ByteWriter } from "./wire.js";

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const utf8 = new TextEncoder();

export interface RawAesKeyringOptions {
  /** Provider ID written into each EDK (must not start with "aws-kms"). */
  keyNamespace: string;
  /** Identifies the wrapping key within the namespace. */
  keyName: string;
  /** 16, 24 or 32 bytes (copied). */
  wrappingKey: Uint8Array;
}

export class RawAesKeyring implements Keyring {
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly #keyNameBytes: Uint8Array;
  readonly #keyLength: number;
  #key: Promise<AesGcmKey> | undefined;

  constructor(options: RawAesKeyringOptions) {
    const { keyNamespace, keyName, wrappingKey } = options ?? ({} as RawAesKeyringOptions);
    if (typeof keyNamespace !== "string" || keyNamespace === "" || typeof keyName !== "string" || keyName === "") {
      throw new KeyringError("RawAesKeyring needs a non-empty keyNamespace and keyName");
    }
    if (keyNamespace.startsWith("aws-kms")) throw new KeyringError('RawAesKeyring: keyNamespace may not start with "aws-kms" (reserved for KMS keyrings)');
    if (!(wrappingKey instanceof Uint8Array) || ![16, 24, 32].includes(wrappingKey.length)) {
      throw new KeyringError("RawAesKeyring: wrappingKey must be a Uint8Array of 16, 24 or 32 bytes");
    }
    this.keyNamespace = keyNamespace;
    this.keyName = keyName;
    this.#keyNameBytes = utf8.encode(keyName);
    if (this.#keyNameBytes.length + 8 + IV_LENGTH > 0xffff) throw new KeyringError("RawAesKeyring: keyName is too long");
    this.#keyLength = wrappingKey.length;
    this.#key = aesGcmKey(wrappingKey.slice());
    this.#key.catch(() => {}); // reported when the keyring is used
  }

  /** Wrapping key length in bytes. */
  get wrappingKeyLength(): number {
    return this.#keyLength;
  }

  private key(): Promise<AesGcmKey> {
    if (!this.#key) throw new KeyringError("RawAesKeyring: used after destroy()");
    return this.#key;
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    let m = materials;
    if (!m.plaintextDataKey) m = withPlaintextDataKey(m, randomBytes(m.suite.keyLength));
    const iv = randomBytes(IV_LENGTH);
    const aad = serializeEncryptionContext(m.encryptionContext);
    const sealed = await (await this.key()).seal(iv, m.plaintextDataKey!, aad);
    const info = new ByteWriter(new Uint8Array(this.#keyNameBytes.length + 8 + IV_LENGTH));
    info.put(this.#keyNameBytes).u32(TAG_LENGTH * 8).u32(IV_LENGTH).put(iv);
    return withEncryptedDataKey(m, { providerId: this.keyNamespace, providerInfo: info.bytes, ciphertext: sealed.slice() });
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) throw new KeyringError("RawAesKeyring: the decryption materials already have a data key");
    const mine = encryptedDataKeys.map((e) => this.parse(e, materials.suite.keyLength)).filter((p) => p !== undefined);
    if (mine.length === 0) return materials;
    const aads = [serializeEncryptionContext(materials.encryptionContext)];
    const legacy = serializeEncryptionContextLocaleOrder(materials.encryptionContext);
    if (legacy) aads.push(legacy);
    const key = await this.key();
    for (const { iv, sealed } of mine) {
      for (const aad of aads) {
        try {
          return withDecryptedDataKey(materials, await key.open(iv, sealed, aad));
        } catch (e) {
          if (!(e instanceof AuthenticationError)) throw e;
        }
      }
    }
    return materials;
  }

  /** The IV and sealed key of an EDK this keyring made, or undefined if it is not ours or not well-formed. */
  private parse(edk: EncryptedDataKey, dataKeyLength: number): { iv: Uint8Array; sealed: Uint8Array } | undefined {
    if (edk.providerId !== this.keyNamespace) return undefined;
    const info = edk.providerInfo;
    const n = this.#keyNameBytes.length;
    if (info.length !== n + 8 + IV_LENGTH) return undefined;
    for (let i = 0; i < n; i++) if (info[i] !== this.#keyNameBytes[i]) return undefined;
    const view = new DataView(info.buffer, info.byteOffset, info.byteLength);
    if (view.getUint32(n) !== TAG_LENGTH * 8 || view.getUint32(n + 4) !== IV_LENGTH) return undefined;
    if (edk.ciphertext.length !== dataKeyLength + TAG_LENGTH) return undefined;
    return { iv: info.subarray(n + 8), sealed: edk.ciphertext };
  }

  /** Wipes the wrapping key held by the engine; later use throws. */
  destroy(): void {
    const k = this.#key;
    this.#key = undefined;
    void k?.then((key) => key.destroy());
  }
}
