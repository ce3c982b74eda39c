/**
 * AuditLog: one CloudTrail-shaped record per KMS call, hash-chained, kept in
 * a sink (sinks.ts).
 *
 * Recording is on every call's path, so it does the least it can: sanitize
 * the request (sanitize.ts), serialize one compact line with a single
 * JSON.stringify, hash it (SHA-256 on the engine, record-line.ts), append it,
 * and note the call's keys' last use (audit-index.ts). The CloudTrail
 * object it returns is assembled from the same fields.
 *
 * Memory is O(number of keys), not O(number of records): the log keeps the
 * chain's head (count, last hash, the hashes of the newest records), the
 * first record's time, and per key its last successful use and billable
 * span. `query()`, `usage()` and `verify()` read the records back from the
 * sink a page at a time. (The memory sink holds the newest maxRecords lines;
 * a store-backed sink keeps every line in the store.)
 *
 * A sink that drops its oldest lines (retention) numbers its first line
 * after them (`sink.dropped()`): queries and usage's request counts see the
 * lines kept, verify() checks them from the last line dropped, and the
 * per-key state (lastUse, trackingStart, usage's key-months) still covers
 * every record the log made.
 *
 * With a transactional sink (storeAuditSink), a record appended inside a
 * store transaction that then rolls back disappears from the store; the log
 * notices on its next use (the sink holds fewer lines than it wrote, and the
 * last one left is one it wrote) and forgets those records too, so the chain
 * continues from what was committed. Lines someone else appended to a store
 * (two logs on one shared file) are taken in as they are. Any other change
 * to a sink behind the log's back is tampering, and `verify()` says where.
 * Removing the newest records of a store while the log is open looks like a
 * rollback; `head()` gives an anchor to keep elsewhere for `verify(anchor)`.
 */
import { type Clock, systemClock } from "../clock.js";
import { CRYPTOGRAPHIC_OPERATIONS, KeyIndex } from "./audit-index.js";
import { type AuditEvent, type RecordFields, buildEvent } from "./event.js";
import { type RandomSource, pooledRandom, uuidFrom } from "./event-ids.js";
import { GENESIS_HASH, canonicalForm, hashText, lineHash, lineOf, parseLine } from "./record-line.js";
import { requestParameters, responseElements } from "./sanitize.js";
import type { AuditSink } from "./sinks.js";
import { KeyLives, type UsageRecord, type UsageReport, usageReport } from "./usage.js";
import { type ChainHead, type ReadLines, type VerifyResult, verifyChain } from "./verify-chain.js";

/** One call, as the Kms reports it. */
export interface AuditInput {
  /** When the call was made (ms since the epoch). */
  time: number;
  /** The AWS operation name, e.g. "GenerateDataKey". */
  operation: string;
  region: string;
  /** The account whose KMS (and log) this is. */
  account: string;
  /** ARN of the caller (or a service name such as "kms.amazonaws.com" for KMS's own actions). */
  principal: string;
  /** The request as the caller sent it (AWS's shape); secrets are removed before anything is kept. */
  request: object;
  /** The response, for calls that succeeded. */
  response?: object;
  /** The error, for calls that failed: its AWS name ("AccessDeniedException") and message. */
  error?: { name: string; message: string };
  /** ARNs of the keys the call used. */
  keyArns: readonly string[];
  readOnly: boolean;
  sourceIp?: string;
  userAgent?: string;
  /** The call's request id, if it has one already (default: a new random UUID). */
  requestId?: string;
}

export interface AuditQuery {
  /** Key id or key ARN. */
  keyId?: string;
  eventName?: string;
  /** Caller ARN. */
  principal?: string;
  errorCode?: string;
  /** Inclusive. */
  from?: Date | number;
  /** Inclusive. */
  to?: Date | number;
  /** At most this many records: the oldest that match. */
  limit?: number;
}

export interface KeyLastUse {
  time: Date;
  operation: string;
  eventId: string;
  requestId: string;
}

/** Hashes of the newest records, to tell a rolled-back append from tampering. */
const RECENT = 256;
/** Lines read from the sink at a time. */
const PAGE = 1024;

export class AuditLog {
  readonly #sink: AuditSink;
  readonly #random: RandomSource;
  readonly #clock: Clock;
  readonly #keys = new KeyIndex();
  #lives = new KeyLives();
  /** Time of the first record the log took in (0 if damaged); undefined while the log is empty. */
  #firstTime: number | undefined;
  /** Hash of record n lives at #recent[n % RECENT] while n is among the newest RECENT. */
  readonly #recent: string[] = new Array(RECENT);
  #next = 0;
  #lastHash = GENESIS_HASH;

