/**
 * The message header (data-format/message-header.md), versions 1.0 and 2.0:
 *
 *   v1 body: 01 ‖ 80 ‖ suite:u16 ‖ messageId[16] ‖ AAD ‖ EDKs ‖ contentType ‖
 *            00000000 ‖ ivLength:u8 ‖ frameLength:u32
 *   v1 auth: iv[12] ‖ tag[16]
 *   v2 body: 02 ‖ suite:u16 ‖ messageId[32] ‖ AAD ‖ EDKs ‖ contentType ‖
 *            frameLength:u32 ‖ suiteData[32] (the commitment key)
 *   v2 auth: tag[16]
 *
 *   EDKs = count:u16 ‖ { providerId:u16-prefixed ‖ providerInfo:u16-prefixed ‖ ciphertext:u16-prefixed }…
 *
 * The parser is strict (known version, type, suite and content type; the
 * suite's format version; reserved bytes zero; IV length 12; at least one EDK;
 * frame length > 0 for framed and 0 for non-framed bodies), and incremental:
 * given a prefix of a message it reports how many bytes it needs.
 */
import { algorithmSuite } from "./algorithm-suites.js";
import { InvalidParameterError, MalformedMessageError, TooManyEncryptedDataKeysError } from "./errors.js";
import { parseEncryptionContext, serializeHeaderAad } from "./encryption-context.js";
import { type AlgorithmSuite, type EncryptedDataKey, type EncryptionContext, hex4 } from "./materials.js";
import { ByteReader, ByteWriter, Incomplete } from "./wire.js";

/** What the header says, as returned by `encrypt`/`decrypt` (and `decryptStream`'s `header` promise). */
export interface MessageHeader {
  /** Message format version: 2 for the committing suites, 1 for older messages. */
  readonly version: 1 | 2;
  readonly suiteId: AlgorithmSuite["id"];
  readonly suite: AlgorithmSuite;
  /** 32 bytes (v2) or 16 bytes (v1) of randomness. */
  readonly messageId: Uint8Array;
  readonly encryptionContext: EncryptionContext;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** 2 = framed body, 1 = non-framed (legacy, decrypt only). */
  readonly contentType: 1 | 2;
  /** Plaintext bytes per regular frame (0 for non-framed bodies). */
  readonly frameLength: number;
  /** v2: the commitment key. */
  readonly suiteData?: Uint8Array;
  /** v1: the header IV; v2: 12 zero bytes. */
  readonly headerIv: Uint8Array;
  readonly headerAuthTag: Uint8Array;
}

export interface ParsedHeader {
  readonly header: MessageHeader;
  /** The header body: the AAD of the header authentication tag. */
  readonly body: Uint8Array;
  /** Bytes of body and authentication together. */
  readonly length: number;
}

export const CONTENT_FRAMED = 2;
export const CONTENT_NON_FRAMED = 1;
const TYPE_CUSTOMER_AE_DATA = 0x80;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function malformed(why: string): MalformedMessageError {
  return new MalformedMessageError(`malformed message header: ${why}`);
}

/**
 * Parses a header from the start of `bytes`. Returns `{ needed }` (the total
 * byte count it must see to get further) when `bytes` ends too soon. The
 * returned views point into `bytes`; copy them if `bytes` will be reused.
 */
export function parseHeader(bytes: Uint8Array, maxEncryptedDataKeys: number): ParsedHeader | { needed: number } {
  const r = new ByteReader(bytes);
  try {
    return readHeader(r, maxEncryptedDataKeys);
  } catch (e) {
    if (e instanceof Incomplete) return { needed: e.needed };
    throw e;
  }
}

