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
 * list as stored.
 */
import { GENESIS_HASH, parseLine } from "./record-line.js";

export type VerifyResult = { ok: true; count: number } | { ok: false; index: number; reason: string };

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

export function verifyLines(lines: readonly string[], heads: readonly ChainHead[] = []): VerifyResult {
  return verifyChain((from, limit) => lines.slice(from, from + limit), heads);
}

/** The same check, reading the lines a page at a time (memory: one page). */
export function verifyChain(read: ReadLines, heads: readonly ChainHead[] = []): VerifyResult {
  const fail = (index: number, reason: string): VerifyResult => ({ ok: false, index, reason });
  const hashAt = new Map<number, string>();
  const wanted = new Set(heads.map((h) => h.count - 1));
  let before = GENESIS_HASH; // hash of the record at p - 2
  let previous = GENESIS_HASH; // hash of the record at p - 1
  let previousLine: string | undefined;
  let p = 0;
  for (;;) {
    const page = read(p, PAGE);
    for (let i = 0; i < page.length; i++, p++) {
      const line = page[i];
      const parsed = parseLine(line, true);
      if ("error" in parsed) return fail(p, `record ${p} is damaged: ${parsed.error}`);
      const f = parsed.fields;
      if (!parsed.hashOk) return fail(p, `record ${p} was modified: its contents do not match its hash`);
      if (f.sequence > p) {
        const at = findSequence(read, p + 1, p);
        return at >= 0
          ? fail(p, `records are out of order: position ${p} holds record ${f.sequence}, and record ${p} is at position ${at}`)
          : fail(p, `record ${p} is missing (deleted): the record at its position is number ${f.sequence}`);
      }
      if (f.sequence < p) {
        if (line === previousLine) return fail(p, `record at position ${p} is a copy of the one before it (replayed)`);
        return p >= 1 && f.sequence === p - 1 && f.previousHash === before
          ? fail(p - 1, `record at position ${p - 1} was inserted: the next record, number ${p - 1}, follows the one before it`)
          : fail(p, `record at position ${p} was inserted or replayed: it claims number ${f.sequence}`);
      }
      if (f.previousHash !== previous) {
        return p === 0
          ? fail(0, "record 0 was modified: it does not start the chain")
          : fail(p - 1, `record ${p - 1} was modified (and re-hashed): its hash no longer matches the link in record ${p}`);
      }
      if (wanted.has(p)) hashAt.set(p, f.hash);
      before = previous;
      previous = f.hash;
      previousLine = line;
    }
    if (page.length < PAGE) break;
  }
  const count = p;
  for (const head of heads) {
    if (count < head.count) {
      return fail(count, `records ${count} to ${head.count - 1} are missing: the log ends early`);
    }
    if (head.count > 0 && hashAt.get(head.count - 1) !== head.hash) {
      return fail(head.count - 1, `record ${head.count - 1} was modified (and re-hashed): it is not the record this log wrote`);
    }
  }
  return { ok: true, count };
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
