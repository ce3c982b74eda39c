/**
 * TokenBucket: the rate limiter behind every request quota (request-quotas.ts).
 *
 * The bucket holds at most `burst` tokens and gains `ratePerSecond` tokens per
 * second of clock time, continuously (a millisecond at 5,500/s adds 5.5). A
 * take succeeds while enough tokens are left and removes them; a refused take
 * changes nothing. It starts full, so a fresh bucket with burst = rate lets
 * exactly one second's worth of requests through at one instant, and after that
 * admits requests at the rate.
 *
 * Time comes only from the injected clock, so tests are exact: nothing refills
 * until the clock moves. A clock that moves backwards refills nothing until it
 * passes the latest time the bucket saw.
 */
import type { Clock } from "../clock.js";

/**
 * Refills are sums of products of an inexact per-millisecond rate (0.1/s is
 * 0.0001 per ms), so ten refills of 0.1 tokens may add up to 0.9999999999999999.
 * A take allows this much shortfall, far below one request.
 */
const ROUNDING_SLACK = 1e-9;

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #perMs: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, burst: number, clock: Clock) {
    if (typeof ratePerSecond !== "number" || !(ratePerSecond >= 0) || !Number.isFinite(ratePerSecond)) {
      throw new TypeError(`TokenBucket: ratePerSecond must be a finite number ≥ 0, got ${String(ratePerSecond)}`);
    }
    if (typeof burst !== "number" || !(burst >= 0) || !Number.isFinite(burst)) {
      throw new TypeError(`TokenBucket: burst must be a finite number ≥ 0, got ${String(burst)}`);
    }
    if (typeof clock?.now !== "function") throw new TypeError("TokenBucket: clock must have a now() method");
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#perMs = ratePerSecond / 1000;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  /** Takes `n` tokens (default 1) if the bucket holds them; otherwise takes none and returns false. */
  tryTake(n = 1): boolean {
    this.#refill();
    if (this.#tokens + ROUNDING_SLACK < n) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }

  /** Tokens in the bucket now. */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  #refill(): void {
    const now = this.#clock.now();
    if (now > this.#last) {
      const tokens = this.#tokens + (now - this.#last) * this.#perMs;
      this.#tokens = tokens < this.burst ? tokens : this.burst;
      this.#last = now;
    }
  }
}
