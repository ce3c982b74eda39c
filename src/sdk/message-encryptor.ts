/**
 * The encryption side of one message (client-apis/encrypt.md), shared by
 * one-shot `encrypt` and `encryptStream`:
 *
 *   prepareMessage(): materials from the CMM → message ID → derived key and
 *              commitment key → header body → header tag (GCM over the body,
 *              IV 0, empty plaintext)
 *   frames:    `writeFrame` seals each frame straight into the caller's buffer
 *   finish():  for signing suites, the footer: ECDSA over the SHA-384 of
 *              header ‖ body, hashed frame by frame as they are written
 *              (streams), or in one pass over the finished bytes (one-shot,
 *              several times faster than many small updates)
 *
 * Framing: every full `frameLength` of plaintext becomes a regular frame;
 * the end of the input becomes the final frame (empty when the plaintext is a
 * multiple of the frame length, as the ESDK's streaming encryptor also does).
 * One engine key lives for the message and is wiped by `finish`/`destroy`.
 *
 * Bulk encryption over workers uses the parts directly: `prepareMessage`,
 * a FrameSealer per worker over `contentKey`, then `messageFooter`.
 */
import type { Hash } from "../engine/index.js";
import { ciphertextOutput } from "../engine/output-pool.js";
import { RandomPool } from "../kms/random-pool.js";
import { EngineKey } from "./aes-gcm-key.js";
import { algorithmSuite, checkEncryptSuite } from "./algorithm-suites.js";
import { PUBLIC_KEY_CONTEXT_KEY } from "./encryption-context.js";
import { InvalidParameterError, KeyringError, TooManyEncryptedDataKeysError } from "./errors.js";
import { HEADER_IV, messageIvs } from "./frame.js";
import { FrameSealer, frameSize } from "./frame-sealer.js";
import { type HeaderTemplate, headerBodyTemplateV2, type MessageHeader } from "./header.js";
import { deriveMessageKeys } from "./key-derivation.js";
import { encryptionMaterialsNow } from "./caching-materials-manager.js";
import type { MaybePromise } from "./maybe-promise.js";
import type { AlgorithmSuite, EncryptionMaterials, EncryptionMaterialsRequest } from "./materials.js";
import type { EncryptSettings } from "./options.js";
import { maxSignatureLength, signatureHash, signDigest } from "./signature.js";

