// Entry point of build/engine.wasm: re-exports every kernel's ABI.
// Pointers and lengths are plain integers; v128 never crosses into JS.
export * from "./layout";
export * from "./gcm";
export { aes256_encrypt_blocks } from "./aes";
export * from "./ghash";
export * from "./ghash_ctmul64";
export * from "./sha256";
export * from "./sha512";
export * from "./hmac";
export * from "./hkdf";

/** End of compiler-emitted static data; must stay below SCRATCH. */
export function heapBase(): usize {
  return __heap_base;
}
