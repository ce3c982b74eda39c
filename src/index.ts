/** wasmkms — local key management and envelope encryption. */
export * from "./engine/index.js";
