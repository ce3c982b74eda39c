/**
 * One-shot decryption: the whole message in, the whole plaintext out, or a
 * typed SdkError and no plaintext at all.
 */
import { InvalidParameterError } from "./errors.js";
import type { MessageHeader } from "./header.js";
import type { Keyring, MaterialsManager } from "./materials.js";
import { MessageDecryptor } from "./message-decryptor.js";
import { type DecryptOptions, decryptSettings } from "./options.js";
import { concatBytes } from "./wire.js";

export interface DecryptResult {
  plaintext: Uint8Array;
  /** The verified header (encryption context, suite, encrypted data keys, …). */
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
  const parts: Uint8Array[] = [];
  try {
    for (const p of await d.push(message)) parts.push(p);
    for (const p of await d.end()) parts.push(p);
    return { plaintext: parts.length === 1 ? parts[0] : concatBytes(parts), header: d.header! };
  } catch (e) {
    for (const p of parts) p.fill(0);
    throw e;
  } finally {
    d.destroy();
  }
}
