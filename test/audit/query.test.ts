/** query(), lastUse(), trackingStart() and usage(). */
import { describe, expect, it } from "vitest";
import { AuditLog, type AuditInput, memoryAuditSink } from "../../src/audit/index.js";
import { ManualClock } from "../../src/clock.js";
import { ALICE, ARN_A, ARN_B, KEY_A, KEY_B, KEY_USER, ROOT, T0, arnOf, counterRandom, input } from "./helpers.js";

const HOUR = 3_600_000;
const MONTH = 730 * HOUR;
const denied = { name: "AccessDeniedException", message: "no" };
const throttled = { name: "ThrottlingException", message: "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls." };

/** A small history: two keys created, used by root and KeyUser, some failures. Times in seconds after T0. */
const history: [number, Partial<AuditInput>][] = [
  [0, { operation: "CreateKey", keyArns: [ARN_A], readOnly: false, request: { Description: "a" } }],
  [1, { operation: "CreateKey", keyArns: [ARN_B], readOnly: false, request: { Description: "b" } }],
  [2, { operation: "Encrypt", keyArns: [ARN_A] }],
  [3, { operation: "Encrypt", keyArns: [ARN_A], principal: KEY_USER }],
  [4, { operation: "Decrypt", keyArns: [ARN_A], principal: KEY_USER, error: denied }],
  [5, { operation: "GenerateDataKey", keyArns: [ARN_B] }],
  [6, { operation: "DescribeKey", keyArns: [ARN_B] }],
  [7, { operation: "GenerateDataKey", keyArns: [ARN_B], error: throttled }],
  [8, { operation: "ReEncrypt", keyArns: [ARN_A, ARN_B], principal: ALICE }],
  [9, { operation: "GenerateRandom", keyArns: [], request: { NumberOfBytes: 32 } }],
];

function historyLog(clock = new ManualClock(T0)) {
  const log = new AuditLog(memoryAuditSink(), { random: counterRandom(), clock });
  const events = history.map(([s, overrides]) => log.record(input(overrides, s * 1000)));
  return { log, events, clock };
}

const names = (events: { eventName: string; sequence: number }[]) => events.map((e) => `${e.sequence}:${e.eventName}`);

describe("AuditLog.query", () => {
  it("returns everything, oldest first, as recorded", () => {
    const { log, events } = historyLog();
    expect(log.query()).toEqual(events);
  });

  it("filters by key id or key ARN", () => {
    const { log } = historyLog();
    expect(names(log.query({ keyId: KEY_A }))).toEqual(["0:CreateKey", "2:Encrypt", "3:Encrypt", "4:Decrypt", "8:ReEncrypt"]);
    expect(log.query({ keyId: ARN_B }).map((e) => e.sequence)).toEqual([1, 5, 6, 7, 8]);
    expect(log.query({ keyId: "ffffffff-0000-0000-0000-000000000000" })).toEqual([]);
    expect(log.query({ keyId: arnOf(KEY_A, "eu-west-1") })).toEqual([]);
  });

  it("filters by event name, principal and error code", () => {
    const { log } = historyLog();
    expect(names(log.query({ eventName: "Encrypt" }))).toEqual(["2:Encrypt", "3:Encrypt"]);
    expect(names(log.query({ principal: KEY_USER }))).toEqual(["3:Encrypt", "4:Decrypt"]);
    expect(names(log.query({ errorCode: "AccessDeniedException" }))).toEqual(["4:Decrypt"]);
    expect(log.query({ errorCode: "ThrottlingException" })[0]).toMatchObject({ sequence: 7, errorMessage: throttled.message });
    expect(log.query({ eventName: "Sign" })).toEqual([]);
  });

  it("filters by time, inclusive at both ends, with Dates or numbers", () => {
    const { log } = historyLog();
    expect(log.query({ from: T0 + 3000, to: new Date(T0 + 5000) }).map((e) => e.sequence)).toEqual([3, 4, 5]);
    expect(log.query({ from: new Date(T0 + 8500) }).map((e) => e.sequence)).toEqual([9]);
    expect(log.query({ to: T0 + 999 }).map((e) => e.sequence)).toEqual([0]);
    expect(log.query({ from: T0 + 20_000 })).toEqual([]);
    expect(() => log.query({ from: new Date("nonsense") })).toThrow(TypeError);
  });

  it("combines filters, and limits to the oldest matches", () => {
    const { log } = historyLog();
    expect(names(log.query({ keyId: KEY_A, principal: KEY_USER, eventName: "Encrypt" }))).toEqual(["3:Encrypt"]);
    expect(names(log.query({ keyId: KEY_B, from: T0 + 5000, to: T0 + 7000, errorCode: "ThrottlingException" }))).toEqual(["7:GenerateDataKey"]);
    expect(log.query({ keyId: KEY_A, limit: 2 }).map((e) => e.sequence)).toEqual([0, 2]);
    expect(log.query({ limit: 0 })).toEqual([]);
    expect(() => log.query({ limit: -1 })).toThrow(TypeError);
  });

  it("works when the clock went backwards between records", () => {
    const log = new AuditLog(memoryAuditSink(), { random: counterRandom() });
    for (const [i, at] of [5000, 1000, 3000, 2000, 4000].entries()) log.record(input({ operation: i % 2 ? "Decrypt" : "Encrypt" }, at));
    expect(log.query({ from: T0 + 2000, to: T0 + 4000 }).map((e) => e.sequence)).toEqual([2, 3, 4]);
    expect(log.query({ eventName: "Encrypt", from: T0 + 3500 }).map((e) => e.sequence)).toEqual([0, 4]);
  });

  it("finds records among many, by index", () => {
    const log = new AuditLog(memoryAuditSink(), { random: counterRandom() });
    const keys = Array.from({ length: 50 }, (_, i) => arnOf(`key-${i}`));
    for (let i = 0; i < 5000; i++) log.record(input({ keyArns: [keys[i % 50]], operation: i % 7 === 0 ? "Decrypt" : "Encrypt" }, i));
    const hits = log.query({ keyId: "key-7", eventName: "Decrypt" });
    expect(hits.length).toBe(Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 50 === 7 && i % 7 === 0).length);
    for (const e of hits) expect(e.resources[0].ARN).toBe(keys[7]);
    expect(log.query({ from: T0 + 4990 }).length).toBe(10);
  });
});

