/**
 * AES-256-GCM (NIST SP 800-38D) over the constant-time WebAssembly engine.
 *
 *   const gcm = new Aes256Gcm(key);               // key schedule + GHASH table built once
 *   const sealed = gcm.seal(iv, plaintext, aad);  // ciphertext ‖ tag
 *   const plain = gcm.open(iv, sealed, aad);      // throws AuthenticationError
 *   gcm.destroy();                                // wipes the key state
 *
 * IVs may have any length of at least one byte (96 bits is the fast, recommended
 * case, §8.2); tags may be 16, 15, 14, 13, 12, 8 or 4 bytes (§5.2.1.2 and
 * Appendix C — short tags need the usage limits given there). One IV must never
 * be used twice with one key: GCM's confidentiality and authenticity both fail.
 *
 * `open` releases no plaintext unless the tag verifies: the comparison runs in
 * constant time inside WebAssembly and a failed message is wiped before the
 * error is thrown.
 */
import { ciphertextOutput } from "./output-pool.js";
import { allocSlot, freeSlot, slotReaper } from "./slots.js";
import { bytes, optionalBytes, exactLength, integer } from "./validate.js";
import { engine, feedWindow, type Engine } from "./wasm.js";

/** Thrown when a GCM tag does not verify. */
export class AuthenticationError extends Error {
  constructor(message = "AES-GCM authentication failed: the ciphertext, IV, AAD, tag or key is wrong") {
    super(message);
    this.name = "AuthenticationError";
  }
}

/** Tag lengths allowed by SP 800-38D §5.2.1.2. */
const TAG_LENGTHS = [16, 15, 14, 13, 12, 8, 4];
/** SP 800-38D §5.2.1.1: at most 2^39 − 256 bits of plaintext per invocation. */
export const GCM_MAX_PLAINTEXT = 2 ** 36 - 32;

const NAME = "Aes256Gcm";
const SEAL = `${NAME}.seal`;
const OPEN = `${NAME}.open`;

function tagLengthOf(value: unknown, where: string): number {
  if (value === 16) return 16;
  integer(value, 4, 16, where, "tagLength");
  if (!TAG_LENGTHS.includes(value as number)) {
    throw new RangeError(`${where}: tagLength must be one of ${TAG_LENGTHS.join(", ")}, got ${value}`);
  }
  return value as number;
}

function checkIv(iv: unknown, where: string): Uint8Array {
  const v = bytes(iv, where, "iv");
  if (v.length === 0) throw new RangeError(`${where}: iv must be at least 1 byte, got 0`);
  return v;
}

function checkLength(total: number, where: string): void {
  if (total > GCM_MAX_PLAINTEXT) {
    throw new RangeError(`${where}: GCM allows at most ${GCM_MAX_PLAINTEXT} bytes of data per IV (SP 800-38D §5.2.1.1), got ${total}`);
  }
}

/** Starts a message in context `ctx`: J0 from the IV, then the AAD. */
function startMessage(e: Engine, key: number, ctx: number, iv: Uint8Array, aad: Uint8Array): void {
  const x = e.x;
  if (iv.length === 12) {
    e.mem().set(iv, e.GCM_STAGE);
    x.gcm_iv96(key, ctx, e.GCM_STAGE);
  } else {
    x.gcm_reset(ctx);
    feedWindow(e, iv, (p, n) => x.gcm_absorb(key, ctx, p, n));
    x.gcm_iv_finish(key, ctx);
  }
  feedWindow(e, aad, (p, n) => x.gcm_absorb(key, ctx, p, n));
}

export class Aes256Gcm {
  /** Address of this key's slot; -1 once destroyed. */
  #slot: number;

