/**
 * verify(): a modified, deleted, inserted, reordered, replayed or damaged
 * record is found, at the right position, with the right kind of reason.
 */
import { describe, expect, it } from "vitest";
import { AuditLog, memoryAuditSink } from "../../src/audit/index.js";
import { canonicalForm, hashText, parseLine } from "../../src/audit/record-line.js";
import { ALICE, ARN_B, counterRandom, input } from "./helpers.js";

const N = 10;

function filledLog(n = N) {
  const sink = memoryAuditSink();
  const log = new AuditLog(sink, { random: counterRandom() });
  for (let i = 0; i < n; i++) log.record(input({ operation: i % 2 ? "Decrypt" : "Encrypt" }, i * 1000));
  return { sink, log, lines: sink.lines };
}

/** A line with `edit` applied to its fields, re-hashed as a careful forger would. */
function forged(line: string, edit: (fields: ReturnType<typeof fieldsOf>) => void): string {
  const fields = fieldsOf(line);
  edit(fields);
  const canonical = canonicalForm(fields);
  return `${canonical.slice(0, -1)},"${hashText(canonical)}"]`;
}

function fieldsOf(line: string) {
  const parsed = parseLine(line, true);
  if (!("fields" in parsed)) throw new Error(parsed.error);
  return parsed.fields;
}

