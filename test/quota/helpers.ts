/** Shared by the quota tests. */

/** Calls `take` until it refuses (or `max` times); returns how many it allowed. */
export function drain(take: () => boolean, max = 1_000_000): number {
  let n = 0;
  while (n < max && take()) n++;
  return n;
}