  /** @param key 32 bytes of key material (copied; the caller may wipe its array). */
  constructor(key: Uint8Array) {
    bytes(key, NAME, "key");
    exactLength(key, 32, NAME, "key");
    const e = engine();
    this.#slot = allocSlot();
    const mem = e.mem();
    mem.set(key, e.GCM_STAGE);
    e.x.gcm_setup(this.#slot, e.GCM_STAGE);
    e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 32);
    slotReaper.register(this, this.#slot, this);
  }

  /** Address of the key slot; throws after destroy(). @internal */
  get slot(): number {
    if (this.#slot < 0) throw new Error(`${NAME}: used after destroy()`);
    return this.#slot;
  }

  /** True once destroy() has run. */
  get destroyed(): boolean {
    return this.#slot < 0;
  }

  /**
   * Encrypts and authenticates. Returns ciphertext ‖ tag (plaintext.length + tagLength bytes).
   * @param iv at least 1 byte; 12 bytes recommended. Never reuse one with the same key.
   * @param aad additional authenticated data (not encrypted), default empty.
   * @param tagLength 16 (default), 15, 14, 13, 12, 8 or 4.
   */
  seal(iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array, tagLength = 16): Uint8Array {
    const where = SEAL;
    const key = this.slot;
    checkIv(iv, where);
    bytes(plaintext, where, "plaintext");
    aad = optionalBytes(aad, where, "aad");
    tagLength = tagLengthOf(tagLength, where);
    checkLength(plaintext.length, where);
    const e = engine();
    const x = e.x;
    const n = plaintext.length;
    const out = ciphertextOutput(n + tagLength);
    const W = e.WINDOW;
    if (iv.length + aad.length + n + 16 <= e.WINDOW_SIZE) {
      // One call: [iv | aad | message | tag] in the window. The plaintext is
      // overwritten in place by ciphertext, so nothing secret is left behind.
      const mem = e.mem();
      const a = W + iv.length;
      const m = a + aad.length;
      mem.set(iv, W);
      mem.set(aad, a);
      mem.set(plaintext, m);
      x.gcm_seal(key, e.GCM_CTX, W, iv.length, a, aad.length, m, n, m + n);
      out.set(mem.subarray(m, m + n + tagLength));
      return out;
    }
    const ctx = e.GCM_CTX;
    startMessage(e, key, ctx, iv, aad);
    feedWindow(e, plaintext, (p, len) => x.gcm_encrypt(key, ctx, p, len), out);
    x.gcm_tag(key, ctx, e.GCM_STAGE);
    out.set(e.mem().subarray(e.GCM_STAGE, e.GCM_STAGE + tagLength), n);
    e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 16);
    return out;
  }

  /**
   * Verifies and decrypts ciphertext ‖ tag. Throws AuthenticationError, and
   * releases nothing, when the tag does not verify.
   */
  open(iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array, tagLength = 16): Uint8Array {
    const where = OPEN;
    const key = this.slot;
    checkIv(iv, where);
    bytes(sealed, where, "sealed");
    aad = optionalBytes(aad, where, "aad");
    tagLength = tagLengthOf(tagLength, where);
    if (sealed.length < tagLength) {
      throw new RangeError(`${where}: sealed must be at least ${tagLength} bytes (the tag), got ${sealed.length}`);
    }
    const n = sealed.length - tagLength;
    checkLength(n, where);
    const e = engine();
    const x = e.x;
    const W = e.WINDOW;
    if (iv.length + aad.length + sealed.length <= e.WINDOW_SIZE) {
      const mem = e.mem();
      const a = W + iv.length;
      const m = a + aad.length;
      mem.set(iv, W);
      mem.set(aad, a);
      mem.set(sealed, m);
      const ok = x.gcm_open(key, e.GCM_CTX, W, iv.length, a, aad.length, m, n, m + n, tagLength);
      const out = ok ? mem.slice(m, m + n) : undefined;
      mem.fill(0, W, m + sealed.length);
      if (!out) throw new AuthenticationError();
      return out;
    }
    const ctx = e.GCM_CTX;
    startMessage(e, key, ctx, iv, aad);
    const out = new Uint8Array(n);
    feedWindow(e, sealed.subarray(0, n), (p, len) => x.gcm_decrypt(key, ctx, p, len), out);
    e.mem().set(sealed.subarray(n), e.GCM_STAGE);
    const ok = x.gcm_verify(key, ctx, e.GCM_STAGE, tagLength);
    e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 16);
    if (!ok) {
      out.fill(0);
      throw new AuthenticationError();
    }
    return out;
  }

  /**
   * Streaming encryption: `update(chunk)` returns the ciphertext of each chunk
   * (same length), `final()` returns the 16-byte tag (truncate it yourself for
   * shorter tags). Chunks may have any length.
   */
  encryptor(iv: Uint8Array, aad?: Uint8Array): GcmEncryptor {
    return new GcmEncryptor(this, checkIv(iv, `${NAME}.encryptor`), optionalBytes(aad, `${NAME}.encryptor`, "aad"));
  }