describe("AuditLog.lastUse and trackingStart", () => {
  it("gives the last successful cryptographic use of a key", () => {
    const { log, events } = historyLog();
    // Key A: Encrypt at 3 s, Decrypt at 4 s was denied, ReEncrypt at 8 s.
    expect(log.lastUse(ARN_A)).toEqual({ time: new Date(T0 + 8000), operation: "ReEncrypt", eventId: events[8].eventID, requestId: events[8].requestID });
    // ReEncrypt counts for both keys; DescribeKey is not cryptographic.
    expect(log.lastUse(KEY_B)?.operation).toBe("ReEncrypt");
    log.record(input({ operation: "DescribeKey", keyArns: [ARN_A] }, 10_000));
    log.record(input({ operation: "Decrypt", keyArns: [ARN_A], error: denied }, 11_000));
    expect(log.lastUse(ARN_A)?.time).toEqual(new Date(T0 + 8000));
    log.record(input({ operation: "Decrypt", keyArns: [ARN_A] }, 12_000));
    expect(log.lastUse(ARN_A)).toMatchObject({ time: new Date(T0 + 12_000), operation: "Decrypt" });
  });

  it("gives nothing for a key never used", () => {
    const { log } = historyLog();
    expect(log.lastUse(arnOf("never"))).toBeUndefined();
    const fresh = new AuditLog(memoryAuditSink());
    fresh.record(input({ operation: "CreateKey", keyArns: [ARN_A], readOnly: false }));
    expect(fresh.lastUse(ARN_A)).toBeUndefined();
  });

  it("tracks from the first record", () => {
    expect(new AuditLog(memoryAuditSink()).trackingStart()).toBeUndefined();
    expect(historyLog().log.trackingStart()).toEqual(new Date(T0));
  });
});

