/**
 * Cryptographically secure random bytes from the platform CSPRNG
 * (`crypto.getRandomValues`, present in Node ≥ 19, Deno, Bun and browsers).
 * getRandomValues fills at most 65,536 bytes per call, so larger requests are chunked.
 */
import { integer } from "./validate.js";

const MAX_PER_CALL = 65536;

export function randomBytes(length: number): Uint8Array {
  integer(length, 0, 2 ** 31 - 1, "randomBytes", "length");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += MAX_PER_CALL) {
    crypto.getRandomValues(out.subarray(i, Math.min(length, i + MAX_PER_CALL)));
  }
  return out;
}
