/**
 * memoryAuditSink's retention: it keeps the newest maxRecords lines (dropping
 * the oldest tenth at a time), the chain stays verifiable from the last line
 * dropped, tampering with the lines kept (or removing lines by hand) still
 * shows where, queries see the lines kept, and per-key state (lastUse,
 * trackingStart, key-months) still covers the records dropped.
 */
import { describe, expect, it } from "vitest";
import { AuditLog, MEMORY_AUDIT_MAX_RECORDS, memoryAuditSink } from "../../src/audit/index.js";
import { canonicalForm, hashText, parseLine } from "../../src/audit/record-line.js";
import { ManualClock } from "../../src/clock.js";
import { ALICE, ARN_A, ARN_B, T0, arnOf, counterRandom, input } from "./helpers.js";

const MAX = 100;
const CHUNK = 10;
const ARN_C = arnOf("key-c");
const HOUR = 3_600_000;
const MONTH = 730 * HOUR;

/** A log bounded to MAX records holding `n` records: A created and used first, then B used. */
function boundedLog(n: number, clock = new ManualClock(T0)) {
  const sink = memoryAuditSink({ maxRecords: MAX });
  const log = new AuditLog(sink, { random: counterRandom(), clock });
  log.record(input({ operation: "CreateKey", keyArns: [ARN_A], readOnly: false }, 0));
  log.record(input({ operation: "Encrypt", keyArns: [ARN_A] }, 1));
  for (let i = 2; i < n; i++) log.record(input({ operation: i % 2 ? "Decrypt" : "GenerateDataKey", keyArns: [ARN_B] }, i));
  const base = n - sink.lines.length;
  return { sink, log, lines: sink.lines, base };
}

const fieldsOf = (line: string) => {
  const parsed = parseLine(line, true);
  if (!("fields" in parsed)) throw new Error(parsed.error);
  return parsed.fields;
};

/** A line with `edit` applied, re-hashed as a careful forger would. */
function forged(line: string, edit: (fields: ReturnType<typeof fieldsOf>) => void): string {
  const fields = fieldsOf(line);
  edit(fields);
  const canonical = canonicalForm(fields);
  return `${canonical.slice(0, -1)},"${hashText(canonical)}"]`;
}