describe("AuditLog.verify", () => {
  it("accepts an empty log and an untouched one", () => {
    expect(new AuditLog(memoryAuditSink()).verify()).toEqual({ ok: true, count: 0 });
    expect(filledLog().log.verify()).toEqual({ ok: true, count: N });
  });

  it("finds a modified record whose hash was left alone", () => {
    const { log, lines } = filledLog();
    lines[4] = lines[4].replace('"Encrypt"', '"Decrypt"');
    expect(log.verify()).toEqual({ ok: false, index: 4, reason: expect.stringMatching(/record 4 was modified: its contents do not match its hash/) });
  });

  it("finds a one-character change anywhere in a record", () => {
    const { log, lines } = filledLog(3);
    const original = lines[1];
    for (let i = 0; i < original.length - 70; i++) {
      const c = original[i];
      const swapped = c === "1" ? "2" : c === "a" ? "b" : c === "0" ? "1" : undefined;
      if (swapped === undefined) continue;
      lines[1] = original.slice(0, i) + swapped + original.slice(i + 1);
      const result = log.verify();
      expect(result.ok, `char ${i}`).toBe(false);
      if (!result.ok) expect(result.index, `char ${i}`).toBe(1);
    }
    lines[1] = original;
    expect(log.verify().ok).toBe(true);
  });

  it("finds a modified record that was re-hashed, by the link in the next one", () => {
    const { log, lines } = filledLog();
    lines[6] = forged(lines[6], (f) => {
      f.principal = ALICE;
    });
    expect(log.verify()).toEqual({ ok: false, index: 6, reason: expect.stringMatching(/record 6 was modified \(and re-hashed\)/) });
  });

  it("finds the newest record modified and re-hashed, against the head the log knows", () => {
    const { log, lines } = filledLog();
    lines[N - 1] = forged(lines[N - 1], (f) => {
      f.keyArns = [ARN_B];
    });
    expect(log.verify()).toEqual({ ok: false, index: N - 1, reason: expect.stringMatching(/is not the record this log wrote/) });
  });

  it("finds a deleted record", () => {
    const { log, lines } = filledLog();
    lines.splice(3, 1);
    expect(log.verify()).toEqual({ ok: false, index: 3, reason: expect.stringMatching(/record 3 is missing \(deleted\)/) });
  });

  it("finds deleted newest records (the log ends early)", () => {
    const { log, lines } = filledLog();
    lines.splice(N - 2, 2);
    expect(log.verify()).toEqual({ ok: false, index: N - 2, reason: expect.stringMatching(/records 8 to 9 are missing: the log ends early/) });
  });

  it("finds well-chained records appended after the newest one the log wrote", () => {
    const { log, lines } = filledLog();
    for (let k = 0; k < 3; k++) {
      const previous = fieldsOf(lines[lines.length - 1]);
      lines.push(forged(lines[lines.length - 1], (f) => {
        f.sequence = previous.sequence + 1;
        f.previousHash = previous.hash;
        f.operation = "Decrypt";
      }));
    }
    expect(log.verify()).toEqual({ ok: false, index: N, reason: expect.stringMatching(/records 10 to 12 were appended behind the log's back/) });
  });

  it("finds an inserted record, however well forged", () => {
    const { log, lines } = filledLog();
    // Claims number 5 and links to record 4, as record 5 does.
    const intruder = forged(lines[5], (f) => {
      f.operation = "ScheduleKeyDeletion";
      f.readOnly = false;
    });
    lines.splice(5, 0, intruder);
    expect(log.verify()).toEqual({ ok: false, index: 5, reason: expect.stringMatching(/record at position 5 was inserted/) });
  });

  it("finds an inserted record that does not pretend to be its neighbour", () => {
    const { log, lines } = filledLog();
    lines.splice(2, 0, forged(lines[7], (f) => void f));
    const result = log.verify();
    expect(result).toMatchObject({ ok: false, index: 2 });
  });

  it("finds a replayed (copied) record", () => {
    const { log, lines } = filledLog();
    lines.splice(5, 0, lines[4]);
    expect(log.verify()).toEqual({ ok: false, index: 5, reason: expect.stringMatching(/copy of the one before it/) });
  });

  it("finds reordered records", () => {
    const { log, lines } = filledLog();
    [lines[3], lines[4]] = [lines[4], lines[3]];
    expect(log.verify()).toEqual({ ok: false, index: 3, reason: expect.stringMatching(/out of order: position 3 holds record 4, and record 3 is at position 4/) });
    const other = filledLog();
    other.lines.push(other.lines.shift()!);
    expect(other.log.verify()).toMatchObject({ ok: false, index: 0, reason: expect.stringMatching(/out of order/) });
  });

  it("finds a damaged line", () => {
    for (const damage of ["not json at all", "[1,2,3]", '{"a":1}', `[2${"x".repeat(10)},"${"0".repeat(64)}"]`]) {
      const { log, lines } = filledLog();
      lines[2] = damage;
      expect(log.verify(), damage).toMatchObject({ ok: false, index: 2, reason: expect.stringMatching(/record 2 is damaged/) });
    }
  });

  it("reports the first break, and keeps recording after one", () => {
    const { log, lines } = filledLog();
    lines[7] = lines[7].replace("Decrypt", "Encrypt");
    lines[2] = lines[2].replace("Encrypt", "Decrypt");
    log.record(input());
    expect(log.verify()).toMatchObject({ ok: false, index: 2 });
    expect(lines).toHaveLength(N + 1);
    expect(fieldsOf(lines[N]).sequence).toBe(N);
  });

  it("checks an anchor kept from an earlier head()", () => {
    const { log, lines } = filledLog();
    const anchor = log.head();
    expect(anchor.count).toBe(N);
    log.record(input());
    expect(log.verify(anchor)).toEqual({ ok: true, count: N + 1 });
    // A forger who rewrites record 9 and re-links record 10 fools the chain, not the anchor.
    lines[N - 1] = forged(lines[N - 1], (f) => {
      f.principal = ALICE;
    });
    lines[N] = forged(lines[N], (f) => {
      f.previousHash = fieldsOf(lines[N - 1]).hash;
    });
    const rebuilt = new AuditLog({ append: () => {}, readAll: () => lines.slice() });
    expect(rebuilt.verify()).toEqual({ ok: true, count: N + 1 });
    expect(rebuilt.verify(anchor)).toMatchObject({ ok: false, index: N - 1 });
    expect(rebuilt.verify({ count: N + 5, hash: anchor.hash })).toMatchObject({ ok: false, index: N + 1, reason: expect.stringMatching(/ends early/) });
  });
});