function readHeader(r: ByteReader, maxEdks: number): ParsedHeader {
  const version = r.u8();
  if (version !== 1 && version !== 2) {
    // 0x41 = "A": base64 of a v1 message starts "AY…", of a v2 message "Ag…".
    throw malformed(`unknown version 0x${version.toString(16)}${version === 0x41 ? " (is the message base64-encoded?)" : ""}`);
  }
  if (version === 1 && r.u8() !== TYPE_CUSTOMER_AE_DATA) throw malformed("unknown message type");
  const suite = algorithmSuite(r.u16());
  if (suite.messageFormat !== version) throw malformed(`suite 0x${hex4(suite.id)} does not belong to format version ${version}`);
  const messageId = r.take(version === 2 ? 32 : 16);
  const encryptionContext = parseEncryptionContext(r.lengthPrefixed());
  const encryptedDataKeys = readEncryptedDataKeys(r, maxEdks);
  const contentType = r.u8();
  if (contentType !== CONTENT_FRAMED && (contentType !== CONTENT_NON_FRAMED || version === 2)) {
    throw malformed(`unsupported content type ${contentType}`);
  }
  if (version === 1) {
    if (r.u32() !== 0) throw malformed("reserved bytes are not zero");
    if (r.u8() !== suite.ivLength) throw malformed("IV length does not match the algorithm suite");
  }
  const frameLength = r.u32();
  if (contentType === CONTENT_FRAMED && frameLength === 0) throw malformed("frame length 0 in a framed message");
  if (contentType === CONTENT_NON_FRAMED && frameLength !== 0) throw malformed("non-zero frame length in a non-framed message");
  const suiteData = version === 2 ? r.take(suite.suiteDataLength) : undefined;
  const bodyLength = r.pos;
  const headerIv = version === 1 ? r.take(suite.ivLength) : new Uint8Array(suite.ivLength);
  const headerAuthTag = r.take(suite.tagLength);
  const header: MessageHeader = Object.freeze(
    suiteData
      ? { version, suiteId: suite.id, suite, messageId, encryptionContext, encryptedDataKeys, contentType: contentType as 1 | 2, frameLength, suiteData, headerIv, headerAuthTag }
      : { version, suiteId: suite.id, suite, messageId, encryptionContext, encryptedDataKeys, contentType: contentType as 1 | 2, frameLength, headerIv, headerAuthTag },
  );
  return { header, body: r.bytes.subarray(0, bodyLength), length: r.pos };
}

function readEncryptedDataKeys(r: ByteReader, maxEdks: number): readonly EncryptedDataKey[] {
  const count = r.u16();
  if (count === 0) throw malformed("no encrypted data keys");
  if (count > maxEdks) {
    throw new TooManyEncryptedDataKeysError(`the message has ${count} encrypted data keys; maxEncryptedDataKeys is ${maxEdks}`);
  }
  const edks: EncryptedDataKey[] = [];
  for (let i = 0; i < count; i++) {
    const id = r.lengthPrefixed();
    let providerId: string;
    try {
      providerId = utf8Strict.decode(id);
    } catch {
      throw malformed("a key provider ID is not valid UTF-8");
    }
    const providerInfo = r.lengthPrefixed();
    const ciphertext = r.lengthPrefixed();
    edks.push(Object.freeze({ providerId, providerInfo, ciphertext }));
  }
  return Object.freeze(edks);
}

/** The fields of a v2 header body that do not change from message to message under one set of materials. */
export interface HeaderTemplateFields {
  readonly suite: AlgorithmSuite;
  readonly encryptionContext: EncryptionContext;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly frameLength: number;
}

/** A serialized v2 header body with zero bytes where a message's ID and commitment key go. */
export interface HeaderTemplate {
  readonly suiteId: AlgorithmSuite["id"];
  readonly frameLength: number;
  /** The body; copy it, never write into it. */
  readonly bytes: Uint8Array;
  /** Offset of the 32-byte message ID. */
  readonly messageIdAt: number;
  /** Offset of the suite data (the commitment key, `suite.suiteDataLength` bytes): the end of the body. */
  readonly commitKeyAt: number;
}

/**
 * Serializes a v2 header body (encryption only ever writes v2) without its
 * message ID and commitment key, which the encryptor writes per message at
 * `messageIdAt` and `commitKeyAt`.
 */
export function headerBodyTemplateV2(f: HeaderTemplateFields): HeaderTemplate {
  const aad = serializeHeaderAad(f.encryptionContext);
  if (f.encryptedDataKeys.length === 0) throw new InvalidParameterError("the encryption materials have no encrypted data keys");
  if (f.encryptedDataKeys.length > 0xffff) throw new InvalidParameterError("more than 65,535 encrypted data keys");
  const edks = f.encryptedDataKeys.map((e) => {
    const id = utf8.encode(e.providerId);
    for (const [what, b] of [["providerId", id], ["providerInfo", e.providerInfo], ["ciphertext", e.ciphertext]] as const) {
      if (b.length > 0xffff) throw new InvalidParameterError(`an encrypted data key's ${what} exceeds 65,535 bytes`);
    }
    return [id, e.providerInfo, e.ciphertext] as const;
  });
  const suiteDataLength = f.suite.suiteDataLength;
  let size = 1 + 2 + 32 + aad.length + 2 + 1 + 4 + suiteDataLength;
  for (const [a, b, c] of edks) size += 6 + a.length + b.length + c.length;
  const w = new ByteWriter(new Uint8Array(size));
  w.u8(2).u16(f.suite.id).put(new Uint8Array(32)).put(aad).u16(edks.length);
  for (const [a, b, c] of edks) w.lengthPrefixed(a).lengthPrefixed(b).lengthPrefixed(c);
  w.u8(CONTENT_FRAMED).u32(f.frameLength);
  const commitKeyAt = w.pos;
  w.put(new Uint8Array(suiteDataLength));
  return Object.freeze({ suiteId: f.suite.id, frameLength: f.frameLength, bytes: w.bytes, messageIdAt: 3, commitKeyAt });
}
