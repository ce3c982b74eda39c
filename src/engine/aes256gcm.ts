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
 * error is thrown. `sealInto` / `openInto` write into the caller's array at an
 * offset instead of returning a new one (e.g. every frame of a message into
 * one buffer).
 *
 * Prepared IVs and reuse (for many short-lived keys, e.g. one per message):
 *
 *   const gcm = new Aes256Gcm(key, { ivs: [iv1, iv2] }); // E(K, J0) of each made with H
 *   gcm.clear();                                         // wipes the key, keeps the object
 *   gcm.rekey(nextKey, { ivs: [iv1] });                  // a new key in the same slot
 *
 * Key setup encrypts one 8-block AES batch for the hash subkey H; `ivs` (up to
 * seven 96-bit IVs the key will be used with next) fill its spare blocks with
 * E(K, J0), so the first message under each skips that block: an empty one
 * (a tag over AAD only) needs no AES batch, one of a multiple of 128 bytes one
 * batch fewer. Each prepared IV serves one message, as GCM requires anyway.
 * `rekey` and `clear` keep the object's slot and its finalizer registration,
 * which costs less than `destroy()` and a new object; both wipe the old key first.
 *
 * The message paths through the engine's window are in _gcm-message.ts, the
 * argument checks in _gcm-checks.ts.
 */
import { type Aes256GcmOptions, checkIvAndAad, checkKey, checkLength, checkOptions, checkRoom, tagLengthOf } from "./_gcm-checks.js";
import { AuthenticationError, ciphertextLength, openTo, sealTo, startMessage } from "./_gcm-message.js";
import { ciphertextOutput } from "./output-pool.js";
import { allocSlot, freeSlot, slotReaper } from "./slots.js";
import { bytes } from "./validate.js";
import { engine, feedWindow } from "./wasm.js";

export { type Aes256GcmOptions, GCM_MAX_PLAINTEXT } from "./_gcm-checks.js";
export { AuthenticationError } from "./_gcm-message.js";

const NAME = "Aes256Gcm";
const SEAL = `${NAME}.seal`;
const SEAL_INTO = `${NAME}.sealInto`;
const OPEN = `${NAME}.open`;
const OPEN_INTO = `${NAME}.openInto`;

/** Key setup into `slot` (which gcm_setup_ivs wipes first), preparing `ivs`. */
function setupKey(slot: number, key: Uint8Array, ivs: readonly Uint8Array[] | undefined): void {
  const e = engine();
  const mem = e.mem();
  const stage = e.GCM_STAGE;
  mem.set(key, stage);
  const n = ivs ? ivs.length : 0;
  for (let i = 0; i < n; i++) mem.set(ivs![i], stage + 32 + 12 * i);
  e.x.gcm_setup_ivs(slot, stage, stage + 32, n);
  mem.fill(0, stage, stage + 32);
}

export class Aes256Gcm {
  /** Address of this key's slot; -1 once destroyed. */
  #slot: number;
  /** False after clear() (and destroy()) until rekey(). */
  #keyed = true;
  /** Changes with every clear() and rekey(), so streams notice that their key went away. */
  #epoch = 0;

