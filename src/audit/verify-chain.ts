/**
 * Checks a log's lines against the hash chain (record-line.ts) and says where
 * it breaks and how:
 *
 * - modified: a line's bytes do not match its hash; or they do (it was
 *   re-hashed) but the next record's previousHash no longer matches it, which
 *   blames the earlier record; or it is the last record and differs from the
 *   head the caller knows.
 * - deleted: the record at position p is numbered above p, and no later line
 *   holds number p.
 * - reordered: the same, but number p turns up later.
 * - inserted: two lines claim the same number. If the second one links
 *   directly to the record before the first, the first is the intruder;
 *   otherwise the second is.
 * - cut short: fewer lines than the head the caller knows.
 *
 * Lines are numbered from 0, and `index` in a failure is a position in the
 * list as stored. When a sink has dropped its oldest lines (retention,
 * sinks.ts), checking starts from the last line dropped: it must be intact
 * and numbered one below the count dropped, or lines were removed behind
 * the sink's back (reported at index 0), and the first line kept must be
 * numbered `count` and link to it. A head among the dropped records can no
 * longer be checked and is passed over.
 */
import { GENESIS_HASH, parseLine } from "./record-line.js";
import type { DroppedLines } from "./sinks.js";

/**
 * `count`: the records in the chain, dropped ones included (the next record's
 * number); `from`: the first record checked, when older ones were dropped.
 */
export type VerifyResult = { ok: true; count: number; from?: number } | { ok: false; index: number; reason: string };

/** The newest record a reader knows of: how many there were, and the last one's hash. */
export interface ChainHead {
  count: number;
  hash: string;
}

/** How far ahead to look for a missing record number before calling it deleted rather than moved. */
const LOOKAHEAD = 10_000;

/** Reads lines `from` … `from + limit - 1` (fewer at the end). */
export type ReadLines = (from: number, limit: number) => readonly string[];

/** Lines verified per read. */
const PAGE = 1024;

/** Checks the lines `read` gives, a page at a time (memory: one page); `dropped`: what the sink dropped. */
export function verifyChain(read: ReadLines, heads: readonly ChainHead[] = [], dropped?: DroppedLines): VerifyResult {
  const fail = (index: number, reason: string): VerifyResult => ({ ok: false, index, reason });
  const hashAt = new Map<number, string>();
  const wanted = new Set(heads.map((h) => h.count - 1));
  let base = 0; // number of the record at position 0
  let previous = GENESIS_HASH; // hash of the record at p - 1
  if (dropped !== undefined) {
    const last = dropped.count - 1;
    const parsed = parseLine(dropped.last, true);
    if ("error" in parsed || !parsed.hashOk) return fail(0, `record ${last}, the last one dropped, which the records kept continue from, was damaged or modified`);
    if (parsed.fields.sequence !== last) {
      return fail(0, `records were removed behind the log's back: the sink dropped its oldest ${dropped.count} lines, but the last of them is record ${parsed.fields.sequence}`);
    }
    base = dropped.count;
    previous = parsed.fields.hash;
    if (wanted.has(last)) hashAt.set(last, previous);
  }
  let before = previous; // hash of the record at p - 2
  let previousLine: string | undefined;
  let p = 0;
  for (;;) {
    const page = read(p, PAGE);
    for (let i = 0; i < page.length; i++, p++) {
      const line = page[i];
      const n = base + p; // the number position p should hold
      const parsed = parseLine(line, true);
      if ("error" in parsed) return fail(p, `record ${n} is damaged: ${parsed.error}`);
      const f = parsed.fields;
      if (!parsed.hashOk) return fail(p, `record ${n} was modified: its contents do not match its hash`);
      if (f.sequence > n) {
        const at = findSequence(read, p + 1, n);
        return at >= 0
          ? fail(p, `records are out of order: position ${p} holds record ${f.sequence}, and record ${n} is at position ${at}`)
          : fail(p, `record ${n} is missing (deleted): the record at its position is number ${f.sequence}`);
      }
      if (f.sequence < n) {
        if (line === previousLine) return fail(p, `record at position ${p} is a copy of the one before it (replayed)`);
        return p >= 1 && f.sequence === n - 1 && f.previousHash === before
          ? fail(p - 1, `record at position ${p - 1} was inserted: the next record, number ${n - 1}, follows the one before it`)
          : fail(p, `record at position ${p} was inserted or replayed: it claims number ${f.sequence}`);
      }
      if (f.previousHash !== previous) {
        if (p > 0) return fail(p - 1, `record ${n - 1} was modified (and re-hashed): its hash no longer matches the link in record ${n}`);
        return base === 0
          ? fail(0, "record 0 was modified: it does not start the chain")
          : fail(0, `record ${n} does not link to record ${n - 1}, the last one dropped: one of them was modified`);
      }
      if (wanted.has(n)) hashAt.set(n, f.hash);
      before = previous;
      previous = f.hash;
      previousLine = line;
    }
    if (page.length < PAGE) break;
  }
  const count = base + p;
  for (const head of heads) {
    if (count < head.count) {
      return fail(p, `records ${count} to ${head.count - 1} are missing: the log ends early`);
    }
    // A head among the records dropped before the anchor cannot be checked any more.
    if (head.count > 0 && head.count >= base && hashAt.get(head.count - 1) !== head.hash) {
      return fail(Math.max(0, head.count - 1 - base), `record ${head.count - 1} was modified (and re-hashed): it is not the record this log wrote`);
    }
  }
  return base > 0 ? { ok: true, count, from: base } : { ok: true, count };
}

/** Position of the first line from `start` on (within LOOKAHEAD) numbered `sequence`, or -1. */
function findSequence(read: ReadLines, start: number, sequence: number): number {
  for (let q = start; q < start + LOOKAHEAD; ) {
    const page = read(q, Math.min(PAGE, start + LOOKAHEAD - q));
    for (let i = 0; i < page.length; i++, q++) {
      const parsed = parseLine(page[i], false);
      if ("fields" in parsed && parsed.fields.sequence === sequence) return q;
    }
    if (page.length === 0) break;
  }
  return -1;
}
