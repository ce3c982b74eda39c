/**
 * Opening a parsed header (client-apis/decrypt.md, "Get the decryption
 * materials" and "Verify the header"): commitment policy and options →
 * decryption materials from the CMM → derive the content key and the
 * commitment key → compare the commitment key in constant time → verify the
 * header tag. Only then is anything from the header trusted.
 *
 * `openHeaderKey` returns the AES-GCM key that verified the header tag, so
 * the body is opened with the same key schedule (one engine key per
 * message), and runs synchronously when the materials come from a cache and
 * the key is 256-bit: no await on the hot path of small messages.
 * `openHeader` is the older contract (the derived key bytes), used by bulk
 * decryption to give each worker the key.
 */
import { AuthenticationError } from "../engine/index.js";
import { type AesGcmKey, aesGcmKeyNow } from "./aes-gcm-key.js";
import { checkDecryptSuite } from "./algorithm-suites.js";
import { decryptionMaterialsNow } from "./caching-materials-manager.js";
import {
  HeaderAuthenticationError,
  KeyCommitmentError,
  KeyringError,
  MalformedMessageError,
  NoDecryptableDataKeyError,
  SignatureVerificationError,
  UnsupportedAlgorithmSuiteError,
} from "./errors.js";
import type { ParsedHeader } from "./header.js";
import { messageIvs } from "./frame.js";
import { deriveMessageKeys } from "./key-derivation.js";
import { type DecryptionMaterials, hex4 } from "./materials.js";
import { isPromise, type MaybePromise } from "./maybe-promise.js";
import type { DecryptSettings } from "./options.js";
import { constantTimeEqual } from "./wire.js";

export interface OpenedHeader {
  /** The message's derived AES-GCM key for the body. Secret: wipe it (`fill(0)`) when done. */
  readonly contentKey: Uint8Array;
  /** Signing suites: the SEC1-compressed verification key. */
  readonly verificationKey?: Uint8Array;
}

export interface OpenedHeaderKey {
  /** The message's AES-GCM key, which verified the header tag; the caller owns it (destroy it when done). */
  readonly cipher: AesGcmKey;
  /** Signing suites: the SEC1-compressed verification key. */
  readonly verificationKey?: Uint8Array;
}

/** Checks and authenticates `parsed` (from `parseHeader`); throws a typed SdkError on any failure. */
export async function openHeader(settings: DecryptSettings, parsed: ParsedHeader): Promise<OpenedHeader> {
  const materials = await headerMaterials(settings, parsed);
  const key = messageKey(parsed, materials);
  try {
    const { cipher } = await verifyHeader(parsed, materials, key, 0);
    cipher.destroy();
  } catch (e) {
    key.fill(0);
    throw e;
  }
  return { contentKey: key, ...(parsed.header.suite.signature ? { verificationKey: materials.verificationKey } : {}) };
}

/**
 * Checks and authenticates `parsed`, returning the verified content key as an
 * AES-GCM key; synchronous when the materials and the key are at hand.
 * `bodyBytes`: the bytes after the header, when known (a whole message), so
 * the key prepares only the IVs of frames the body can hold.
 */
export function openHeaderKey(settings: DecryptSettings, parsed: ParsedHeader, bodyBytes?: number): MaybePromise<OpenedHeaderKey> {
  const materials = headerMaterials(settings, parsed);
  if (isPromise(materials)) return materials.then((m) => keyFromMaterials(parsed, m, bodyBytes));
  return keyFromMaterials(parsed, materials, bodyBytes);
}

function keyFromMaterials(parsed: ParsedHeader, materials: DecryptionMaterials, bodyBytes?: number): MaybePromise<OpenedHeaderKey> {
  const key = messageKey(parsed, materials);
  try {
    return verifyHeader(parsed, materials, key, bodyBytes);
  } finally {
    key.fill(0); // every AES-GCM key has copied it by now
  }
}

/** The policy and option checks, then the materials for the header's data keys. */
function headerMaterials(settings: DecryptSettings, parsed: ParsedHeader): MaybePromise<DecryptionMaterials> {
  const header = parsed.header;
  const suite = header.suite;
  checkDecryptSuite(suite, settings.commitmentPolicy);
  if (settings.rejectSignedSuites && suite.signature) {
    throw new UnsupportedAlgorithmSuiteError(`the message is signed (suite 0x${hex4(suite.id)}) and rejectSignedSuites is set`);
  }
  if (header.frameLength > settings.maxFrameLength) {
    throw new MalformedMessageError(`malformed message: frame length ${header.frameLength} exceeds maxFrameLength ${settings.maxFrameLength}`);
  }
  return decryptionMaterialsNow(settings.cmm, {
    suite,
    commitmentPolicy: settings.commitmentPolicy,
    encryptionContext: header.encryptionContext,
    encryptedDataKeys: header.encryptedDataKeys,
  });
}

/** Checks the materials, derives the content key and checks the commitment key (in constant time). */
function messageKey(parsed: ParsedHeader, materials: DecryptionMaterials): Uint8Array {
  const { header } = parsed;
  const suite = header.suite;
  const dataKey = materials?.plaintextDataKey;
  if (!dataKey) throw new NoDecryptableDataKeyError("the materials manager returned no data key");
  if (materials.suite?.id !== suite.id || dataKey.length !== suite.keyLength) {
    throw new KeyringError("the materials manager returned materials for another suite or a data key of the wrong length");
  }
  if (suite.signature && !materials.verificationKey) {
    throw new SignatureVerificationError("the materials carry no verification key for a signed message");
  }
  const { key, commitKey } = deriveMessageKeys(suite, dataKey, header.messageId);
  if (!suite.commitment) return key;
  const committed = constantTimeEqual(commitKey!, header.suiteData!);
  commitKey!.fill(0);
  if (!committed) {
    key.fill(0);
    throw new KeyCommitmentError("key commitment failed: the data key does not match the commitment key in the header");
  }
  return key;
}

/**
 * Verifies the header tag with `key` (copied); returns the AES-GCM key, destroyed on failure.
 * The key prepares the header IV and the first frame IVs (see frame.ts `messageIvs`).
 */
function verifyHeader(parsed: ParsedHeader, materials: DecryptionMaterials, key: Uint8Array, bodyBytes?: number): MaybePromise<OpenedHeaderKey> {
  const { headerIv, frameLength } = parsed.header;
  const cipher = aesGcmKeyNow(key, messageIvs(headerIv, frameLength, bodyBytes));
  if (isPromise(cipher)) return cipher.then((c) => checkTag(parsed, materials, c));
  return checkTag(parsed, materials, cipher);
}

function checkTag(parsed: ParsedHeader, materials: DecryptionMaterials, cipher: AesGcmKey): MaybePromise<OpenedHeaderKey> {
  const { header, body } = parsed;
  const opened: OpenedHeaderKey = header.suite.signature ? { cipher, verificationKey: materials.verificationKey } : { cipher };
  let verified: MaybePromise<Uint8Array>;
  try {
    verified = cipher.open(header.headerIv, header.headerAuthTag, body);
  } catch (e) {
    throw headerTagFailed(cipher, e);
  }
  if (!isPromise(verified)) return opened;
  return verified.then(
    () => opened,
    (e) => {
      throw headerTagFailed(cipher, e);
    },
  );
}

function headerTagFailed(cipher: AesGcmKey, e: unknown): unknown {
  cipher.destroy();
  return e instanceof AuthenticationError ? new HeaderAuthenticationError("the message header does not authenticate") : e;
}
