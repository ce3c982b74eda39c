/**
 * In-memory indexes over an audit log, so queries, lastUse and usage never
 * re-read or re-parse the lines they do not return.
 *
 * Per record (by sequence number): time, operation, principal, error code and
 * the key ARNs it used. Per key ARN, operation, principal and error code: the
 * ascending list of sequence numbers. Per key: the sequence number of its
 * last successful cryptographic use. About 100 bytes a record; the lines
 * themselves stay in the sink.
 *
 * `truncate(n)` forgets records n and later (a store transaction that held
 * them rolled back).
 */

/** The operations GetKeyLastUsage counts (AWS KMS API Reference, KeyLastUsageData.Operation). */
export const CRYPTOGRAPHIC_OPERATIONS = new Set([
  "Decrypt",
  "DeriveSharedSecret",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateMac",
  "ReEncrypt",
  "Sign",
  "Verify",
  "VerifyMac",
]);

export interface IndexFilter {
  /** Key ARNs, any of which the record must have used. */
  keyArns?: readonly string[];
  operation?: string;
  principal?: string;
  errorCode?: string;
  from?: number;
  to?: number;
}

export class AuditIndex {
  readonly times: number[] = [];
  readonly operations: string[] = [];
  readonly principals: string[] = [];
  readonly errors: (string | null)[] = [];
  /** The key ARNs of each record: one string, an array, or null for none. */
  readonly keys: (string | readonly string[] | null)[] = [];
  readonly #byKey = new Map<string, number[]>();
  readonly #byOperation = new Map<string, number[]>();
  readonly #byPrincipal = new Map<string, number[]>();
  readonly #byError = new Map<string, number[]>();
  /** Key id (the part after "key/") → the ARNs seen with it. */
  readonly #arnsById = new Map<string, string[]>();
  readonly #lastUse = new Map<string, number>();
  /** Whether times never decrease, so time ranges can be found by binary search. */
  #ordered = true;

  get size(): number {
    return this.times.length;
  }