  /**
   * @param key 32 bytes of key material (copied; the caller may wipe its array).
   * @param options `ivs`: up to seven 12-byte IVs to prepare (see the module notes).
   */
  constructor(key: Uint8Array, options?: Aes256GcmOptions) {
    checkKey(key, NAME);
    const ivs = checkOptions(options, NAME);
    this.#slot = allocSlot();
    setupKey(this.#slot, key, ivs);
    slotReaper.register(this, this.#slot, this);
  }

  /** Address of the key slot; throws after destroy() or clear(). @internal */
  get slot(): number {
    if (!this.#keyed) throw new Error(this.#slot < 0 ? `${NAME}: used after destroy()` : `${NAME}: used after clear() (rekey() it first)`);
    return this.#slot;
  }

  /** Changes with every clear() and rekey(). @internal */
  get epoch(): number {
    return this.#epoch;
  }

  /** True once destroy() has run. */
  get destroyed(): boolean {
    return this.#slot < 0;
  }

  /**
   * Replaces the key (and prepared IVs) in place: the old key state is wiped
   * first. Works after clear(), not after destroy(). Streams started under the
   * old key can no longer be used.
   */
  rekey(key: Uint8Array, options?: Aes256GcmOptions): void {
    const where = `${NAME}.rekey`;
    if (this.#slot < 0) throw new Error(`${NAME}: used after destroy()`);
    checkKey(key, where);
    const ivs = checkOptions(options, where);
    this.#epoch++;
    this.#keyed = false;
    setupKey(this.#slot, key, ivs);
    this.#keyed = true;
  }

  /**
   * Wipes the key state but keeps the object and its slot for a later
   * rekey(); until then every use throws. Idempotent; a no-op after destroy().
   */
  clear(): void {
    if (!this.#keyed) return;
    this.#epoch++;
    this.#keyed = false;
    const e = engine();
    e.mem().fill(0, this.#slot, this.#slot + e.SLOT_SIZE);
  }

  /**
   * Encrypts and authenticates. Returns ciphertext ‖ tag (plaintext.length + tagLength bytes).
   * @param iv at least 1 byte; 12 bytes recommended. Never reuse one with the same key.
   * @param aad additional authenticated data (not encrypted), default empty.
   * @param tagLength 16 (default), 15, 14, 13, 12, 8 or 4.
   */
  seal(iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array, tagLength = 16): Uint8Array {
    const key = this.slot;
    bytes(plaintext, SEAL, "plaintext");
    const out = ciphertextOutput(plaintext.length + tagLengthOf(tagLength, SEAL));
    sealTo(key, iv, plaintext, aad, tagLength, out, 0, SEAL);
    return out;
  }

  /**
   * `seal` into `output` at `offset` (default 0) instead of a new array:
   * writes ciphertext ‖ tag there and returns the bytes written
   * (plaintext.length + tagLength). `output` may hold the plaintext itself
   * (in-place encryption) or the IV and AAD, but must not otherwise overlap the plaintext.
   */
  sealInto(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | undefined, output: Uint8Array, offset = 0, tagLength = 16): number {
    const where = SEAL_INTO;
    const key = this.slot;
    bytes(plaintext, where, "plaintext");
    bytes(output, where, "output");
    tagLength = tagLengthOf(tagLength, where);
    const size = plaintext.length + tagLength;
    checkRoom(output, offset, size, where);
    sealTo(key, iv, plaintext, aad, tagLength, output, offset, where);
    return size;
  }

  /**
   * Verifies and decrypts ciphertext ‖ tag. Throws AuthenticationError, and
   * releases nothing, when the tag does not verify.
   */
  open(iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array, tagLength = 16): Uint8Array {
    const key = this.slot;
    tagLength = tagLengthOf(tagLength, OPEN);
    const out = new Uint8Array(ciphertextLength(sealed, tagLength, OPEN));
    openTo(key, iv, sealed, aad, tagLength, out, 0, OPEN);
    return out;
  }

  /**
   * `open` into `output` at `offset` (default 0) instead of a new array:
   * writes the plaintext there and returns its length (sealed.length −
   * tagLength). Throws AuthenticationError when the tag does not verify,
   * leaving no plaintext in `output` (a message larger than the engine's
   * window is decrypted before its tag is checked, so those bytes of `output`
   * are then zeroed). `output` may hold the ciphertext itself (in-place
   * decryption, from the same byte) or the IV and AAD, but must not otherwise
   * overlap `sealed`.
   */
  openInto(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array | undefined, output: Uint8Array, offset = 0, tagLength = 16): number {
    const where = OPEN_INTO;
    const key = this.slot;
    bytes(output, where, "output");
    tagLength = tagLengthOf(tagLength, where);
    const n = ciphertextLength(sealed, tagLength, where);
    checkRoom(output, offset, n, where);
    openTo(key, iv, sealed, aad, tagLength, output, offset, where);
    return n;
  }

  /**
   * Streaming encryption: `update(chunk)` returns the ciphertext of each chunk
   * (same length), `final()` returns the 16-byte tag (truncate it yourself for
   * shorter tags). Chunks may have any length.
   */
  encryptor(iv: Uint8Array, aad?: Uint8Array): GcmEncryptor {
    return new GcmEncryptor(this, iv, checkIvAndAad(iv, aad, `${NAME}.encryptor`));
  }

  /**
   * Streaming decryption. **The output of `update` is unauthenticated** until
   * `final(tag)` returns without throwing: do not act on it, store it where
   * others can see it, or release it before then. Use `open` when the message
   * fits in memory.
   */
  decryptor(iv: Uint8Array, aad?: Uint8Array): GcmDecryptor {
    return new GcmDecryptor(this, iv, checkIvAndAad(iv, aad, `${NAME}.decryptor`));
  }

  /** Wipes the key state in WebAssembly memory and frees its slot; any later use throws. Idempotent. */
  destroy(): void {
    if (this.#slot < 0) return;
    slotReaper.unregister(this);
    freeSlot(this.#slot);
    this.#slot = -1;
    this.#keyed = false;
    this.#epoch++;
  }
}

/** Shared state of a streaming GCM message: a context slot tied to its key. */
abstract class GcmStream {
  readonly #key: Aes256Gcm;
  readonly #epoch: number;
  #ctx: number;
  #total = 0;
  protected readonly where: string;

  constructor(key: Aes256Gcm, iv: Uint8Array, aad: Uint8Array, where: string) {
    this.where = where;
    this.#key = key;
    const slot = key.slot;
    this.#epoch = key.epoch;
    this.#ctx = allocSlot();
    slotReaper.register(this, this.#ctx, this);
    startMessage(engine(), slot, this.#ctx, iv, aad);
  }

  /** [key slot, context slot]; throws once finished or when the key was destroyed. */
  protected handles(): [number, number] {
    if (this.#ctx < 0) throw new Error(`${this.where}: already finished`);
    if (this.#key.destroyed) throw new Error(`${this.where}: its Aes256Gcm was destroyed`);
    if (this.#key.epoch !== this.#epoch) throw new Error(`${this.where}: its Aes256Gcm was cleared or rekeyed`);
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
