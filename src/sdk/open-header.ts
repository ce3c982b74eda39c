/**
 * Opening a parsed header (client-apis/decrypt.md, "Get the decryption
 * materials" and "Verify the header"): commitment policy and options →
 * decryption materials from the CMM → derive the content key and the
 * commitment key → compare the commitment key in constant time → verify the
 * header tag. Only then is anything from the header trusted.
 */
import { AuthenticationError } from "../engine/index.js";
import { aesGcmKey } from "./aes-gcm-key.js";
import { checkDecryptSuite } from "./algorithm-suites.js";
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
import { deriveMessageKeys } from "./key-derivation.js";
import { hex4 } from "./materials.js";
import type { DecryptSettings } from "./options.js";
import { constantTimeEqual } from "./wire.js";

export interface OpenedHeader {
  /** The message's derived AES-GCM key for the body. Secret: wipe it (`fill(0)`) when done. */
  readonly contentKey: Uint8Array;
  /** Signing suites: the SEC1-compressed verification key. */
  readonly verificationKey?: Uint8Array;
}

/** Checks and authenticates `parsed` (from `parseHeader`); throws a typed SdkError on any failure. */
export async function openHeader(settings: DecryptSettings, parsed: ParsedHeader): Promise<OpenedHeader> {
  const { header, body } = parsed;
  const suite = header.suite;
  checkDecryptSuite(suite, settings.commitmentPolicy);
  if (settings.rejectSignedSuites && suite.signature) {
    throw new UnsupportedAlgorithmSuiteError(`the message is signed (suite 0x${hex4(suite.id)}) and rejectSignedSuites is set`);
  }
  if (header.frameLength > settings.maxFrameLength) {
    throw new MalformedMessageError(`malformed message: frame length ${header.frameLength} exceeds maxFrameLength ${settings.maxFrameLength}`);
  }
  const materials = await settings.cmm.decryptMaterials({
    suite,
    commitmentPolicy: settings.commitmentPolicy,
    encryptionContext: header.encryptionContext,
    encryptedDataKeys: header.encryptedDataKeys,
  });
  const dataKey = materials?.plaintextDataKey;
  if (!dataKey) throw new NoDecryptableDataKeyError("the materials manager returned no data key");
  if (materials.suite?.id !== suite.id || dataKey.length !== suite.keyLength) {
    throw new KeyringError("the materials manager returned materials for another suite or a data key of the wrong length");
  }
  if (suite.signature && !materials.verificationKey) {
    throw new SignatureVerificationError("the materials carry no verification key for a signed message");
  }
  const { key, commitKey } = deriveMessageKeys(suite, dataKey, header.messageId);
  try {
    if (suite.commitment && !constantTimeEqual(commitKey!, header.suiteData!)) {
      throw new KeyCommitmentError("key commitment failed: the data key does not match the commitment key in the header");
    }
    const cipher = await aesGcmKey(key);
    try {
      await cipher.open(header.headerIv, header.headerAuthTag, body);
    } catch (e) {
      if (e instanceof AuthenticationError) throw new HeaderAuthenticationError("the message header does not authenticate");
      throw e;
    } finally {
      cipher.destroy();
    }
  } catch (e) {
    key.fill(0);
    throw e;
  } finally {
    commitKey?.fill(0);
  }
  return { contentKey: key, ...(suite.signature ? { verificationKey: materials.verificationKey } : {}) };
}
