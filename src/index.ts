/**
 * wasmkms — local key management and envelope encryption.
 * Subpaths: `wasmkms/engine` (the WebAssembly crypto engine), `wasmkms/kms`
 * (an in-process AWS KMS), `wasmkms/store/sqlite` (Node: a durable key store).
 */
export * from "./engine/index.js";
export * from "./kms/index.js";
