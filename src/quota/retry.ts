/**
 * withRetry: calls `fn` again when it fails with a ThrottlingException, after
 * an exponential backoff with "full jitter" (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"): after the n-th failed attempt it waits
 *
 *     delay = random() × min(capMs, baseMs × 2^(n-1))
 *
 * so the first retry waits up to baseMs, the next up to 2 × baseMs, and so on
 * up to capMs. Any other error, and the ThrottlingException of the last
 * attempt, is thrown as it is. Defaults follow the AWS SDKs' standard retry
 * mode: 3 attempts in all, 100 ms base, 20 s cap.
 *
 * Waiting uses, in this order: `options.sleep`; `options.clock.sleep`; for a
 * clock that can be moved (`advance(ms)`, like ManualClock), moving it, so
 * tests and simulations never wait for real; otherwise a timer.
 */
import type { Clock } from "../clock.js";

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Backoff ceiling of the first retry, ms (default 100). */
  baseMs?: number;
  /** Largest backoff ceiling, ms (default 20,000). */
  capMs?: number;
  /** Time source; a clock with sleep(ms) or advance(ms) also does the waiting. */
  clock?: Clock & { sleep?(ms: number): Promise<void>; advance?(ms: number): void };
  /** Uniform in [0, 1) (default: from crypto.getRandomValues). */
  random?: () => number;
  /** Waits `ms` (default: see above). */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait: the attempt that failed (1 = the first), the delay, and its error. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export async function withRetry<T>(fn: () => Promise<T> | T, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 3;
  const baseMs = options.baseMs ?? 100;
  const capMs = options.capMs ?? 20_000;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`withRetry: maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
  if (!(baseMs >= 0) || !(capMs >= 0)) throw new TypeError(`withRetry: baseMs and capMs must be ≥ 0, got ${baseMs} and ${capMs}`);
  if (typeof fn !== "function") throw new TypeError("withRetry: fn must be a function");
  const random = options.random ?? uniformRandom;
  const sleep = sleeper(options);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= maxAttempts || !isThrottling(error)) throw error;
      const delayMs = random() * Math.min(capMs, baseMs * 2 ** (attempt - 1));
      options.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs);
    }
  }
}

/** Whether `error` is a ThrottlingException (by its AWS error name). */
export function isThrottling(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "ThrottlingException";
}

function sleeper(options: RetryOptions): (ms: number) => Promise<void> {
  if (options.sleep) return options.sleep;
  const clock = options.clock;
  if (typeof clock?.sleep === "function") return (ms) => clock.sleep!(ms);
  if (typeof clock?.advance === "function") {
    return async (ms) => {
      clock.advance!(ms);
    };
  }
  return (ms) => new Promise((resolve) => setTimeout(resolve, ms));
}

/** Uniform in [0, 1) from the platform CSPRNG, the project's only source of randomness. */
function uniformRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;
}