  /**
   * Opens the log in `sink`, reading the lines already there (a page at a time).
   * opts.random: random bytes for event and request ids (default: the platform CSPRNG);
   * opts.clock: the end of `usage()`'s default range (default: the system clock).
   */
  constructor(sink: AuditSink, opts: { random?: () => Uint8Array; clock?: Clock } = {}) {
    if (typeof sink?.append !== "function" || typeof sink.readAll !== "function") {
      throw new TypeError("AuditLog: sink must have append(line) and readAll()");
    }
    this.#sink = sink;
    this.#random = opts.random ?? pooledRandom();
    this.#clock = opts.clock ?? systemClock;
    const dropped = sink.dropped?.();
    if (dropped !== undefined) {
      this.#next = dropped.count;
      this.#lastHash = lineHash(dropped.last);
    }
    this.#catchUp();
  }

  /** Records in the log. */
  get size(): number {
    this.#sync();
    return this.#next;
  }

  /** How many records there are and the newest one's hash: keep it elsewhere to anchor `verify`. */
  head(): ChainHead {
    this.#sync();
    return { count: this.#next, hash: this.#lastHash };
  }

  /** When the first record was made (GetKeyLastUsage's TrackingStartDate), if there is one. */
  trackingStart(): Date | undefined {
    this.#sync();
    return this.#firstTime === undefined ? undefined : new Date(this.#firstTime);
  }

  /** Records one call and returns its event. Nothing is kept if the sink refuses the line. */
  record(input: AuditInput): AuditEvent {
    this.#sync();
    checkInput(input);
    // One key (the common case) needs no copy: nothing keeps the array itself.
    const keyArns = input.keyArns.length > 1 ? [...new Set(input.keyArns)] : (input.keyArns as string[]);
    const fields: RecordFields = {
      sequence: this.#next,
      previousHash: this.#lastHash,
      time: input.time,
      operation: input.operation,
      principal: input.principal,
      account: input.account,
      region: input.region,
      request: requestParameters(input.request),
      response: input.error === undefined ? responseElements(input.operation, input.response, input.readOnly, keyArns) : null,
      errorCode: input.error === undefined ? null : String(input.error.name),
      errorMessage: input.error === undefined ? null : String(input.error.message),
      keyArns,
      readOnly: input.readOnly,
      requestId: input.requestId ?? uuidFrom(this.#random()),
      eventId: uuidFrom(this.#random()),
      sourceIp: input.sourceIp ?? null,
      userAgent: input.userAgent ?? null,
      hash: "",
    };
    const canonical = canonicalForm(fields);
    fields.hash = hashText(canonical);
    this.#sink.append(lineOf(canonical, fields.hash));
    this.#keys.note(fields.sequence, fields.time, fields.operation, fields.errorCode, keyArns, fields.eventId, fields.requestId);
    this.#lives.note(fields.sequence, fields);
    this.#added(fields.time, fields.hash);
    return buildEvent(fields);
  }

  /**
   * Checks the whole chain: every record's hash, numbering and link, and that
   * the newest record is the one this log wrote (and, given `anchor` from an
   * earlier `head()`, that the log still reaches it unchanged). Records the
   * sink dropped are not checked: the chain is checked from the last of them
   * (verify-chain.ts), and an anchor among them is passed over.
   */
  verify(anchor?: ChainHead): VerifyResult {
    this.#sync();
    const heads: ChainHead[] = [{ count: this.#next, hash: this.#lastHash }];
    if (anchor !== undefined) heads.push(anchor);
    const dropped = this.#sink.dropped?.();
    const result = verifyChain(this.#reader(), heads, dropped);
    if (result.ok && result.count > this.#next) {
      // Well-chained lines after the last one this log wrote (a sink that does not take part in
      // transactions cannot have gained them any other way): they were appended behind its back.
      const index = this.#next - (dropped?.count ?? 0);
      return { ok: false, index, reason: `records ${this.#next} to ${result.count - 1} were appended behind the log's back: it wrote ${this.#next}` };
    }
    return result;
  }

  /** Records matching every given criterion, oldest first (read back from the sink). */
  query(q: AuditQuery = {}): AuditEvent[] {
    this.#sync();
    const limit = q.limit ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 0)) throw new TypeError(`AuditLog.query: limit must be ≥ 0, got ${q.limit}`);
    const from = q.from === undefined ? Number.NEGATIVE_INFINITY : timeOf(q.from, "from");
    const to = q.to === undefined ? Number.POSITIVE_INFINITY : timeOf(q.to, "to");
    const out: AuditEvent[] = [];
    if (limit <= 0) return out;
    const { keyId, eventName, principal, errorCode } = q;
    const arns = keyId === undefined ? undefined : this.#keys.arnsOf(keyId);
    if (arns !== undefined && arns.length === 0) return out;
    // Cheap tests on the raw line first: a record can only match if the line holds these strings.
    const needles: string[] = [];
    for (const value of [eventName, principal, errorCode]) if (value) needles.push(JSON.stringify(value));
    if (arns?.length === 1) needles.push(JSON.stringify(arns[0]));
    for (const r of this.#records(needles)) {
      if (r.time < from || r.time > to) continue;
      if (eventName !== undefined && r.operation !== eventName) continue;
      if (principal !== undefined && r.principal !== principal) continue;
      if (errorCode !== undefined && r.errorCode !== errorCode) continue;
      if (arns !== undefined && !r.keyArns.some((arn) => arns.includes(arn))) continue;
      if (r.fields === undefined) throw new Error(`AuditLog: record ${r.seq} cannot be read (${r.damage}); verify() says more`);
      out.push(buildEvent(r.fields));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The key's last successful cryptographic use (for GetKeyLastUsage), by key ARN (or key id). */
  lastUse(keyArn: string): KeyLastUse | undefined {
    this.#sync();
    let last: ReturnType<KeyIndex["lastUse"]>;
    for (const arn of this.#keys.arnsOf(keyArn)) {
      const use = this.#keys.lastUse(arn);
      if (use !== undefined && (last === undefined || use.seq > last.seq)) last = use;
    }
    if (last === undefined) return undefined;
    return { time: new Date(last.time), operation: last.operation, eventId: last.eventId, requestId: last.requestId };
  }

  /**
   * Calls per operation and per key in `range` (inclusive; default: from the
   * first record to the clock's now), and what they would cost (usage.ts).
   * Reads every record back from the sink: requests are counted among the
   * records it holds, key-months over every record the log made.
   */
  usage(range: { from?: Date | number; to?: Date | number } = {}): UsageReport {
    this.#sync();
    const to = range.to === undefined ? this.#clock.now() : timeOf(range.to, "to");
    const from = range.from === undefined ? (this.#firstTime === undefined ? to : Math.min(this.#firstTime, to)) : timeOf(range.from, "from");
    if (from > to) throw new RangeError("AuditLog.usage: from is after to");
    return usageReport(this.#records([]), from, to, this.#lives, this.#firstTime);
  }

  /**
   * Every record now in the sink, oldest first, read a page at a time. A
   * damaged line reads as a record with no operation, caller or keys, at the
   * time of the one before it. Lines lacking one of `needles` are skipped
   * unparsed (they cannot match).
   */
  *#records(needles: readonly string[]): Generator<ScannedRecord> {
    const count = this.#next;
    const base = this.#base();
    const read = this.#reader();
    let time = 0;
    for (let seq = base; seq < count; ) {
      const page = read(seq - base, Math.min(PAGE, count - seq));
      if (page.length === 0) return;
      for (let i = 0; i < page.length; i++, seq++) {
        const line = page[i];
        let n = 0;
        while (n < needles.length && line.includes(needles[n])) n++;
        if (n < needles.length) continue;
        const parsed = parseLine(line, false);
        if ("fields" in parsed) {
          const f = parsed.fields;
          time = f.time;
          yield { seq, time, operation: f.operation, principal: f.principal, errorCode: f.errorCode, keyArns: f.keyArns, fields: f };
        } else {
          yield { seq, time, operation: "", principal: "", errorCode: null, keyArns: [], damage: parsed.error };
        }
      }
    }
  }

  #added(time: number, hash: string): void {
    this.#firstTime ??= time;
    this.#recent[this.#next % RECENT] = hash;
    this.#lastHash = hash;
    this.#next++;
  }

  /** Takes in the sink's lines after the last one taken (at start, or appended by someone else). */
  #catchUp(): void {
    const base = this.#base();
    const read = this.#reader();
    for (let page: readonly string[]; (page = read(this.#next - base, PAGE)).length > 0; ) this.#take(page);
  }

  #take(lines: readonly string[]): void {
    for (const line of lines) {
      const parsed = parseLine(line, false);
      if ("fields" in parsed) {
        const f = parsed.fields;
        this.#keys.note(this.#next, f.time, f.operation, f.errorCode, f.keyArns, f.eventId, f.requestId);
        this.#lives.note(this.#next, f);
        this.#added(f.time, f.hash);
      } else {
        // Damaged: keep its place, chain on from its bytes; verify() reports it.
        this.#added(0, lineHash(line));
      }
    }
  }

  /** Catches up with a sink that changed behind the log's back (see the file comment). */
  #sync(): void {
    if (!this.#sink.transactional || this.#sink.count === undefined) return;
    const base = this.#base();
    const count = base + this.#sink.count();
    if (count === this.#next) return;
    if (count > this.#next) return this.#catchUp();
    if (this.#next - count >= RECENT || (count > 0 && count <= base)) return;
    if (count > 0) {
      const last = this.#reader()(count - 1 - base, 1)[0];
      if (last === undefined || lineHash(last) !== this.#recent[(count - 1) % RECENT]) return;
    }
    this.#next = count;
    this.#lastHash = count === 0 ? GENESIS_HASH : this.#recent[(count - 1) % RECENT];
    if (count === 0) this.#firstTime = undefined;
    this.#findLastUses(this.#keys.forgetFrom(count), count);
    if (this.#lives.changed >= count) {
      this.#lives = new KeyLives();
      for (const r of this.#records([])) this.#lives.note(r.seq, r);
    }
  }

  /** After a rollback: looks back from record `count - 1` for the last use of each of `arns`. */
  #findLastUses(arns: Set<string>, count: number): void {
    const base = this.#base();
    const read = this.#reader();
    for (let end = count; arns.size > 0 && end > base; ) {
      const start = Math.max(base, end - PAGE);
      const page = read(start - base, end - start);
      for (let i = page.length - 1; i >= 0 && arns.size > 0; i--) {
        const parsed = parseLine(page[i], false);
        if (!("fields" in parsed)) continue;
        const f = parsed.fields;
        if (f.errorCode !== null || !CRYPTOGRAPHIC_OPERATIONS.has(f.operation)) continue;
        for (const arn of f.keyArns) {
          if (!arns.delete(arn)) continue;
          this.#keys.restore(arn, { seq: start + i, time: f.time, operation: f.operation, eventId: f.eventId, requestId: f.requestId });
        }
      }
      end = start;
    }
  }

  /** Number of the sink's first line (how many it dropped). */
  #base(): number {
    return this.#sink.dropped?.()?.count ?? 0;
  }

  /** Reads the sink's lines by position (a sink without read() is read whole, once per reader). */
  #reader(): ReadLines {
    const sink = this.#sink;
    if (sink.read !== undefined) return sink.read.bind(sink);
    const all = sink.readAll();
    return (from, limit) => all.slice(from, from + limit);
  }
}

interface ScannedRecord extends UsageRecord {
  seq: number;
  principal: string;
  /** Absent for a damaged line. */
  fields?: RecordFields;
  damage?: string;
}

function timeOf(value: Date | number, what: string): number {
  const t = value instanceof Date ? value.getTime() : value;
  if (typeof t !== "number" || Number.isNaN(t)) throw new TypeError(`AuditLog: ${what} must be a Date or a number of ms, got ${String(value)}`);
  return t;
}

const MAX_TIME = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z: eventTime stays a plain ISO date

function checkInput(input: AuditInput): void {
  if (typeof input !== "object" || input === null) throw new TypeError("AuditLog.record: input must be an object");
  const { time, operation, principal, account, region, keyArns, readOnly } = input;
  if (typeof time !== "number" || !(time >= 0 && time <= MAX_TIME)) throw new TypeError(`AuditLog.record: time must be ms since the epoch, got ${time}`);
  if (typeof operation !== "string" || operation === "") throw new TypeError("AuditLog.record: operation must be a non-empty string");
  if (typeof principal !== "string" || typeof account !== "string" || typeof region !== "string") {
    throw new TypeError("AuditLog.record: principal, account and region must be strings");
  }
  if (!Array.isArray(keyArns)) throw new TypeError("AuditLog.record: keyArns must be an array of ARNs");
  for (let i = 0; i < keyArns.length; i++) {
    if (typeof keyArns[i] !== "string") throw new TypeError("AuditLog.record: keyArns must be an array of ARNs");
  }
  if (typeof readOnly !== "boolean") throw new TypeError("AuditLog.record: readOnly must be a boolean");
  for (const field of ["sourceIp", "userAgent", "requestId"] as const) {
    const value = input[field];
    if (value !== undefined && typeof value !== "string") throw new TypeError(`AuditLog.record: ${field} must be a string`);
  }
  const { error } = input;
  if (error !== undefined && (typeof error !== "object" || error === null)) throw new TypeError("AuditLog.record: error must be { name, message }");
}
