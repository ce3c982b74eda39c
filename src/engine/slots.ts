/**
 * Slots of WebAssembly memory that hold per-key state (bitsliced round keys and
 * the GHASH table) or a streaming message context. A slot is addressed by its
 * byte offset; freed slots are wiped and reused before memory grows.
 *
 * Objects that own a slot also register it with a FinalizationRegistry, so a
 * key that is garbage-collected without `destroy()` still has its slot wiped
 * and returned. Registering and unregistering costs ~0.3 µs on V8, close to
 * half a key setup, so short-lived keys keep their object and slot instead
 * (Aes256Gcm `clear()` and `rekey()`).
 */
import { engine } from "./wasm.js";

const free: number[] = [];
let next = 0;

/** Takes a slot (zeroed) and returns its address. */
export function allocSlot(): number {
  const e = engine();
  const reused = free.pop();
  if (reused !== undefined) return reused;
  const ptr = e.SLOTS + next * e.SLOT_SIZE;
  e.ensure(ptr + e.SLOT_SIZE);
  next++;
  return ptr;
}

/** Wipes a slot and makes it available again. */
export function freeSlot(ptr: number): void {
  const e = engine();
  e.mem().fill(0, ptr, ptr + e.SLOT_SIZE);
  free.push(ptr);
}

/** Slots currently handed out (for tests and diagnostics). */
export function slotsInUse(): number {
  return next - free.length;
}

/** Wipes and frees the slot of an object that was collected without being destroyed. */
export const slotReaper = new FinalizationRegistry<number>(freeSlot);
