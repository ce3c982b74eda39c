/**
 * One-shot encryption: the whole plaintext in, the whole message out.
 *
 * The message is assembled in a single array sized up front (header, every
 * frame, room for the footer); each frame is sealed by the engine and copied
 * once into place.
 *
 * Like Node's pooled Buffers (and the engine's `seal` outputs), a message of
 * up to 4 KiB is a view into a shared 64 KiB ArrayBuffer that holds other
 * messages (public bytes only, never plaintext): copy it (`result.slice()`)
 * before transferring or reading `result.buffer` as a whole.
 */
import { InvalidParameterError } from "./errors.js";
import type { MessageHeader } from "./header.js";
import type { Keyring, MaterialsManager } from "./materials.js";
import { frameSize } from "./frame-sealer.js";
import { isPromise } from "./maybe-promise.js";
import { encryptionMaterialsFor, MessageEncryptor } from "./message-encryptor.js";
import { type EncryptOptions, encryptSettings } from "./options.js";

export interface EncryptResult {
  /** The complete message: header ‖ body ‖ footer. Up to 4 KiB, a view into a shared ArrayBuffer (see above). */
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
  const settings = encryptSettings(keyringOrCmm, options, plaintext.length);
  // Materials from a cache come without a promise; the rest runs synchronously.
  const pending = encryptionMaterialsFor(settings);
  const materials = isPromise(pending) ? await pending : pending;
  const F = settings.frameLength;
  const n = plaintext.length;
  const full = Math.floor(n / F);
  const rest = n - full * F;
  const bodySize = full * frameSize(F, false) + frameSize(rest, true);
  // The message goes into one array allocated with the header, with room for the body and the longest footer.
  const enc = MessageEncryptor.fromMaterials(settings, materials, { oneShot: true, roomAfter: bodySize });
  try {
    const header = enc.headerBytes;
    const size = header.length + bodySize + enc.maxFooterLength;
    const out = new Uint8Array(header.buffer, header.byteOffset, size);
    let off = header.length;
    for (let i = 0, at = 0; i < full; i++, at += F) off += enc.writeFrame(plaintext.subarray(at, at + F), false, out, off);
    off += enc.writeFrame(rest === n ? plaintext : plaintext.subarray(full * F), true, out, off);
    const footer = enc.finish(enc.suite.signature ? out.subarray(0, off) : undefined);
    if (footer.length) out.set(footer, off);
    off += footer.length;
    return { result: off === size ? out : out.subarray(0, off), header: enc.header };
  } finally {
    enc.destroy();
  }
}
