/**
 * requestID and eventID values: random (version 4) UUIDs, as CloudTrail's are.
 * Random bytes come from the platform CSPRNG in 4 KiB batches, since one
 * `crypto.getRandomValues` call per id would cost more than the rest of
 * recording a call. (The ids are identifiers, not secrets; the pool is only
 * about speed.) Tests inject their own source.
 */
import { uuidText } from "./record-line.js";

/** Returns random bytes; at least the first 16 are used, once, right away. */
export type RandomSource = () => Uint8Array;

const POOL_SIZE = 4096;

export function pooledRandom(): RandomSource {
  const pool = new Uint8Array(POOL_SIZE);
  let offset = POOL_SIZE;
  return () => {
    if (offset === POOL_SIZE) {
      crypto.getRandomValues(pool);
      offset = 0;
    }
    offset += 16;
    return pool.subarray(offset - 16, offset);
  };
}

/** A version 4 UUID from the first 16 bytes of `bytes` (RFC 9562 §5.4: version and variant bits set). */
export function uuidFrom(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length < 16) throw new TypeError("AuditLog: random() must return at least 16 bytes");
  return uuidText(bytes);
}
