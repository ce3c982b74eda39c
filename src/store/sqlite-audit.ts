/**
 * The audit lines of a SqliteKeyStore (Node only): the `audit` table, whose
 * `sequence` column is the rowid, one more than the line's number. Rows are
 * appended with rowid = max + 1 (no AUTOINCREMENT), so a line taken back by a
 * rollback leaves no gap and the next append reuses its number.
 *
 * Lines appended outside a transaction may wait in memory and be written
 * `batch` at a time (see SqliteKeyStoreOptions.auditBatch): a call that
 * changed nothing then costs no commit of its own. Waiting lines count and
 * read like written ones; they are written, in one transaction of their own,
 * when `batch` are waiting and by `flush()`, which the store calls before
 * each transaction and at close. Lines appended inside a transaction are
 * written at once, as part of it.
 */
import type Database from "better-sqlite3";
import type { AuditTable } from "./table-key-store.js";

export class SqliteAuditTable implements AuditTable {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string]>;
  readonly #read: Database.Statement<[number, number], string>;
  readonly #max: Database.Statement<[], number | null>;
  readonly #writeAll: Database.Transaction<(lines: string[]) => void>;
  readonly #cache: boolean;
  readonly #batch: number;
  /** Lines appended outside a transaction and not written yet (numbered after every written line). */
  #waiting: string[] = [];
  /** Cached count of written lines (exclusive mode only); undefined until read, and after a failed transaction. */
  #written: number | undefined;

  constructor(db: Database.Database, cache: boolean, batch: number) {
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`auditBatch must be an integer ≥ 1, got ${batch}`);
    this.#db = db;
    this.#insert = db.prepare("INSERT INTO audit (line) VALUES (?)");
    this.#read = db.prepare<[number, number], string>("SELECT line FROM audit WHERE sequence > ? ORDER BY sequence LIMIT ?").pluck();
    this.#max = db.prepare<[], number | null>("SELECT max(sequence) FROM audit").pluck();
    this.#writeAll = db.transaction((lines: string[]) => {
      for (const line of lines) this.#insert.run(line);
    });
    this.#cache = cache;
    this.#batch = batch;
  }

  append(line: string): void {
    if (this.#batch > 1 && !this.#db.inTransaction) {
      this.#waiting.push(line);
      if (this.#waiting.length >= this.#batch) this.flush();
      return;
    }
    this.flush();
    const written = this.#writtenCount();
    this.#insert.run(line);
    if (this.#cache) this.#written = written + 1;
  }

  read(from: number, limit: number): string[] {
    const written = this.#writtenCount();
    // SQLite takes a negative LIMIT as "no limit".
    const out = from < written ? this.#read.all(from, limit === Number.POSITIVE_INFINITY ? -1 : limit) : [];
    if (out.length < limit && this.#waiting.length > 0) {
      const start = Math.max(0, from - written);
      out.push(...this.#waiting.slice(start, start + (limit - out.length)));
    }
    return out;
  }

  count(): number {
    return this.#writtenCount() + this.#waiting.length;
  }

  /** Writes the waiting lines, in one transaction (or in the one already open). */
  flush(): void {
    if (this.#waiting.length === 0) return;
    const lines = this.#waiting;
    const written = this.#writtenCount();
    this.#writeAll.immediate(lines);
    this.#waiting = [];
    if (this.#cache) this.#written = written + lines.length;
  }

  dropCache(): void {
    this.#written = undefined;
  }

  #writtenCount(): number {
    if (this.#written !== undefined) return this.#written;
    const count = this.#max.get() ?? 0;
    if (this.#cache) this.#written = count;
    return count;
  }
}
