/**
 * Where an AuditLog's lines go. A sink keeps lines in the order appended and
 * hands them back; it never looks inside them.
 *
 * - memoryAuditSink(): an array, for the default in-memory Kms, tests and
 *   short-lived processes. It keeps the newest `maxRecords` lines (default
 *   100,000, a few tens of MB): once it holds maxRecords + maxRecords / 10,
 *   it drops the oldest tenth in one splice, so an append costs O(1)
 *   amortized and a long-lived process stays bounded. Like CloudTrail's event
 *   history, it is a window on the newest records. The last line dropped and
 *   how many were dropped are its anchor (`dropped()`): the retained lines
 *   continue the hash chain from that line, so verify() still checks them,
 *   and lines removed by anything but the sink itself still show. The
 *   anchor is the sink's own state, out of reach of whoever holds `lines`.
 * - storeAuditSink(store): the KeyStore's audit table (KeyStore.appendAudit),
 *   so records survive restarts with a durable store. It keeps every record
 *   (no retention). An append made inside `store.transaction(fn)` commits or
 *   rolls back with fn's other writes, so a call's record and its effects
 *   are stored together or not at all.
 */
import type { KeyStore } from "../store/key-store.js";

/** Lines a sink dropped (retention): how many, oldest first, and the last of them. */
export interface DroppedLines {
  count: number;
  last: string;
}

export interface AuditSink {
  append(line: string): void;
  /** Every line it holds, oldest first (a fresh array). */
  readAll(): string[];
  /** Optional fast path: lines `from` … `from + limit - 1` of those it holds. */
  read?(from: number, limit: number): string[];
  /** Optional fast path: the number of lines it holds. */
  count?(): number;
  /**
   * Optional: what it dropped, if anything. Its first line is then record
   * number `count`, linked to the record in `last`.
   */
  dropped?(): DroppedLines | undefined;
  /**
   * Whether appends take part in the caller's transactions, so that lines
   * just appended can disappear in a rollback (storeAuditSink). Otherwise a
   * shrinking sink can only mean lines were removed behind the log's back.
   */
  readonly transactional?: boolean;
}

/** memoryAuditSink's default bound: the newest 100,000 records (at ~0.5 KB each, ~50 MB). */
export const MEMORY_AUDIT_MAX_RECORDS = 100_000;

export interface MemoryAuditSinkOptions {
  /** Records kept at least (up to a tenth more), a positive integer; Infinity keeps every one. Default 100,000. */
  maxRecords?: number;
}

/** A sink in memory. `lines` is the live array (tests read it, and tamper with it). */
export function memoryAuditSink(options: MemoryAuditSinkOptions = {}): AuditSink & { readonly lines: string[]; dropped(): DroppedLines | undefined } {
  const max = options.maxRecords ?? MEMORY_AUDIT_MAX_RECORDS;
  if (!(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1))) {
    throw new TypeError(`memoryAuditSink: maxRecords must be a positive integer or Infinity, got ${String(max)}`);
  }
  const chunk = Math.ceil(max / 10);
  const lines: string[] = [];
  let dropped: DroppedLines | undefined;
  return {
    lines,
    append: (line) => {
      if (lines.push(line) < max + chunk) return;
      dropped = { count: (dropped?.count ?? 0) + chunk, last: lines[chunk - 1] };
      lines.splice(0, chunk);
    },
    readAll: () => lines.slice(),
    read: (from, limit) => lines.slice(from, from + limit),
    count: () => lines.length,
    dropped: () => dropped && { ...dropped },
  };
}

/** A sink in the KeyStore's audit table. */
export function storeAuditSink(store: KeyStore): AuditSink {
  return {
    transactional: true,
    append: (line) => store.appendAudit(line),
    readAll: () => store.readAudit(0),
    read: (from, limit) => store.readAudit(from, limit),
    count: () => store.auditCount(),
  };
}
