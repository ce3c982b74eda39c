/**
 * What the calls in an audit log would cost on AWS KMS, at the seed
 * document's prices: $1 per customer managed key per month, $0.03 per 10,000
 * requests.
 *
 * Requests: every recorded call in the range except throttled ones (a
 * ThrottlingException was never served), successful or not, with or without
 * a key (GenerateRandom counts). AWS's free tier (20,000 requests a month)
 * and its higher prices for some asymmetric requests are left out, as the
 * seed leaves them out.
 *
 * Key-months: AWS prorates the monthly key charge by the hour; here a key
 * counts for the exact time it existed inside the range, in months of 730
 * hours (8,760 / 12, AWS's usual hours per month). Every key in this KMS is
 * customer managed. A key's time starts at its successful CreateKey (or, for
 * a key the log shows in use but never saw created, at the log's first
 * record); stops at a successful ScheduleKeyDeletion, since AWS does not
 * charge for keys pending deletion; starts again from the scheduling time
 * if CancelKeyDeletion follows (AWS then charges "as though it was never
 * scheduled for deletion"); and a DeleteKey record ends it for good.
 *
 * Key time comes from per-key state kept for every record the log has made
 * (KeyLives), so it survives an in-memory log dropping its oldest records;
 * requests are counted from the records the log still holds.
 */
/** What usage needs of one record. */
export interface UsageRecord {
  time: number;
  operation: string;
  errorCode: string | null;
  keyArns: readonly string[];
}

export const PRICES = {
  /** USD per customer managed key per month. */
  perKeyMonth: 1,
  /** USD per 10,000 requests. */
  per10kRequests: 0.03,
  /** Hours in a billing month, for prorating key time. */
  hoursPerMonth: 730,
} as const;

const MS_PER_MONTH = PRICES.hoursPerMonth * 3_600_000;

export interface KeyUsage {
  /** Requests that used the key. */
  requests: number;
  byOperation: Record<string, number>;
  /** Months (of 730 hours) the key was billable inside the range. */
  keyMonths: number;
  /** USD: the key's monthly charge plus its requests. */
  cost: number;
}

export interface UsageReport {
  from: Date;
  to: Date;
  /** Billable requests: every call in the range but throttled ones. */
  requests: number;
  throttledRequests: number;
  byOperation: Record<string, number>;
  /** By key ARN: keys used, or billable, in the range. */
  byKey: Record<string, KeyUsage>;
  keyMonths: number;
  /** USD. */
  cost: { keys: number; requests: number; total: number };
  prices: typeof PRICES;
}

const requestCost = (requests: number) => (requests * PRICES.per10kRequests) / 10_000;

/**
 * The report for [from, to]: requests counted over `records` (the log's
 * records, oldest first, in one pass; memory: per operation and per key),
 * key-months from `lives`, which cover every record the log has made.
 * `first`: the time of the log's first record.
 */
export function usageReport(records: Iterable<UsageRecord>, from: number, to: number, lives: KeyLives, first: number | undefined): UsageReport {
  const byOperation: Record<string, number> = {};
  const byKey: Record<string, KeyUsage> = {};
  const keyUsage = (arn: string) => (byKey[arn] ??= { requests: 0, byOperation: {}, keyMonths: 0, cost: 0 });
  let requests = 0;
  let throttledRequests = 0;
  for (const r of records) {
    if (!(r.time >= from && r.time <= to)) continue;
    if (r.errorCode === "ThrottlingException") {
      throttledRequests++;
      continue;
    }
    const operation = r.operation;
    requests++;
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    for (const arn of r.keyArns.length > 1 ? new Set(r.keyArns) : r.keyArns) {
      const usage = keyUsage(arn);
      usage.requests++;
      usage.byOperation[operation] = (usage.byOperation[operation] ?? 0) + 1;
    }
  }
  let keyMonths = 0;
  for (const [arn, life] of lives.entries()) {
    const stop = life.pendingSince ?? life.deletedAt ?? Number.POSITIVE_INFINITY;
    const ms = Math.min(stop, to) - Math.max(life.start ?? first ?? to, from);
    if (ms <= 0) continue;
    const months = ms / MS_PER_MONTH;
    keyUsage(arn).keyMonths = months;
    keyMonths += months;
  }
  for (const usage of Object.values(byKey)) usage.cost = usage.keyMonths * PRICES.perKeyMonth + requestCost(usage.requests);
  const keys = keyMonths * PRICES.perKeyMonth;
  const requestsCost = requestCost(requests);
  return {
    from: new Date(from),
    to: new Date(to),
    requests,
    throttledRequests,
    byOperation,
    byKey,
    keyMonths,
    cost: { keys, requests: requestsCost, total: keys + requestsCost },
    prices: PRICES,
  };
}

const LIFECYCLE = new Set(["CreateKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "DeleteKey"]);

/** A key's billable span [start, stop) (stop = pendingSince ?? deletedAt ?? Infinity); no start: the log's first record. */
interface Life {
  start?: number;
  pendingSince?: number;
  deletedAt?: number;
}

/**
 * Every key the log has seen and its billable span, kept as records are
 * made, so that dropping old records (retention) loses no key's history.
 */
export class KeyLives {
  readonly #lives = new Map<string, Life>();
  /** Number of the newest record that added a key or changed a span (−1: none). */
  changed = -1;

  /** Notes record `seq`. */
  note(seq: number, r: UsageRecord): void {
    const lifecycle = r.errorCode === null && LIFECYCLE.has(r.operation);
    for (const arn of r.keyArns) {
      let life = this.#lives.get(arn);
      if (life === undefined) {
        life = {};
        this.#lives.set(arn, life);
        this.changed = seq;
      }
      if (!lifecycle) continue;
      this.changed = seq;
      if (r.operation === "DeleteKey") life.deletedAt ??= r.time;
      else if (life.deletedAt !== undefined) continue;
      else if (r.operation === "CreateKey") life.start ??= r.time;
      else if (r.operation === "ScheduleKeyDeletion") life.pendingSince ??= r.time;
      else if (r.operation === "CancelKeyDeletion") life.pendingSince = undefined;
    }
  }

  entries(): IterableIterator<[string, Readonly<Life>]> {
    return this.#lives.entries();
  }
}
