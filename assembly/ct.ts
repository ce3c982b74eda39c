// Constant-time helpers (BearSSL style: results are 0 or 1, never early exits).
//
// Contract: the loop bound `len` is public (a tag length); the contents of a
// and b are secret, so every byte difference is ORed in and the result is
// computed arithmetically, without a data-dependent branch.

/** Returns 1 when the `len` bytes at a and b are equal, else 0. */
export function ctEqual(a: usize, b: usize, len: u32): u32 {
  let diff: u32 = 0;
  for (let i: u32 = 0; i < len; i++) {
    diff |= <u32>load<u8>(a + i) ^ <u32>load<u8>(b + i);
  }
  // diff is in 0..255: (diff - 1) has its top bit set exactly when diff == 0.
  return (diff - 1) >>> 31;
}
