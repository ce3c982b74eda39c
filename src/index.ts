/**
 * wasmkms — local key management and envelope encryption.
 * Subpaths: `wasmkms/engine` (the WebAssembly crypto engine), `wasmkms/kms`
 * (an in-process AWS KMS), `wasmkms/sdk` (envelope encryption in the AWS
 * Encryption SDK format), and for Node: `wasmkms/store/sqlite` (a durable key
 * store), `wasmkms/sdk/node` (files, workers, Node streams), `wasmkms/server`.
 */
export * from "./engine/index.js";
export * from "./kms/index.js";
/** The envelope SDK (its EncryptionContext type differs from the KMS one: import "wasmkms/sdk" to use it directly). */
export * as sdk from "./sdk/index.js";