  add(time: number, operation: string, principal: string, errorCode: string | null, keyArns: readonly string[]): void {
    const seq = this.times.length;
    if (seq > 0 && time < this.times[seq - 1]) this.#ordered = false;
    this.times.push(time);
    this.operations.push(operation);
    this.principals.push(principal);
    this.errors.push(errorCode);
    this.keys.push(keyArns.length === 0 ? null : keyArns.length === 1 ? keyArns[0] : keyArns);
    append(this.#byOperation, operation, seq);
    append(this.#byPrincipal, principal, seq);
    if (errorCode !== null) append(this.#byError, errorCode, seq);
    const used = errorCode === null && CRYPTOGRAPHIC_OPERATIONS.has(operation);
    for (let i = 0; i < keyArns.length; i++) {
      const arn = keyArns[i];
      if (append(this.#byKey, arn, seq)) {
        const id = arn.slice(arn.lastIndexOf("/") + 1);
        const arns = this.#arnsById.get(id);
        if (arns === undefined) this.#arnsById.set(id, [arn]);
        else arns.push(arn);
      }
      if (used) this.#lastUse.set(arn, seq);
    }
  }

  /** Forgets records `count` and later. */
  truncate(count: number): void {
    const touched = new Set<string>();
    for (let seq = this.times.length - 1; seq >= count; seq--) {
      pop(this.#byOperation, this.operations[seq]);
      pop(this.#byPrincipal, this.principals[seq]);
      const error = this.errors[seq];
      if (error !== null) pop(this.#byError, error);
      for (const arn of keysOf(this.keys[seq])) {
        pop(this.#byKey, arn);
        touched.add(arn);
      }
    }
    for (const list of [this.times, this.operations, this.principals, this.errors, this.keys] as unknown[][]) {
      list.length = Math.min(list.length, count);
    }
    for (const arn of touched) {
      if (!this.#byKey.has(arn)) {
        const id = arn.slice(arn.lastIndexOf("/") + 1);
        const rest = (this.#arnsById.get(id) ?? []).filter((a) => a !== arn);
        if (rest.length === 0) this.#arnsById.delete(id);
        else this.#arnsById.set(id, rest);
      }
      const last = this.#findLastUse(arn);
      if (last === undefined) this.#lastUse.delete(arn);
      else this.#lastUse.set(arn, last);
    }
  }

  /** ARNs for a key id or key ARN (a key id may have been seen in more than one Region or account). */
  arnsOf(keyIdOrArn: string): string[] {
    return keyIdOrArn.startsWith("arn:") ? [keyIdOrArn] : (this.#arnsById.get(keyIdOrArn) ?? []);
  }

  /** Every key ARN seen. */
  keyArns(): IterableIterator<string> {
    return this.#byKey.keys();
  }

  /** Sequence number of the key's last successful cryptographic use. */
  lastUse(arn: string): number | undefined {
    return this.#lastUse.get(arn);
  }

  /** Sequence numbers of records with this operation (ascending; empty if none). */
  withOperation(operation: string): readonly number[] {
    return this.#byOperation.get(operation) ?? [];
  }

  /** Sequence numbers of the records matching `filter`, ascending, at most `limit`. */
  find(filter: IndexFilter, limit = Number.POSITIVE_INFINITY): number[] {
    const lists: (readonly number[])[] = [];
    if (filter.keyArns !== undefined) lists.push(mergeAscending(filter.keyArns.map((arn) => this.#byKey.get(arn) ?? [])));
    if (filter.operation !== undefined) lists.push(this.#byOperation.get(filter.operation) ?? []);
    if (filter.principal !== undefined) lists.push(this.#byPrincipal.get(filter.principal) ?? []);
    if (filter.errorCode !== undefined) lists.push(this.#byError.get(filter.errorCode) ?? []);
    const from = filter.from ?? Number.NEGATIVE_INFINITY;
    const to = filter.to ?? Number.POSITIVE_INFINITY;
    const out: number[] = [];
    if (limit <= 0) return out;
    const accept = (seq: number) =>
      this.times[seq] >= from &&
      this.times[seq] <= to &&
      (filter.operation === undefined || this.operations[seq] === filter.operation) &&
      (filter.principal === undefined || this.principals[seq] === filter.principal) &&
      (filter.errorCode === undefined || this.errors[seq] === filter.errorCode) &&
      (filter.keyArns === undefined || keysOf(this.keys[seq]).some((arn) => filter.keyArns!.includes(arn)));
    if (lists.length === 0) {
      const [start, end] = this.#timeRange(from, to);
      for (let seq = start; seq < end && out.length < limit; seq++) if (accept(seq)) out.push(seq);
      return out;
    }
    const shortest = lists.reduce((a, b) => (b.length < a.length ? b : a));
    let i = this.#ordered ? lowerBound(shortest.length, (j) => this.times[shortest[j]] >= from) : 0;
    for (; i < shortest.length && out.length < limit; i++) {
      const seq = shortest[i];
      if (this.#ordered && this.times[seq] > to) break;
      if (accept(seq)) out.push(seq);
    }
    return out;
  }

  /** Sequence numbers [start, end) whose times may lie in [from, to]. */
  #timeRange(from: number, to: number): [number, number] {
    const n = this.times.length;
    if (!this.#ordered) return [0, n];
    return [lowerBound(n, (seq) => this.times[seq] >= from), lowerBound(n, (seq) => this.times[seq] > to)];
  }

  #findLastUse(arn: string): number | undefined {
    const seqs = this.#byKey.get(arn) ?? [];
    for (let i = seqs.length - 1; i >= 0; i--) {
      const seq = seqs[i];
      if (this.errors[seq] === null && CRYPTOGRAPHIC_OPERATIONS.has(this.operations[seq])) return seq;
    }
    return undefined;
  }
}

export function keysOf(keys: string | readonly string[] | null): readonly string[] {
  return keys === null ? [] : typeof keys === "string" ? [keys] : keys;
}

/** Appends to the list under `name`; true if the list is new. */
function append(map: Map<string, number[]>, name: string, seq: number): boolean {
  const list = map.get(name);
  if (list !== undefined) {
    list.push(seq);
    return false;
  }
  map.set(name, [seq]);
  return true;
}

function pop(map: Map<string, number[]>, name: string): void {
  const list = map.get(name);
  if (list === undefined) return;
  list.pop();
  if (list.length === 0) map.delete(name);
}

/** The first index in [0, n) for which `ok` holds (it must be false, then true), or n. */
function lowerBound(n: number, ok: (index: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function mergeAscending(lists: (readonly number[])[]): readonly number[] {
  if (lists.length === 1) return lists[0];
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}
