/**
 * wasmkms/kms — an in-process AWS KMS: keys, aliases, rotation, key states,
 * symmetric and asymmetric cryptographic operations, imported key material and
 * key policies, on a pluggable KeyStore.
 */
export { Kms } from "./kms.js";
export type { KmsOptions } from "./kms.js";
export * from "./errors.js";
export type * from "./types.js";
export { MemoryKeyStore } from "../store/memory-store.js";
export type { AliasRecord, KeyRecord, KeyStore, KeyVersionRecord } from "../store/key-store.js";
export { ManualClock, systemClock } from "../clock.js";
export type { Clock } from "../clock.js";
