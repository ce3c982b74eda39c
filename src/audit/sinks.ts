/**
 * Where an AuditLog's lines go. A sink keeps lines in the order appended and
 * hands them back; it never looks inside them.
 *
 * - memoryAuditSink(): an array, for the default in-memory Kms, tests and
 *   short-lived processes.
 * - storeAuditSink(store): the KeyStore's audit table (KeyStore.appendAudit),
 *   so records survive restarts with a durable store. An append made inside
 *   `store.transaction(fn)` commits or rolls back with fn's other writes, so
 *   a call's record and its effects are stored together or not at all.
 */
import type { KeyStore } from "../store/key-store.js";

export interface AuditSink {
  append(line: string): void;
  /** Every line, oldest first (a fresh array). */
  readAll(): string[];
  /** Optional fast path: lines `from` … `from + limit - 1`. */
  read?(from: number, limit: number): string[];
  /** Optional fast path: the number of lines. */
  count?(): number;
  /**
   * Whether appends take part in the caller's transactions, so that lines
   * just appended can disappear in a rollback (storeAuditSink). Otherwise a
   * shrinking sink can only mean lines were removed behind the log's back.
   */
  readonly transactional?: boolean;
}

/** A sink in memory. `lines` is the live array (tests read it, and tamper with it). */
export function memoryAuditSink(): AuditSink & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    append: (line) => {
      lines.push(line);
    },
    readAll: () => lines.slice(),
    read: (from, limit) => lines.slice(from, from + limit),
    count: () => lines.length,
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
