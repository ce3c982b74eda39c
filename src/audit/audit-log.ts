/**
 * AuditLog: one CloudTrail-shaped record per KMS call, hash-chained, kept in
 * a sink (sinks.ts), indexed in memory for queries, last use and usage.
 *
 * Recording is on every call's path, so it does the least it can: sanitize
 * the request (sanitize.ts), serialize one compact line with a single
 * JSON.stringify, hash it (SHA-256 on the engine, record-line.ts), append it,
 * and add a few numbers to the indexes (audit-index.ts). The CloudTrail
 * object it returns is assembled from the same fields, and queries assemble
 * them again from the stored lines they return.
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
import { AuditIndex } from "./audit-index.js";
import { type AuditEvent, type RecordFields, buildEvent } from "./event.js";
import { type RandomSource, pooledRandom, uuidFrom } from "./event-ids.js";
import { GENESIS_HASH, canonicalForm, hashText, lineOf, parseLine } from "./record-line.js";
import { requestParameters, responseElements } from "./sanitize.js";
import type { AuditSink } from "./sinks.js";
import { type UsageReport, usageReport } from "./usage.js";
import { type ChainHead, type VerifyResult, verifyLines } from "./verify-chain.js";

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

export class AuditLog {
  readonly #sink: AuditSink;
  readonly #random: RandomSource;
  readonly #clock: Clock;
  readonly #index = new AuditIndex();
  /** Hash of record n lives at #recent[n % RECENT] while n is among the newest RECENT. */
  readonly #recent: string[] = new Array(RECENT);
  #next = 0;
  #lastHash = GENESIS_HASH;

  /**
   * Opens the log in `sink`, indexing the lines already there.
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
    this.#take(sink.readAll());
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
    return this.#next === 0 ? undefined : new Date(this.#index.times[0]);
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
    this.#added(fields.time, fields.operation, fields.principal, fields.errorCode, keyArns, fields.hash);
    return buildEvent(fields);
  }

  /**
   * Checks the whole chain: every record's hash, numbering and link, and that
   * the newest record is the one this log wrote (and, given `anchor` from an
   * earlier `head()`, that the log still reaches it unchanged).
   */
  verify(anchor?: ChainHead): VerifyResult {
    this.#sync();
    const heads: ChainHead[] = [{ count: this.#next, hash: this.#lastHash }];
    if (anchor !== undefined) heads.push(anchor);
    return verifyLines(this.#sink.readAll(), heads);
  }

  /** Records matching every given criterion, oldest first. */
  query(q: AuditQuery = {}): AuditEvent[] {
    this.#sync();
    const limit = q.limit ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 0)) throw new TypeError(`AuditLog.query: limit must be ≥ 0, got ${q.limit}`);
    const seqs = this.#index.find(
      {
        keyArns: q.keyId === undefined ? undefined : this.#index.arnsOf(q.keyId),
        operation: q.eventName,
        principal: q.principal,
        errorCode: q.errorCode,
        from: q.from === undefined ? undefined : timeOf(q.from, "from"),
        to: q.to === undefined ? undefined : timeOf(q.to, "to"),
      },
      limit,
    );
    return this.#readLines(seqs).map((line, i) => this.#event(line, seqs[i]));
  }

  /** The key's last successful cryptographic use (for GetKeyLastUsage), by key ARN (or key id). */
  lastUse(keyArn: string): KeyLastUse | undefined {
    this.#sync();
    let seq: number | undefined;
    for (const arn of this.#index.arnsOf(keyArn)) {
      const s = this.#index.lastUse(arn);
      if (s !== undefined && (seq === undefined || s > seq)) seq = s;
    }
    if (seq === undefined) return undefined;
    const event = this.#event(this.#readLines([seq])[0], seq);
    return { time: new Date(this.#index.times[seq]), operation: event.eventName, eventId: event.eventID, requestId: event.requestID };
  }

  /**
   * Calls per operation and per key in `range` (inclusive; default: from the
   * first record to the clock's now), and what they would cost (usage.ts).
   */
  usage(range: { from?: Date | number; to?: Date | number } = {}): UsageReport {
    this.#sync();
    const to = range.to === undefined ? this.#clock.now() : timeOf(range.to, "to");
    const from = range.from === undefined ? (this.#next === 0 ? to : Math.min(this.#index.times[0], to)) : timeOf(range.from, "from");
    if (from > to) throw new RangeError("AuditLog.usage: from is after to");
    return usageReport(this.#index, from, to);
  }

  #event(line: string | undefined, seq: number): AuditEvent {
    const parsed = line === undefined ? { error: "it is gone" } : parseLine(line, false);
    if ("error" in parsed) throw new Error(`AuditLog: record ${seq} cannot be read (${parsed.error}); verify() says more`);
    return buildEvent(parsed.fields);
  }

  /** The lines at `seqs` (ascending), reading runs of consecutive numbers at once. */
  #readLines(seqs: readonly number[]): (string | undefined)[] {
    const read = this.#sink.read?.bind(this.#sink);
    const all = read === undefined && seqs.length > 0 ? this.#sink.readAll() : undefined;
    const out: (string | undefined)[] = [];
    for (let i = 0; i < seqs.length; ) {
      let j = i + 1;
      while (j < seqs.length && seqs[j] === seqs[j - 1] + 1) j++;
      const lines = all ? all.slice(seqs[i], seqs[i] + (j - i)) : read!(seqs[i], j - i);
      for (let k = 0; k < j - i; k++) out.push(lines[k]);
      i = j;
    }
    return out;
  }

  #added(time: number, operation: string, principal: string, errorCode: string | null, keyArns: readonly string[], hash: string): void {
    this.#index.add(time, operation, principal, errorCode, keyArns);
    this.#recent[this.#next % RECENT] = hash;
    this.#lastHash = hash;
    this.#next++;
  }

  /** Indexes lines read from the sink (at start, or appended by someone else). */
  #take(lines: readonly string[]): void {
    for (const line of lines) {
      const parsed = parseLine(line, false);
      if ("fields" in parsed) {
        const f = parsed.fields;
        this.#added(f.time, f.operation, f.principal, f.errorCode, f.keyArns, f.hash);
      } else {
        // Damaged: keep its place, chain on from its bytes; verify() reports it.
        const time = this.#next === 0 ? 0 : this.#index.times[this.#next - 1];
        this.#added(time, "", "", null, [], lineHash(line));
      }
    }
  }

  /** Catches up with a sink that changed behind the log's back (see the file comment). */
  #sync(): void {
    const count = this.#sink.count?.();
    if (count === undefined || count === this.#next || !this.#sink.transactional) return;
    if (count > this.#next) {
      const read = this.#sink.read;
      this.#take(read ? read.call(this.#sink, this.#next, count - this.#next) : this.#sink.readAll().slice(this.#next));
      return;
    }
    if (this.#next - count >= RECENT) return;
    if (count > 0) {
      const last = this.#readLines([count - 1])[0];
      if (last === undefined || lineHash(last) !== this.#recent[(count - 1) % RECENT]) return;
    }
    this.#index.truncate(count);
    this.#next = count;
    this.#lastHash = count === 0 ? GENESIS_HASH : this.#recent[(count - 1) % RECENT];
  }
}

/** The hash a line carries (or, for a damaged line, the hash of its bytes). */
function lineHash(line: string): string {
  const m = /"([0-9a-f]{64})"\]$/.exec(line);
  return m ? m[1] : hashText(line);
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