/** A message whose header is built: everything needed to seal its frames and sign it. */
export interface PreparedMessage {
  readonly header: MessageHeader;
  /** Header body ‖ authentication tag: the first bytes of the message. */
  readonly headerBytes: Uint8Array;
  readonly suite: AlgorithmSuite;
  readonly frameLength: number;
  /** The derived 32-byte AES-GCM key for the body. Secret: wipe it (`fill(0)`) once every FrameSealer has it. */
  readonly contentKey: Uint8Array;
  /** Signing suites: the ECDSA private scalar for `messageFooter`. */
  readonly signingKey?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Message IDs come from a pooled CSPRNG buffer (refilled 4 KiB at a time): one getRandomValues call per message costs ~15% of a small encrypt. */
const messageIds = new RandomPool();

/**
 * Asks the settings' CMM for encryption materials: synchronously when a
 * CachingMaterialsManager (not overridden) has them cached, else a promise.
 */
export function encryptionMaterialsFor(settings: EncryptSettings): MaybePromise<EncryptionMaterials> {
  const request: { -readonly [K in keyof EncryptionMaterialsRequest]: EncryptionMaterialsRequest[K] } = {
    encryptionContext: settings.encryptionContext,
    commitmentPolicy: settings.commitmentPolicy,
    suiteId: settings.suiteId,
  };
  if (settings.plaintextLength !== undefined) request.plaintextLength = settings.plaintextLength;
  return encryptionMaterialsNow(settings.cmm, request);
}

/** Gets materials from the settings' CMM, checks them, derives the keys and builds the authenticated header. */
export async function prepareMessage(settings: EncryptSettings): Promise<PreparedMessage> {
  const { prepared, cipher } = prepareFromMaterials(settings, await encryptionMaterialsFor(settings));
  cipher.destroy();
  return prepared;
}

/**
 * Header bodies with zeroes where the message ID and commitment key go, per
 * materials object: a caching CMM hands out the same (frozen) materials for
 * many messages, whose headers differ only in those two fields.
 */
const headerTemplates = new WeakMap<EncryptionMaterials, HeaderTemplate>();

function headerTemplateFor(suite: AlgorithmSuite, materials: EncryptionMaterials, frameLength: number): HeaderTemplate {
  // Only immutable materials may be cached (ours are frozen; a custom CMM's may not be).
  const cacheable = Object.isFrozen(materials) && Object.isFrozen(materials.encryptionContext) && Object.isFrozen(materials.encryptedDataKeys);
  const cached = cacheable ? headerTemplates.get(materials) : undefined;
  if (cached && cached.suiteId === suite.id && cached.frameLength === frameLength) return cached;
  const template = headerBodyTemplateV2({
    suite,
    encryptionContext: materials.encryptionContext,
    encryptedDataKeys: materials.encryptedDataKeys,
    frameLength,
  });
  if (cacheable) headerTemplates.set(materials, template);
  return template;
}

/**
 * Checks the materials, derives the keys and builds the authenticated header.
 * Returns the message's engine key too (one key schedule for the header tag
 * and the frames, with their IVs prepared); the caller owns it and must
 * destroy it. With `roomAfter` (body bytes), the header's array has room
 * after it for the body and the longest footer of the suite.
 */
function prepareFromMaterials(
  settings: EncryptSettings,
  materials: EncryptionMaterials,
  roomAfter?: number,
): { prepared: PreparedMessage; cipher: EngineKey } {
  const suite = algorithmSuite(materials?.suite?.id);
  checkEncryptSuite(suite, settings.commitmentPolicy);
  if (!materials.plaintextDataKey || materials.plaintextDataKey.length !== suite.keyLength) {
    throw new KeyringError("the materials manager returned no data key of the suite's length");
  }
  const edks = materials.encryptedDataKeys;
  if (edks.length === 0) throw new KeyringError("the materials manager returned no encrypted data keys");
  if (edks.length > settings.maxEncryptedDataKeys) {
    throw new TooManyEncryptedDataKeysError(`the materials carry ${edks.length} encrypted data keys; maxEncryptedDataKeys is ${settings.maxEncryptedDataKeys}`);
  }
  if (suite.signature && (!materials.signingKey || materials.encryptionContext[PUBLIC_KEY_CONTEXT_KEY] === undefined)) {
    throw new KeyringError(`a signing suite needs a signing key in the materials and "${PUBLIC_KEY_CONTEXT_KEY}" in the encryption context`);
  }
  const frameLength = settings.frameLength;
  const template = headerTemplateFor(suite, materials, frameLength);
  const messageId = messageIds.take(32);
  const { key, commitKey } = deriveMessageKeys(suite, materials.plaintextDataKey, messageId);
  // Header body ‖ tag in one array: the template's body with this message's ID and commitment key.
  const bodyLength = template.bytes.length;
  const headerLength = bodyLength + suite.tagLength;
  // A whole small message comes from the shared slab of public outputs (see encrypt.ts): allocating
  // a fresh ArrayBuffer per message costs (with its share of garbage collection) more than 10% of a 1 KiB encrypt.
  const headerBytes =
    roomAfter === undefined ? new Uint8Array(headerLength) : ciphertextOutput(headerLength + roomAfter + maxFooterLength(suite)).subarray(0, headerLength);
  headerBytes.set(template.bytes);
  headerBytes.set(messageId, template.messageIdAt);
  headerBytes.set(commitKey!, template.commitKeyAt);
  const body = headerBytes.subarray(0, bodyLength);
  let cipher: EngineKey | undefined;
  try {
    cipher = new EngineKey(key, messageIvs(HEADER_IV, frameLength, roomAfter));
    cipher.sealInto(HEADER_IV, EMPTY, body, headerBytes, bodyLength);
  } catch (e) {
    cipher?.destroy();
    key.fill(0);
    throw e;
  }
  const header: MessageHeader = Object.freeze({
    version: 2,
    suiteId: suite.id,
    suite,
    messageId,
    encryptionContext: materials.encryptionContext,
    encryptedDataKeys: edks,
    contentType: 2,
    frameLength,
    suiteData: headerBytes.subarray(template.commitKeyAt, bodyLength),
    headerIv: new Uint8Array(suite.ivLength),
    headerAuthTag: headerBytes.subarray(bodyLength),
  });
  const prepared: PreparedMessage = suite.signature
    ? { header, headerBytes, suite, frameLength, contentKey: key, signingKey: materials.signingKey }
    : { header, headerBytes, suite, frameLength, contentKey: key };
  return { prepared, cipher };
}

/** Bytes the footer can take at most (0 for unsigned suites). */
function maxFooterLength(suite: AlgorithmSuite): number {
  return suite.signature ? 2 + maxSignatureLength(suite.signature) : 0;
}

/** The footer of a signed message: u16 length ‖ DER ECDSA signature over `digest` (the hash of header ‖ body). */
export function messageFooter(suite: AlgorithmSuite, signingKey: Uint8Array, digest: Uint8Array): Uint8Array {
  const signature = signDigest(suite.signature!, signingKey, digest);
  const footer = new Uint8Array(2 + signature.length);
  new DataView(footer.buffer).setUint16(0, signature.length);
  footer.set(signature, 2);
  return footer;
}

export class MessageEncryptor {
  readonly header: MessageHeader;
  readonly headerBytes: Uint8Array;
  readonly frameLength: number;
  readonly suite: AlgorithmSuite;
  readonly #sealer: FrameSealer;
  readonly #hash: Hash | undefined;
  readonly #signingKey: Uint8Array | undefined;
  #seq = 1;

