import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { TokenBucket } from "../../src/quota/index.js";
import { drain } from "./helpers.js";

describe("TokenBucket", () => {
  it("starts full and lets exactly `burst` requests through at one instant", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(100, 100, clock);
    expect(drain(() => bucket.tryTake())).toBe(100);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.available()).toBe(0);
  });

  it("refills continuously with the clock, up to the burst", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(5500, 5500, clock);
    drain(() => bucket.tryTake());
    clock.advance(1); // 5.5 tokens
    expect(drain(() => bucket.tryTake())).toBe(5);
    clock.advance(1); // 0.5 + 5.5
    expect(drain(() => bucket.tryTake())).toBe(6);
    clock.advance(10_000);
    expect(bucket.available()).toBe(5500);
    expect(drain(() => bucket.tryTake())).toBe(5500);
  });

  it("takes n tokens at once, or none", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 10, clock);
    expect(bucket.tryTake(7)).toBe(true);
    expect(bucket.tryTake(4)).toBe(false);
    expect(bucket.available()).toBe(3);
    expect(bucket.tryTake(3)).toBe(true);
    expect(bucket.tryTake(0)).toBe(true);
  });

  it("a refused take changes nothing", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(2, 2, clock);
    drain(() => bucket.tryTake());
    for (let i = 0; i < 1000; i++) expect(bucket.tryTake()).toBe(false);
    clock.advance(500);
    expect(drain(() => bucket.tryTake())).toBe(1);
  });

  it("adds up slow refills exactly (0.1/s: one request per 10 s, in 1 s steps)", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(0.1, 1, clock);
    expect(bucket.tryTake()).toBe(true);
    for (let round = 0; round < 5; round++) {
      for (let s = 0; s < 9; s++) {
        clock.advance(1000);
        expect(bucket.tryTake(), `round ${round}, second ${s + 1}`).toBe(false);
      }
      clock.advance(1000);
      expect(bucket.tryTake(), `round ${round}, second 10`).toBe(true);
    }
  });

  it("refills nothing while the clock goes backwards, until it passes the last time seen", () => {
    const clock = new ManualClock(1_000_000);
    const bucket = new TokenBucket(1000, 1000, clock);
    drain(() => bucket.tryTake());
    clock.set(500_000);
    expect(bucket.tryTake()).toBe(false);
    clock.set(1_000_000);
    expect(bucket.tryTake()).toBe(false);
    clock.set(1_000_002);
    expect(drain(() => bucket.tryTake())).toBe(2);
  });

  it("with rate 0 and burst 0 refuses everything", () => {
    const bucket = new TokenBucket(0, 0, new ManualClock());
    expect(bucket.tryTake()).toBe(false);
  });

  it("refuses bad arguments", () => {
    const clock = new ManualClock();
    for (const [rate, burst] of [[-1, 1], [Number.NaN, 1], [Number.POSITIVE_INFINITY, 1], [1, -1], [1, Number.POSITIVE_INFINITY], ["5", 1]]) {
      expect(() => new TokenBucket(rate as number, burst as number, clock), `${rate}, ${burst}`).toThrow(TypeError);
    }
    expect(() => new TokenBucket(1, 1, {} as ManualClock)).toThrow(/clock/);
  });
});