describe("AuditLog.usage", () => {
  it("counts calls per operation and per key, leaving throttled ones out", () => {
    const { log } = historyLog();
    const report = log.usage({ from: T0, to: T0 + 9000 });
    expect(report.requests).toBe(9);
    expect(report.throttledRequests).toBe(1);
    expect(report.byOperation).toEqual({ CreateKey: 2, Encrypt: 2, Decrypt: 1, GenerateDataKey: 1, DescribeKey: 1, ReEncrypt: 1, GenerateRandom: 1 });
    expect(report.byKey[ARN_A]).toMatchObject({ requests: 5, byOperation: { CreateKey: 1, Encrypt: 2, Decrypt: 1, ReEncrypt: 1 } });
    expect(report.byKey[ARN_B]).toMatchObject({ requests: 4, byOperation: { CreateKey: 1, GenerateDataKey: 1, DescribeKey: 1, ReEncrypt: 1 } });
    expect(report.from).toEqual(new Date(T0));
    expect(report.to).toEqual(new Date(T0 + 9000));
    expect(report.prices).toEqual({ perKeyMonth: 1, per10kRequests: 0.03, hoursPerMonth: 730 });
  });

  it("prices requests at $0.03 per 10,000 and keys at $1 per 730-hour month", () => {
    const clock = new ManualClock(T0);
    const log = new AuditLog(memoryAuditSink(), { random: counterRandom(), clock });
    log.record(input({ operation: "CreateKey", keyArns: [ARN_A], readOnly: false }, 0));
    for (let i = 1; i < 20_000; i++) log.record(input({ operation: "GenerateDataKey" }, i));
    clock.set(T0 + MONTH);
    const report = log.usage();
    expect(report.requests).toBe(20_000);
    expect(report.keyMonths).toBeCloseTo(1, 12);
    expect(report.cost.requests).toBeCloseTo(0.06, 12);
    expect(report.cost.keys).toBeCloseTo(1, 12);
    expect(report.cost.total).toBeCloseTo(1.06, 12);
    expect(report.byKey[ARN_A].cost).toBeCloseTo(1.06, 12);
    // Half the month, and a range that starts before the key existed.
    const half = log.usage({ from: T0 - MONTH, to: T0 + MONTH / 2 });
    expect(half.keyMonths).toBeCloseTo(0.5, 12);
    expect(half.cost.total).toBeCloseTo(0.5 + 0.06, 12);
  });

  it("stops billing a key while it is pending deletion, unless the deletion is cancelled, and after it is deleted", () => {
    const clock = new ManualClock(T0 + 10 * MONTH);
    const log = new AuditLog(memoryAuditSink(), { random: counterRandom(), clock });
    const at = (months: number) => months * MONTH;
    const rec = (operation: string, arn: string, months: number, error?: { name: string; message: string }) =>
      log.record(input({ operation, keyArns: [arn], readOnly: false, error }, at(months)));
    rec("CreateKey", ARN_A, 0);
    rec("CreateKey", ARN_B, 0);
    const C = arnOf("key-c");
    rec("CreateKey", C, 0);
    // A: scheduled at 1 month, deleted at 2: billed 1 month.
    rec("ScheduleKeyDeletion", ARN_A, 1);
    rec("DeleteKey", ARN_A, 2);
    // B: scheduled at 1, cancelled at 1.5: billed as though never scheduled, all 10 months.
    rec("ScheduleKeyDeletion", ARN_B, 1);
    rec("CancelKeyDeletion", ARN_B, 1.5);
    // C: a failed scheduling changes nothing; scheduled at 4 and still pending: 4 months.
    rec("ScheduleKeyDeletion", C, 3, denied);
    rec("ScheduleKeyDeletion", C, 4);
    const report = log.usage();
    expect(report.byKey[ARN_A].keyMonths).toBeCloseTo(1, 9);
    expect(report.byKey[ARN_B].keyMonths).toBeCloseTo(10, 9);
    expect(report.byKey[C].keyMonths).toBeCloseTo(4, 9);
    expect(report.keyMonths).toBeCloseTo(15, 9);
    expect(report.cost.keys).toBeCloseTo(15, 9);
    // Clipped to a range.
    expect(log.usage({ from: T0 + at(3), to: T0 + at(5) }).keyMonths).toBeCloseTo(0 + 2 + 1, 9);
  });

  it("counts a key the log never saw created from the first record", () => {
    const clock = new ManualClock(T0 + MONTH);
    const log = new AuditLog(memoryAuditSink(), { random: counterRandom(), clock });
    log.record(input({ operation: "GenerateRandom", keyArns: [] }, 0));
    log.record(input({ operation: "Decrypt", keyArns: [ARN_B] }, MONTH / 2));
    expect(log.usage().byKey[ARN_B].keyMonths).toBeCloseTo(1, 9);
  });

  it("reports an empty log, and refuses a backwards range", () => {
    const log = new AuditLog(memoryAuditSink(), { clock: new ManualClock(T0) });
    expect(log.usage()).toMatchObject({ requests: 0, keyMonths: 0, cost: { keys: 0, requests: 0, total: 0 }, byKey: {} });
    expect(() => log.usage({ from: T0 + 1, to: T0 })).toThrow(RangeError);
  });

  it("shows what caching data keys saves: one GenerateDataKey instead of many", () => {
    const clock = new ManualClock(T0);
    const uncached = new AuditLog(memoryAuditSink(), { clock });
    const cached = new AuditLog(memoryAuditSink(), { clock });
    for (let i = 0; i < 10_000; i++) uncached.record(input({ operation: "GenerateDataKey", keyArns: [ARN_A] }, i));
    for (let i = 0; i < 100; i++) cached.record(input({ operation: "GenerateDataKey", keyArns: [ARN_A] }, i * 100));
    const range = { from: T0, to: T0 + 10_000 };
    expect(uncached.usage(range).cost.requests - cached.usage(range).cost.requests).toBeCloseTo(0.0297, 12);
    expect(KEY_A).toBe(ARN_A.split("/")[1]);
    expect(ROOT).toMatch(/:root$/);
  });
});
