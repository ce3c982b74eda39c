/**
 * One-shot decryption: the whole message in, the whole plaintext out, or a
 * typed SdkError and no plaintext at all. With materials from a cache, a
 * 256-bit key and an unsigned suite, the whole message is read without an
 * await (MessageDecryptor.feed).
 */
import { InvalidParameterError } from "./errors.js";
import type { MessageHeader } from "./header.js";
import type { Keyring, MaterialsManager } from "./materials.js";
import { isPromise } from "./maybe-promise.js";
import { MessageDecryptor } from "./message-decryptor.js";
import { type DecryptOptions, decryptSettings } from "./options.js";
import { concatBytes } from "./wire.js";

export interface DecryptResult {
  plaintext: Uint8Array;
  /**
   * The verified header (encryption context, suite, encrypted data keys, …).
   * Its byte arrays are views into a copy of the header, which for small
   * headers is carved out of a shared ArrayBuffer of public bytes (as for
   * `encrypt`'s result); frozen objects may be shared between results.
   */
  header: MessageHeader;
}

/**
 * Decrypts a complete AWS Encryption SDK message. Under the default policy
 * (REQUIRE_ENCRYPT_REQUIRE_DECRYPT) only key-committing v2 messages are
 * accepted; pass `commitmentPolicy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT"` for v1.
 */
export async function decrypt(
  keyringOrCmm: Keyring | MaterialsManager,
  message: Uint8Array,
  options?: DecryptOptions,
): Promise<DecryptResult> {
  if (!(message instanceof Uint8Array)) throw new InvalidParameterError("message must be a Uint8Array");
  const d = new MessageDecryptor(decryptSettings(keyringOrCmm, options), message);
  try {
    // Synchronous unless a step must wait (materials manager, WebCrypto key, signature); wipes its plaintext on failure.
    // A regular body comes back as one array its frames were opened into; only an irregular one comes in parts.
    const pending = d.feed(message, true);
    const parts = isPromise(pending) ? await pending : pending;
    return { plaintext: parts.length === 1 ? parts[0] : concatBytes(parts), header: d.header! };
  } finally {
    d.destroy();
  }
}
