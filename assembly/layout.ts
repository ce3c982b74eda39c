// Fixed layout of the engine's linear memory.
//
// The engine never allocates: every region below has a fixed address, and the
// JavaScript glue (src/engine/wasm.ts) reads these exported constants once.
// Static data emitted by the compiler (round constants, SHA-2 K tables) lives
// below SCRATCH; index.ts exports `heapBase` so the glue can check that.
//
//   0x00000  static data
//   0x10000  SCRATCH  64 KiB  per-call secret scratch; every export wipes what it used
//   0x20000  WINDOW  256 KiB  I/O window: the glue copies inputs in and outputs out
//   0x60000  SLOTS            key and stream-context slots, SLOT_SIZE bytes each;
//                             the glue grows memory when it needs more slots
//
// Sub-areas of SCRATCH (each owner wipes its own area before returning):
//   +0x0000  GCM one-shot context (256 B)
//   +0x0100  GCM staging: IV, tag (768 B)
//   +0x0400  AES scratch: key expansion, batch state (3 KiB)
//   +0x1000  GHASH scratch (4 KiB)
//   +0x2000  SHA-2 / HMAC / HKDF (24 KiB)
export const SCRATCH: u32 = 0x10000;
export const SCRATCH_SIZE: u32 = 0x10000;
export const WINDOW: u32 = 0x20000;
export const WINDOW_SIZE: u32 = 0x40000;
export const SLOTS: u32 = 0x60000;
export const SLOT_SIZE: u32 = 2688;

export const GCM_CTX: u32 = SCRATCH;
export const GCM_STAGE: u32 = SCRATCH + 0x100;
export const AES_SCRATCH: u32 = SCRATCH + 0x400;
export const GHASH_SCRATCH: u32 = SCRATCH + 0x1000;
export const HASH_SCRATCH: u32 = SCRATCH + 0x2000;
export const HASH_SCRATCH_SIZE: u32 = 0x6000;
