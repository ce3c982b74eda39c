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
 * The report for [from, to] over every record of a log, oldest first, in one
 * pass: counts for the records in the range, and each key's billable span
 * over the whole log (memory: per operation and per key, never per record).
 */
export function usageReport(records: Iterable<UsageRecord>, from: number, to: number): UsageReport {
  const byOperation: Record<string, number> = {};
  const byKey: Record<string, KeyUsage> = {};
  const keyUsage = (arn: string) => (byKey[arn] ??= { requests: 0, byOperation: {}, keyMonths: 0, cost: 0 });
  let requests = 0;
  let throttledRequests = 0;
  const lives = new Map<string, Life>();
  const seen = new Set<string>();
  let first: number | undefined;
  for (const r of records) {
    first ??= r.time;
    for (const arn of r.keyArns) seen.add(arn);
    if (r.errorCode === null && LIFECYCLE.has(r.operation)) live(lives, r, first);
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
  // A key the log never saw created existed from its first record.
  if (first !== undefined) for (const arn of seen) if (!lives.has(arn)) lives.set(arn, { start: first });
  let keyMonths = 0;
  for (const [arn, life] of lives) {
    const stop = life.pendingSince ?? life.deletedAt ?? Number.POSITIVE_INFINITY;
    const ms = Math.min(stop, to) - Math.max(life.start, from);
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

/** A key's billable span [start, stop) over the whole log (stop = pendingSince ?? deletedAt ?? Infinity). */
interface Life {
  start: number;
  pendingSince?: number;
  deletedAt?: number;
}

/** Applies one successful lifecycle record to its keys' lives. */
function live(lives: Map<string, Life>, r: UsageRecord, first: number): void {
  for (const arn of r.keyArns) {
    let life = lives.get(arn);
    if (life === undefined) {
      life = { start: r.operation === "CreateKey" ? r.time : first };
      lives.set(arn, life);
    }
    if (r.operation === "DeleteKey") life.deletedAt ??= r.time;
    else if (life.deletedAt !== undefined) continue;
    else if (r.operation === "ScheduleKeyDeletion") life.pendingSince ??= r.time;
    else if (r.operation === "CancelKeyDeletion") life.pendingSince = undefined;
  }
}
