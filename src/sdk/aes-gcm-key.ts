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
 *
 * Engine keys live for one message each, so they are recycled: `destroy()`
 * wipes the key (`Aes256Gcm.clear`) and keeps the engine object for the next
 * message's `rekey`, sparing a slot allocation and a FinalizationRegistry
 * registration per message. A key may prepare the IVs it will use first
 * (`ivs`, see Aes256Gcm): the header IV and the first frame IVs.
 */
import { Aes256Gcm, AuthenticationError } from "../engine/index.js";
import type { MaybePromise } from "./maybe-promise.js";

export interface AesGcmKey {
  /** ciphertext ‖ 16-byte tag. */
  seal(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Verifies and decrypts ciphertext ‖ tag; throws the engine's AuthenticationError, releasing nothing, on failure. */
  open(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** `open` into `output` at `offset`; returns the plaintext length. On failure nothing of the plaintext is left there. */
  openInto(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array, output: Uint8Array, offset: number): number | Promise<number>;
  /** Wipes the key state (engine keys; WebCrypto keys are left to the garbage collector). */
  destroy(): void;
}

/** Cleared engine keys waiting for `rekey` (their slots are wiped). */
const spare: Aes256Gcm[] = [];
const MAX_SPARE = 16;

/** AES-256-GCM on the engine; synchronous. */
export class EngineKey implements AesGcmKey {
  #gcm: Aes256Gcm | undefined;

  /** @param key 32 bytes (copied) @param ivs up to seven 12-byte IVs to prepare (see Aes256Gcm) */
  constructor(key: Uint8Array, ivs?: readonly Uint8Array[]) {
    const options = ivs && { ivs };
    const gcm = spare.pop();
    if (!gcm) {
      this.#gcm = new Aes256Gcm(key, options);
      return;
    }
    try {
      gcm.rekey(key, options);
    } catch (e) {
      spare.push(gcm);
      throw e;
    }
    this.#gcm = gcm;
  }

  #engine(): Aes256Gcm {
    if (!this.#gcm) throw new Error("AES-GCM key used after destroy()");
    return this.#gcm;
  }

  seal(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    return this.#engine().seal(iv, plaintext, aad);
  }

  /** Seals into `out` at `offset` (see Aes256Gcm.sealInto); returns the bytes written. */
  sealInto(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): number {
    return this.#engine().sealInto(iv, plaintext, aad, out, offset);
  }

  open(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
    return this.#engine().open(iv, sealed, aad);
  }

  /** Opens into `output` at `offset` (see Aes256Gcm.openInto); returns the plaintext length. */
  openInto(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array, output: Uint8Array, offset: number): number {
    return this.#engine().openInto(iv, sealed, aad, output, offset);
  }

  /** Wipes the key and recycles its engine object (idempotent). */
  destroy(): void {
    const gcm = this.#gcm;
    if (!gcm) return;
    this.#gcm = undefined;
    gcm.clear();
    if (spare.length < MAX_SPARE) spare.push(gcm);
    else gcm.destroy();
  }

  get destroyed(): boolean {
    return this.#gcm === undefined;
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
  /** Opens, then copies into `output` (legacy suites only: not worth a path of its own). */
  async openInto(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array, output: Uint8Array, offset: number): Promise<number> {
    const plaintext = await this.open(iv, sealed, aad);
    try {
      output.set(plaintext, offset);
      return plaintext.length;
    } finally {
      plaintext.fill(0);
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
 * `ivs`: 12-byte IVs an engine key prepares (WebCrypto keys ignore them).
 */
export function aesGcmKeyNow(key: Uint8Array, ivs?: readonly Uint8Array[]): MaybePromise<AesGcmKey> {
  if (key.length === 32) return new EngineKey(key, ivs);
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
