/**
 * One-shot encryption: the whole plaintext in, the whole message out.
 *
 * The message is assembled in a single array sized up front (header, every
 * frame, room for the footer); each frame is sealed by the engine and copied
 * once into place.
 */
import { InvalidParameterError } from "./errors.js";
import type { MessageHeader } from "./header.js";
import type { Keyring, MaterialsManager } from "./materials.js";
import { MessageEncryptor } from "./message-encryptor.js";
import { type EncryptOptions, encryptSettings } from "./options.js";

export interface EncryptResult {
  /** The complete message: header ‖ body ‖ footer. */
  result: Uint8Array;
  header: MessageHeader;
}

/**
 * Encrypts `plaintext` into an AWS Encryption SDK message (format v2, suite
 * 0x0478 by default, framed), readable by the ESDKs.
 */
export async function encrypt(
  keyringOrCmm: Keyring | MaterialsManager,
  plaintext: Uint8Array,
  options?: EncryptOptions,
): Promise<EncryptResult> {
  if (!(plaintext instanceof Uint8Array)) throw new InvalidParameterError("plaintext must be a Uint8Array");
  const settings = encryptSettings(keyringOrCmm, { ...options, plaintextLength: plaintext.length });
  const enc = await MessageEncryptor.start(settings, { oneShot: true });
  try {
    const F = enc.frameLength;
    const n = plaintext.length;
    const full = Math.floor(n / F);
    const rest = n - full * F;
    const header = enc.headerBytes;
    const size = header.length + full * enc.frameSize(F, false) + enc.frameSize(rest, true) + enc.maxFooterLength;
    const out = new Uint8Array(size);
    out.set(header);
    let off = header.length;
    for (let i = 0, at = 0; i < full; i++, at += F) off += enc.writeFrame(plaintext.subarray(at, at + F), false, out, off);
    off += enc.writeFrame(plaintext.subarray(full * F), true, out, off);
    const footer = enc.finish(out.subarray(0, off));
    out.set(footer, off);
    off += footer.length;
    return { result: off === size ? out : out.subarray(0, off), header: enc.header };
  } finally {
    enc.destroy();
  }
}
