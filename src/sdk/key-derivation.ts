/**
 * Per-message keys from the plaintext data key (framework/transitive-requirements.md):
 *
 *   committing suites (v2, HKDF-SHA512), one extract for both outputs:
 *     PRK        = HKDF-Extract(salt = messageId[32], IKM = dataKey)
 *     key        = HKDF-Expand(PRK, info = suiteId:u16 ‖ "DERIVEKEY", 32)
 *     commitKey  = HKDF-Expand(PRK, info = "COMMITKEY", 32)
 *     (the commitment label carries no suite ID: client-node's kdfCommitKeyInfo
 *     and the specification's "Key Derivation" agree); one engine call
 *     (`hkdf.pair`): the PRK never leaves the engine and its HMAC is keyed once
 *   non-committing HKDF suites (v1): HKDF(hash, salt = HashLen zero bytes,
 *     IKM = dataKey, info = suiteId:u16 ‖ messageId[16], keyLength)
 *   identity suites (v1): key = dataKey
 *
 * The commitment key is compared in constant time (wire.ts).
 */
import { hkdf } from "../engine/index.js";
import type { AlgorithmSuite } from "./materials.js";

const DERIVEKEY = new TextEncoder().encode("DERIVEKEY");
const COMMITKEY = new TextEncoder().encode("COMMITKEY");

export interface MessageKeys {
  /** The AES-GCM key for the header tag and the body. */
  readonly key: Uint8Array;
  /** Committing suites: the 32-byte commitment key stored as the header's suite data. */
  readonly commitKey?: Uint8Array;
}

function suiteIdBytes(suite: AlgorithmSuite): Uint8Array {
  return Uint8Array.of(suite.id >> 8, suite.id & 0xff);
}

/** suiteId:u16 ‖ "DERIVEKEY" per committing suite (public constants; never handed out). */
const deriveKeyInfos = new Map<number, Uint8Array>();

function deriveKeyInfo(suite: AlgorithmSuite): Uint8Array {
  let info = deriveKeyInfos.get(suite.id);
  if (!info) {
    info = new Uint8Array(2 + DERIVEKEY.length);
    info.set(suiteIdBytes(suite));
    info.set(DERIVEKEY, 2);
    deriveKeyInfos.set(suite.id, info);
  }
  return info;
}

/** Derives the message's content key (and commitment key) from the data key. */
export function deriveMessageKeys(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array): MessageKeys {
  if (suite.kdf === "identity") return { key: dataKey.slice() };
  if (!suite.commitment) {
    const info = new Uint8Array(2 + messageId.length);
    info.set(suiteIdBytes(suite));
    info.set(messageId, 2);
    return { key: hkdf(suite.kdf, dataKey, undefined, info, suite.keyLength) };
  }
  const [key, commitKey] = hkdf.pair(suite.kdf, dataKey, messageId, deriveKeyInfo(suite), suite.keyLength, COMMITKEY, suite.suiteDataLength);
  return { key, commitKey };
}