  private constructor(prepared: PreparedMessage, cipher: EngineKey, oneShot: boolean) {
    prepared.contentKey.fill(0); // the engine key has it
    this.header = prepared.header;
    this.headerBytes = prepared.headerBytes;
    this.suite = prepared.suite;
    this.frameLength = prepared.frameLength;
    this.#sealer = new FrameSealer(cipher, prepared.header.messageId, prepared.frameLength);
    if (prepared.suite.signature) {
      this.#signingKey = prepared.signingKey;
      if (!oneShot) this.#hash = signatureHash(prepared.suite.signature).update(prepared.headerBytes);
    }
  }

  /** Gets materials and builds the header. `oneShot`: the caller will pass the whole message to `finish`. */
  static async start(settings: EncryptSettings, { oneShot = false } = {}): Promise<MessageEncryptor> {
    return MessageEncryptor.fromMaterials(settings, await encryptionMaterialsFor(settings), { oneShot });
  }

  /**
   * Builds the header from materials already obtained (from `encryptionMaterialsFor(settings)`).
   * `roomAfter`: body bytes to allocate after the header in the same array
   * (`headerBytes.buffer`; room for the longest footer is added), for a
   * one-shot encrypt to write the rest of the message into.
   */
  static fromMaterials(
    settings: EncryptSettings,
    materials: EncryptionMaterials,
    { oneShot = false, roomAfter }: { oneShot?: boolean; roomAfter?: number } = {},
  ): MessageEncryptor {
    const { prepared, cipher } = prepareFromMaterials(settings, materials, roomAfter);
    return new MessageEncryptor(prepared, cipher, oneShot);
  }

  /** Serialized size of a frame carrying `n` plaintext bytes. */
  frameSize(n: number, final: boolean): number {
    return frameSize(n, final);
  }

  /** Bytes the footer can take at most (0 for unsigned suites). */
  get maxFooterLength(): number {
    return maxFooterLength(this.suite);
  }

  /** Seals the next frame into `out` at `offset`; returns the bytes written. */
  writeFrame(plaintext: Uint8Array, final: boolean, out: Uint8Array, offset: number): number {
    const n = this.#sealer.writeFrame(this.#seq, plaintext, final, out, offset);
    this.#hash?.update(out.subarray(offset, offset + n));
    this.#seq++;
    return n;
  }

  /** Seals the next frame into a new array. */
  frame(plaintext: Uint8Array, final: boolean): Uint8Array {
    const out = new Uint8Array(frameSize(plaintext.length, final));
    this.writeFrame(plaintext, final, out, 0);
    return out;
  }

  /**
   * Ends the message: returns the footer (empty for unsigned suites) and
   * wipes the key. One-shot encryptors pass the header and body written so far.
   */
  finish(headerAndBody?: Uint8Array): Uint8Array {
    if (this.#sealer.destroyed) throw new InvalidParameterError("the message is already finished");
    this.destroy();
    if (!this.suite.signature) return EMPTY;
    const hash = this.#hash ?? (headerAndBody && signatureHash(this.suite.signature).update(headerAndBody));
    if (!hash) throw new InvalidParameterError("a one-shot encryptor needs the message to sign");
    return messageFooter(this.suite, this.#signingKey!, hash.digest());
  }

  /** Wipes the content key (idempotent); use when abandoning a message. */
  destroy(): void {
    this.#sealer.destroy();
  }
}
