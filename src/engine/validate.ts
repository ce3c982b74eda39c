/**
 * Argument checks shared by the engine's public API. The WebAssembly side
 * trusts its inputs, so every length and type is checked here first.
 * Wrong types are TypeErrors; wrong sizes are RangeErrors naming the argument.
 */

/** Throws TypeError unless `value` is a Uint8Array (Buffer counts: it is one). */
export function bytes(value: unknown, where: string, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  throw new TypeError(`${where}: ${name} must be a Uint8Array, got ${got}`);
}

/** Like `bytes`, but `undefined` becomes an empty array. */
export function optionalBytes(value: unknown, where: string, name: string): Uint8Array {
  return value === undefined ? EMPTY : bytes(value, where, name);
}

export function exactLength(value: Uint8Array, length: number, where: string, name: string): void {
  if (value.length !== length) {
    throw new RangeError(`${where}: ${name} must be ${length} bytes, got ${value.length}`);
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function integer(value: unknown, min: number, max: number, where: string, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${where}: ${name} must be an integer, got ${typeof value}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${where}: ${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export const EMPTY = new Uint8Array(0);