describe("memoryAuditSink retention", () => {
  it("keeps at least maxRecords and fewer than maxRecords + a tenth, dropping a tenth at a time", () => {
    const sink = memoryAuditSink({ maxRecords: MAX });
    const log = new AuditLog(sink, { random: counterRandom() });
    const lengths = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      log.record(input({}, i));
      expect(sink.lines.length).toBeLessThan(MAX + CHUNK);
      if (i >= MAX) lengths.add(sink.lines.length);
    }
    // Chunks, not one shift per append: the length runs from MAX up to MAX + CHUNK - 1 and back.
    expect([...lengths].sort((a, b) => a - b)).toEqual(Array.from({ length: CHUNK }, (_, i) => MAX + i));
    expect(log.size).toBe(1_000);
    expect(sink.dropped()).toEqual({ count: 1_000 - sink.lines.length, last: expect.any(String) });
    expect(fieldsOf(sink.lines[0]).sequence).toBe(sink.dropped()!.count);
  });

  it("defaults to 100,000 records, takes Infinity for no bound, and refuses a bad bound", () => {
    expect(MEMORY_AUDIT_MAX_RECORDS).toBe(100_000);
    const unbounded = memoryAuditSink({ maxRecords: Number.POSITIVE_INFINITY });
    const log = new AuditLog(unbounded);
    for (let i = 0; i < 300; i++) log.record(input({}, i));
    expect(unbounded.lines).toHaveLength(300);
    expect(unbounded.dropped()).toBeUndefined();
    for (const bad of [0, -1, 1.5, Number.NaN, "10"]) expect(() => memoryAuditSink({ maxRecords: bad as number })).toThrow(TypeError);
    // The smallest bound works too.
    const one = memoryAuditSink({ maxRecords: 1 });
    const tiny = new AuditLog(one);
    for (let i = 0; i < 5; i++) tiny.record(input({}, i));
    expect(one.lines).toHaveLength(1);
    expect(tiny.verify()).toEqual({ ok: true, count: 5, from: 4 });
  });

  it("verifies the records kept, from the last one dropped", () => {
    const { log, base } = boundedLog(1_000);
    expect(base).toBeGreaterThan(0);
    expect(log.verify()).toEqual({ ok: true, count: 1_000, from: base });
    log.record(input({}, 2_000));
    expect(log.verify()).toMatchObject({ ok: true, count: 1_001 });
  });

  it("finds tampering among the records kept, at their position, by their number", () => {
    const check = (tamper: (lines: string[], base: number) => void, index: number, reason: (base: number) => RegExp) => {
      const { log, lines, base } = boundedLog(1_005);
      tamper(lines, base);
      expect(log.verify()).toEqual({ ok: false, index, reason: expect.stringMatching(reason(base)) });
    };
    check((lines) => (lines[3] = lines[3].replace('"Decrypt"', '"Encrypt"').replace('"GenerateDataKey"', '"Encrypt"')), 3, (b) => new RegExp(`record ${b + 3} was modified: its contents`));
    check((lines) => (lines[5] = forged(lines[5], (f) => void (f.principal = ALICE))), 5, (b) => new RegExp(`record ${b + 5} was modified \\(and re-hashed\\)`));
    check((lines) => lines.splice(4, 1), 4, (b) => new RegExp(`record ${b + 4} is missing \\(deleted\\)`));
    check((lines) => ([lines[3], lines[4]] = [lines[4], lines[3]]), 3, (b) => new RegExp(`position 3 holds record ${b + 4}, and record ${b + 3} is at position 4`));
    check((lines) => lines.splice(6, 0, forged(lines[6], (f) => void (f.operation = "ScheduleKeyDeletion"))), 6, () => /record at position 6 was inserted/);
    check((lines) => lines.splice(2, 0, lines[1]), 2, () => /copy of the one before it/);
    check((lines) => (lines[0] = forged(lines[0], (f) => void (f.principal = ALICE))), 0, (b) => new RegExp(`record ${b} was modified \\(and re-hashed\\)`));
    check((lines) => (lines[0] = forged(lines[0], (f) => void (f.previousHash = "1".repeat(64)))), 0, (b) => new RegExp(`record ${b} does not link to record ${b - 1}, the last one dropped`));
  });

  it("reports the newest record modified, at its position", () => {
    const { log, lines, base } = boundedLog(1_005);
    const last = lines.length - 1;
    lines[last] = forged(lines[last], (f) => void (f.keyArns = [ARN_A]));
    expect(log.verify()).toEqual({ ok: false, index: last, reason: expect.stringMatching(new RegExp(`record ${base + last} was modified .*not the record this log wrote`)) });
  });

  it("reports records dropped by hand, before and after the sink drops more", () => {
    const { sink, log, lines, base } = boundedLog(1_005);
    lines.splice(0, 3);
    expect(log.verify()).toEqual({ ok: false, index: 0, reason: expect.stringMatching(new RegExp(`record ${base} is missing \\(deleted\\)`)) });
    // The sink's own drops do not cover it up: its count of dropped lines no longer matches the last one's number.
    for (let i = 0; i < 2 * CHUNK; i++) log.record(input({}, 3_000 + i));
    expect(sink.dropped()!.count).toBeGreaterThan(base);
    expect(log.verify()).toEqual({ ok: false, index: 0, reason: expect.stringMatching(/removed behind the log's back/) });
  });

  it("keeps its anchor out of reach, and finds the last record dropped modified before it was dropped", () => {
    const { sink, log } = boundedLog(1_005);
    const dropped = sink.dropped()!;
    dropped.count += 5;
    expect(sink.dropped()!.count).toBe(dropped.count - 5);
    expect(log.verify().ok).toBe(true);
    /** Modifies the line that the sink's next drop leaves as its anchor, then records until that drop. */
    const dropAfter = (edit: (line: string) => string) => {
      const b = boundedLog(1_005);
      const before = b.sink.dropped()!.count;
      b.lines[CHUNK - 1] = edit(b.lines[CHUNK - 1]);
      while (b.sink.dropped()!.count === before) b.log.record(input({}, 3_000));
      return { ...b, base: before + CHUNK };
    };
    const rehashed = dropAfter((line) => forged(line, (f) => void (f.principal = ALICE)));
    expect(rehashed.log.verify()).toEqual({
      ok: false,
      index: 0,
      reason: expect.stringMatching(new RegExp(`record ${rehashed.base} does not link to record ${rehashed.base - 1}, the last one dropped`)),
    });
    const edited = dropAfter((line) => line.replace('"Decrypt"', '"Encrypt"').replace('"GenerateDataKey"', '"Encrypt"'));
    expect(edited.log.verify()).toEqual({ ok: false, index: 0, reason: expect.stringMatching(new RegExp(`record ${edited.base - 1}, the last one dropped, .* was damaged or modified`)) });
  });

  it("checks an anchor from head() while its record is kept, and passes over one among the dropped", () => {
    const { log } = boundedLog(150);
    const early = log.head();
    for (let i = 0; i < 1_000; i++) log.record(input({}, 3_000 + i));
    const recent = log.head();
    log.record(input({}, 5_000));
    expect(log.verify(early)).toMatchObject({ ok: true, count: 1_151 });
    expect(log.verify(recent)).toMatchObject({ ok: true, count: 1_151 });
    expect(log.verify({ count: recent.count, hash: "f".repeat(64) })).toMatchObject({ ok: false, index: expect.any(Number), reason: expect.stringMatching(/not the record this log wrote/) });
  });

  it("answers queries from the records kept", () => {
    const { log, lines, base } = boundedLog(1_000);
    const all = log.query();
    expect(all).toHaveLength(lines.length);
    expect(all[0].sequence).toBe(base);
    expect(log.query({ keyId: ARN_A })).toEqual([]);
    expect(log.query({ eventName: "CreateKey" })).toEqual([]);
    expect(log.query({ keyId: ARN_B, limit: 2 }).map((e) => e.sequence)).toEqual([base, base + 1]);
    expect(log.query({ from: T0, to: T0 + base })).toHaveLength(1);
    expect(log.query({ principal: ALICE })).toEqual([]);
  });

  it("still gives the last use, tracking start and key-months of keys whose records were dropped", () => {
    const clock = new ManualClock(T0);
    const sink = memoryAuditSink({ maxRecords: MAX });
    const log = new AuditLog(sink, { random: counterRandom(), clock });
    log.record(input({ operation: "CreateKey", keyArns: [ARN_A], readOnly: false }, 0));
    const used = log.record(input({ operation: "Encrypt", keyArns: [ARN_A] }, 1));
    log.record(input({ operation: "CreateKey", keyArns: [ARN_C], readOnly: false }, 2));
    log.record(input({ operation: "ScheduleKeyDeletion", keyArns: [ARN_C], readOnly: false }, MONTH));
    for (let i = 0; i < 500; i++) log.record(input({ operation: "GenerateDataKey", keyArns: [ARN_B] }, MONTH + 1 + i));
    expect(log.query({ keyId: ARN_A })).toEqual([]);
    expect(log.lastUse(ARN_A)).toEqual({ time: new Date(T0 + 1), operation: "Encrypt", eventId: used.eventID, requestId: used.requestID });
    expect(log.trackingStart()).toEqual(new Date(T0));
    clock.set(T0 + 2 * MONTH);
    const report = log.usage();
    expect(report.from).toEqual(new Date(T0));
    expect(report.byKey[ARN_A].keyMonths).toBeCloseTo(2, 6);
    expect(report.byKey[ARN_C].keyMonths).toBeCloseTo(1, 6);
    expect(report.byKey[ARN_B].keyMonths).toBeCloseTo(2, 6); // never seen created: from the first record
    expect(report.requests).toBe(sink.lines.length);
  });

  it("is read back by a new log after drops, which chains on", () => {
    const { sink, log, base } = boundedLog(1_000);
    const again = new AuditLog(sink, { random: counterRandom() });
    expect(again.size).toBe(1_000);
    expect(again.head()).toEqual(log.head());
    expect(again.query()[0].sequence).toBe(base);
    const next = again.record(input({}, 5_000));
    expect(next.sequence).toBe(1_000);
    expect(again.verify()).toMatchObject({ ok: true, count: 1_001 });
  });
});
