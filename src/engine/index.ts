/**
 * wasmkms/engine — constant-time AES-256-GCM, SHA-2, HMAC and HKDF in WebAssembly.
 * Synchronous once loaded; call `await init()` first in browsers.
 */
export { Aes256Gcm, AuthenticationError } from "./aes256gcm.js";
export type { Aes256GcmOptions, GcmEncryptor, GcmDecryptor } from "./aes256gcm.js";
export { sha224, sha256, sha384, sha512 } from "./sha2.js";
export type { Hash, HashFunction, HashAlgorithm } from "./sha2.js";
export { hmac } from "./hmac.js";
export { hkdf } from "./hkdf.js";
export { randomBytes } from "./random.js";
export { init } from "./wasm.js";
