/**
 * The root key and what it protects. Key material reaches the store only
 * wrapped: AES-256-GCM under a key derived from the root key, with
 * AAD = key id (16 bytes) ‖ version (u32 big-endian), so wrapped material
 * cannot be moved to another key or version without failing to unwrap.
 *
 * The root key itself is never used directly: HKDF-SHA-256 (RFC 5869) derives
 * one subkey per purpose (material wrapping, sealed tokens, import-token MACs,
 * import commitments, the check value), so no two purposes share a key.
 *
 * The check value, kept in the store's meta table, is an HMAC of a fixed label
 * under a derived key: it tells whether a store was written under this root key
 * without revealing anything about the key.
 */
import { Aes256Gcm, hkdf, hmac } from "../engine/index.js";
import type { KeyStore } from "../store/key-store.js";
import { constantTimeEqual } from "./_constant-time.js";
import { deriveImportTokenKey } from "./import-material.js";
import { RandomPool } from "./random-pool.js";

const utf8 = new TextEncoder();
const CHECK_META = "root-key-check";
const IV_LENGTH = 12;

function derive(root: Uint8Array, purpose: string): Uint8Array {
  return hkdf("sha256", root, utf8.encode("wasmkms root key"), utf8.encode(`wasmkms/v1 ${purpose}`), 32);
}

/** AAD of wrapped material: key id bytes ‖ version. */
function materialAad(keyIdBytes: Uint8Array, version: number): Uint8Array {
  const aad = new Uint8Array(20);
  aad.set(keyIdBytes);
  new DataView(aad.buffer).setUint32(16, version);
  return aad;
}

export class RootKey {
  readonly #wrap: Aes256Gcm;
  readonly #secrets: Aes256Gcm;
  readonly #commitKey: Uint8Array;
  readonly #check: Uint8Array;
  readonly #random = new RandomPool();
  /** MAC key of import tokens (import-material.ts). */
  readonly importTokenKey: Uint8Array;

  /** @param root 32 bytes (copied into derived keys; the caller may wipe it). */
  constructor(root: Uint8Array) {
    if (!(root instanceof Uint8Array) || root.length !== 32) {
      throw new TypeError(`Kms: rootKey must be a Uint8Array of 32 bytes, got ${root instanceof Uint8Array ? `${root.length} bytes` : typeof root}`);
    }
    const wrapKey = derive(root, "key material");
    const secretsKey = derive(root, "sealed secrets");
    this.#wrap = new Aes256Gcm(wrapKey);
    this.#secrets = new Aes256Gcm(secretsKey);
    wrapKey.fill(0);
    secretsKey.fill(0);
    this.#commitKey = derive(root, "import commitment");
    this.importTokenKey = deriveImportTokenKey(root);
    const checkKey = derive(root, "check value");
    this.#check = hmac("sha256", checkKey, utf8.encode("wasmkms root key check value"));
    checkKey.fill(0);
  }

  /**
   * Binds a store to this root key: a store that has a check value must match
   * it (otherwise this throws and writes nothing); a store without one gets it.
   */
  bind(store: KeyStore): void {
    const stored = store.getMeta(CHECK_META);
    if (stored === undefined) {
      store.transaction(() => {
        if (store.getMeta(CHECK_META) === undefined) store.putMeta(CHECK_META, this.#check);
      });
      return;
    }
    if (!constantTimeEqual(stored, this.#check)) {
      throw new Error(
        "Kms: the root key does not match this key store (its root-key check value differs). " +
          "The store was written under another root key; nothing was changed.",
      );
    }
  }

  /** Wraps key material: IV ‖ ciphertext ‖ tag. */
  wrapMaterial(keyIdBytes: Uint8Array, version: number, material: Uint8Array): Uint8Array {
    const iv = this.#random.view(IV_LENGTH);
    const sealed = this.#wrap.seal(iv, material, materialAad(keyIdBytes, version));
    const out = new Uint8Array(IV_LENGTH + sealed.length);
    out.set(iv);
    out.set(sealed, IV_LENGTH);
    return out;
  }

  /** Unwraps key material; a failure means the store was damaged or tampered with. */
  unwrapMaterial(keyIdBytes: Uint8Array, version: number, wrapped: Uint8Array, what: string): Uint8Array {
    try {
      return this.#wrap.open(wrapped.subarray(0, IV_LENGTH), wrapped.subarray(IV_LENGTH), materialAad(keyIdBytes, version));
    } catch {
      throw new Error(`Kms: the stored key material of ${what} (version ${version}) does not authenticate under the root key; the key store is damaged`);
    }
  }

  /**
   * Seals a secret to keep in the store (e.g. an import wrapping key) under the
   * root key, bound to `label`: it opens only with the same label.
   */
  sealSecret(label: string, data: Uint8Array): Uint8Array {
    const iv = this.#random.view(IV_LENGTH);
    const sealed = this.#secrets.seal(iv, data, utf8.encode(label));
    const out = new Uint8Array(IV_LENGTH + sealed.length);
    out.set(iv);
    out.set(sealed, IV_LENGTH);
    return out;
  }

  /** Opens what sealSecret sealed with the same label; undefined when it does not authenticate. */
  openSecret(label: string, sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length < IV_LENGTH + 16) return undefined;
    try {
      return this.#secrets.open(sealed.subarray(0, IV_LENGTH), sealed.subarray(IV_LENGTH), utf8.encode(label));
    } catch {
      return undefined;
    }
  }

  /**
   * A commitment to imported material (HMAC-SHA-256 of key id ‖ material under a
   * derived key), kept after the material is deleted so a reimport can be checked
   * to be the same material without keeping the material.
   */
  commitment(keyIdBytes: Uint8Array, material: Uint8Array): Uint8Array {
    const data = new Uint8Array(keyIdBytes.length + material.length);
    data.set(keyIdBytes);
    data.set(material, keyIdBytes.length);
    const c = hmac("sha256", this.#commitKey, data);
    data.fill(0);
    return c;
  }

  destroy(): void {
    this.#wrap.destroy();
    this.#secrets.destroy();
    this.#commitKey.fill(0);
    this.importTokenKey.fill(0);
  }
}