  /**
   * Streaming decryption. **The output of `update` is unauthenticated** until
   * `final(tag)` returns without throwing: do not act on it, store it where
   * others can see it, or release it before then. Use `open` when the message
   * fits in memory.
   */
  decryptor(iv: Uint8Array, aad?: Uint8Array): GcmDecryptor {
    return new GcmDecryptor(this, checkIv(iv, `${NAME}.decryptor`), optionalBytes(aad, `${NAME}.decryptor`, "aad"));
  }

  /** Wipes the key state in WebAssembly memory; any later use throws. Idempotent. */
  destroy(): void {
    if (this.#slot < 0) return;
    slotReaper.unregister(this);
    freeSlot(this.#slot);
    this.#slot = -1;
  }
}

/** Shared state of a streaming GCM message: a context slot tied to its key. */
abstract class GcmStream {
  readonly #key: Aes256Gcm;
  #ctx: number;
  #total = 0;
  protected readonly where: string;

  constructor(key: Aes256Gcm, iv: Uint8Array, aad: Uint8Array, where: string) {
    this.where = where;
    this.#key = key;
    const slot = key.slot;
    this.#ctx = allocSlot();
    slotReaper.register(this, this.#ctx, this);
    startMessage(engine(), slot, this.#ctx, iv, aad);
  }

  /** [key slot, context slot]; throws once finished or when the key was destroyed. */
  protected handles(): [number, number] {
    if (this.#ctx < 0) throw new Error(`${this.where}: already finished`);
    if (this.#key.destroyed) throw new Error(`${this.where}: its Aes256Gcm was destroyed`);
    return [this.#key.slot, this.#ctx];
  }

  protected process(chunk: Uint8Array, fn: "gcm_encrypt" | "gcm_decrypt"): Uint8Array {
    const [key, ctx] = this.handles();
    bytes(chunk, this.where, "chunk");
    checkLength(this.#total + chunk.length, this.where);
    this.#total += chunk.length;
    const e = engine();
    const out = new Uint8Array(chunk.length);
    const f = e.x[fn];
    feedWindow(e, chunk, (p, len) => f(key, ctx, p, len), out);
    return out;
  }

  protected release(): void {
    slotReaper.unregister(this);
    freeSlot(this.#ctx);
    this.#ctx = -1;
  }
}

export class GcmEncryptor extends GcmStream {
  constructor(key: Aes256Gcm, iv: Uint8Array, aad: Uint8Array) {
    super(key, iv, aad, `${NAME} encryptor`);
  }

  /** Encrypts a chunk; returns ciphertext of the same length. */
  update(chunk: Uint8Array): Uint8Array {
    return this.process(chunk, "gcm_encrypt");
  }

  /** Ends the message and returns the 16-byte tag. */
  final(): Uint8Array {
    const [key, ctx] = this.handles();
    const e = engine();
    e.x.gcm_tag(key, ctx, e.GCM_STAGE);
    const tag = e.mem().slice(e.GCM_STAGE, e.GCM_STAGE + 16);
    e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 16);
    this.release();
    return tag;
  }
}

export class GcmDecryptor extends GcmStream {
  constructor(key: Aes256Gcm, iv: Uint8Array, aad: Uint8Array) {
    super(key, iv, aad, `${NAME} decryptor`);
  }

  /** Decrypts a chunk. The result is UNAUTHENTICATED until final(tag) succeeds. */
  update(chunk: Uint8Array): Uint8Array {
    return this.process(chunk, "gcm_decrypt");
  }

  /** Checks the tag (16, 15, 14, 13, 12, 8 or 4 bytes); throws AuthenticationError if it does not verify. */
  final(tag: Uint8Array): void {
    const [key, ctx] = this.handles();
    bytes(tag, this.where, "tag");
    tagLengthOf(tag.length, this.where);
    const e = engine();
    e.mem().set(tag, e.GCM_STAGE);
    const ok = e.x.gcm_verify(key, ctx, e.GCM_STAGE, tag.length);
    e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 16);
    this.release();
    if (!ok) throw new AuthenticationError();
  }
}
