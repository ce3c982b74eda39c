/**
 * AES-GCM with a key of any of the three sizes, behind one interface.
 *
 * 256-bit keys (every suite this SDK encrypts with, and the usual raw AES
 * wrapping key) run on the constant-time WebAssembly engine. 128- and 192-bit
 * keys exist only in legacy v1 suites (decrypt only) and in raw AES keyrings
 * configured with short wrapping keys; the engine has no AES-128/192, so those
 * go to the platform's WebCrypto (`crypto.subtle`), which is native code and
 * usually AES-NI, but whose constant-time behaviour this project does not
 * control. Note that browsers built on Chromium do not offer AES-192.
 */
import { Aes256Gcm, AuthenticationError } from "../engine/index.js";
import type { MaybePromise } from "./maybe-promise.js";

export interface AesGcmKey {
  /** ciphertext ‖ 16-byte tag. */
  seal(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Verifies and decrypts ciphertext ‖ tag; throws the engine's AuthenticationError, releasing nothing, on failure. */
  open(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Wipes the key state (engine keys; WebCrypto keys are left to the garbage collector). */
  destroy(): void;
}

class EngineKey implements AesGcmKey {
  private readonly gcm: Aes256Gcm;
  constructor(key: Uint8Array) {
    this.gcm = new Aes256Gcm(key);
  }
  seal(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    return this.gcm.seal(iv, plaintext, aad);
  }
  open(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
    return this.gcm.open(iv, sealed, aad);
  }
  destroy(): void {
    this.gcm.destroy();
  }
}

/** Copies iv and aad (callers may reuse their arrays as soon as the call returns) and awaits. */
class WebCryptoKey implements AesGcmKey {
  constructor(private readonly key: CryptoKey) {}
  async seal(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const params = { name: "AES-GCM", iv: iv.slice(), additionalData: aad.slice(), tagLength: 128 };
    return new Uint8Array(await crypto.subtle.encrypt(params, this.key, buf(plaintext)));
  }
  async open(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const params = { name: "AES-GCM", iv: iv.slice(), additionalData: aad.slice(), tagLength: 128 };
    try {
      return new Uint8Array(await crypto.subtle.decrypt(params, this.key, buf(sealed)));
    } catch {
      throw new AuthenticationError();
    }
  }
  destroy(): void {}
}

/** WebCrypto wants a BufferSource backed by an ArrayBuffer (not a SharedArrayBuffer). */
function buf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);
}

/**
 * An AES-GCM key for 16-, 24- or 32-byte key material (copied; the caller may
 * wipe its array): at once for 256-bit keys, a promise for WebCrypto keys.
 */
export function aesGcmKeyNow(key: Uint8Array): MaybePromise<AesGcmKey> {
  if (key.length === 32) return new EngineKey(key);
  if (key.length !== 16 && key.length !== 24) throw new RangeError(`AES keys are 16, 24 or 32 bytes, got ${key.length}`);
  return importWebCryptoKey(key.slice());
}

async function importWebCryptoKey(key: Uint8Array<ArrayBuffer>): Promise<AesGcmKey> {
  return new WebCryptoKey(await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]));
}

/** `aesGcmKeyNow`, always as a promise. */
export async function aesGcmKey(key: Uint8Array): Promise<AesGcmKey> {
  return aesGcmKeyNow(key);
}
