/**
 * Portable store entry: the KeyStore contract and the in-memory store. The
 * SQLite store is Node only and is imported from its own module,
 * `src/store/sqlite-store.ts`, so portable bundles never reach better-sqlite3.
 */
export type { AliasRecord, KeyRecord, KeyStore, KeyVersionRecord } from "./key-store.js";
export { MemoryKeyStore } from "./memory-store.js";
