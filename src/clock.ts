/**
 * Time source injected wherever time matters (rotation dates, deletion windows,
 * import-token expiry, cache ages, quotas, audit timestamps), so tests can move
 * time without sleeping. Times are milliseconds since the Unix epoch.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.#t = typeof start === "number" ? start : start.getTime();
  }
  now(): number {
    return this.#t;
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#t += ms;
  }
  /** Moves the clock forward by whole days. */
  advanceDays(days: number): void {
    this.#t += days * 86_400_000;
  }
  set(t: number | Date): void {
    this.#t = typeof t === "number" ? t : t.getTime();
  }
}
