/**
 * Comparison of secret-dependent byte strings without early exit: every byte
 * difference is ORed together and tested once at the end, so the time taken
 * depends only on the lengths (which are public: a MAC's length is fixed by its
 * algorithm).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
