import { describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { RequestQuotas, isThrottling, withRetry } from "../../src/quota/index.js";

class ThrottlingException extends Error {
  override name = "ThrottlingException";
}
class AccessDeniedException extends Error {
  override name = "AccessDeniedException";
}

/** fn failing with the given errors in turn, then returning "done"; counts its calls. */
function failing(...errors: Error[]) {
  const fn = vi.fn(async () => {
    const error = errors.shift();
    if (error) throw error;
    return "done";
  });
  return fn;
}

/** A sleep that records its delays and returns at once. */
function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe("withRetry", () => {
  it("returns the first result without waiting", async () => {
    const { delays, sleep } = recordingSleep();
    const fn = failing();
    await expect(withRetry(fn, { sleep })).resolves.toBe("done");
    expect(fn).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([]);
  });

  it("retries a ThrottlingException with full-jitter exponential backoff", async () => {
    const { delays, sleep } = recordingSleep();
    const fn = failing(...Array.from({ length: 6 }, () => new ThrottlingException("slow down")));
    const onRetry = vi.fn();
    const result = await withRetry(fn, { maxAttempts: 7, baseMs: 100, capMs: 1000, random: () => 0.5, sleep, onRetry });
    expect(result).toBe("done");
    expect(fn).toHaveBeenCalledTimes(7);
    // random × min(cap, base × 2^(n-1)) after the n-th failure.
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
    expect(onRetry.mock.calls.map(([attempt, delay]) => [attempt, delay])).toEqual([
      [1, 50],
      [2, 100],
      [3, 200],
      [4, 400],
      [5, 500],
      [6, 500],
    ]);
    expect(onRetry.mock.calls[0][2]).toBeInstanceOf(ThrottlingException);
  });

  it("keeps every delay within [0, ceiling) whatever random returns", async () => {
    for (const r of [0, 0.25, 0.999999]) {
      const { delays, sleep } = recordingSleep();
      const fn = failing(...Array.from({ length: 9 }, () => new ThrottlingException("x")));
      await withRetry(fn, { maxAttempts: 10, baseMs: 10, capMs: 300, random: () => r, sleep });
      delays.forEach((delay, i) => {
        const ceiling = Math.min(300, 10 * 2 ** i);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
        expect(delay).toBeCloseTo(r * ceiling, 9);
      });
    }
  });

  it("does not retry any other error", async () => {
    const { delays, sleep } = recordingSleep();
    const denied = new AccessDeniedException("no");
    const fn = failing(denied);
    await expect(withRetry(fn, { sleep })).rejects.toBe(denied);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([]);
    // Neither errors that merely look retryable, nor non-errors.
    for (const thrown of [Object.assign(new Error("x"), { retryable: true, $retryable: {} }), "ThrottlingException", null]) {
      const f = vi.fn(async () => {
        throw thrown;
      });
      await expect(withRetry(f, { sleep })).rejects.toBe(thrown);
      expect(f).toHaveBeenCalledTimes(1);
    }
  });

  it("gives up after maxAttempts and throws the last error", async () => {
    const { delays, sleep } = recordingSleep();
    const errors = Array.from({ length: 5 }, (_, i) => new ThrottlingException(`try ${i + 1}`));
    const fn = failing(...errors);
    await expect(withRetry(fn, { maxAttempts: 3, sleep, random: () => 1 - 2 ** -53 })).rejects.toBe(errors[2]);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(delays).toHaveLength(2);
    await expect(withRetry(failing(new ThrottlingException("once")), { maxAttempts: 1, sleep })).rejects.toThrow("once");
  });

  it("defaults to 3 attempts, 100 ms base and a 20 s cap", async () => {
    const { delays, sleep } = recordingSleep();
    const fn = failing(...Array.from({ length: 5 }, () => new ThrottlingException("x")));
    await expect(withRetry(fn, { sleep, random: () => 0.5 })).rejects.toThrow("x");
    expect(fn).toHaveBeenCalledTimes(3);
    expect(delays).toEqual([50, 100]);
    const capped = recordingSleep();
    await withRetry(failing(...Array.from({ length: 12 }, () => new ThrottlingException("x"))), {
      maxAttempts: 13,
      sleep: capped.sleep,
      random: () => 0.5,
    });
    expect(Math.max(...capped.delays)).toBe(10_000);
  });

  it("moves a ManualClock instead of waiting, so simulated backoff is instant", async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const fn = failing(new ThrottlingException("a"), new ThrottlingException("b"));
    const began = Date.now();
    await withRetry(fn, { clock, baseMs: 60_000, capMs: 600_000, random: () => 0.5 });
    expect(clock.now() - start).toBe(30_000 + 60_000);
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it("uses the clock's sleep when it has one, and options.sleep before that", async () => {
    const clockSleep = vi.fn(async () => {});
    const clock = { now: () => 0, sleep: clockSleep };
    await withRetry(failing(new ThrottlingException("x")), { clock, random: () => 0.5 });
    expect(clockSleep).toHaveBeenCalledWith(50);
    const own = vi.fn(async () => {});
    await withRetry(failing(new ThrottlingException("x")), { clock, sleep: own, random: () => 0.5 });
    expect(own).toHaveBeenCalledWith(50);
    expect(clockSleep).toHaveBeenCalledTimes(1);
  });

  it("waits on a real timer when given nothing to wait with", async () => {
    vi.useFakeTimers();
    try {
      const fn = failing(new ThrottlingException("x"));
      const promise = withRetry(fn, { baseMs: 1000, random: () => 0.5 });
      await vi.advanceTimersByTimeAsync(499);
      expect(fn).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect(promise).resolves.toBe("done");
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("accepts a synchronous fn, throwing or not", async () => {
    let calls = 0;
    const result = await withRetry(
      () => {
        if (++calls < 3) throw new ThrottlingException("sync");
        return 42;
      },
      { maxAttempts: 3, sleep: async () => {} },
    );
    expect(result).toBe(42);
  });

  it("refuses bad options", async () => {
    await expect(withRetry(async () => 1, { maxAttempts: 0 })).rejects.toThrow(TypeError);
    await expect(withRetry(async () => 1, { maxAttempts: 1.5 })).rejects.toThrow(TypeError);
    await expect(withRetry(async () => 1, { baseMs: -1 })).rejects.toThrow(TypeError);
    await expect(withRetry(undefined as never)).rejects.toThrow(TypeError);
  });

  it("isThrottling knows ThrottlingException by its name only", () => {
    expect(isThrottling(new ThrottlingException("x"))).toBe(true);
    expect(isThrottling({ name: "ThrottlingException" })).toBe(true);
    expect(isThrottling(new Error("ThrottlingException"))).toBe(false);
    expect(isThrottling(undefined)).toBe(false);
  });

  it("rides out a quota on simulated time: throttled calls succeed once the bucket refills", async () => {
    const clock = new ManualClock();
    const quotas = new RequestQuotas("aws-current", { region: "us-east-1", clock });
    const createKey = async () => {
      const check = quotas.take("CreateKey");
      if (!check.ok) throw Object.assign(new Error(check.message), { name: "ThrottlingException" });
      return "created";
    };
    for (let i = 0; i < 5; i++) await createKey();
    await expect(createKey()).rejects.toThrow(/exceeded the rate/);
    const retries: number[] = [];
    // 5/s refills one request per 200 ms; backoff ceilings 100, 200, 400, … ms at random = 1 − ε.
    const result = await withRetry(createKey, {
      clock,
      maxAttempts: 5,
      random: () => 0.999,
      onRetry: (attempt) => retries.push(attempt),
    });
    expect(result).toBe("created");
    expect(retries).toEqual([1, 2]);
  });
});
