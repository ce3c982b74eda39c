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
import { type AuditIndex, keysOf } from "./audit-index.js";

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

export function usageReport(index: AuditIndex, from: number, to: number): UsageReport {
  const byOperation: Record<string, number> = {};
  const byKey: Record<string, KeyUsage> = {};
  const keyUsage = (arn: string) => (byKey[arn] ??= { requests: 0, byOperation: {}, keyMonths: 0, cost: 0 });
  let requests = 0;
  let throttledRequests = 0;
  for (const seq of index.find({ from, to })) {
    if (index.errors[seq] === "ThrottlingException") {
      throttledRequests++;
      continue;
    }
    const operation = index.operations[seq];
    requests++;
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    for (const arn of new Set(keysOf(index.keys[seq]))) {
      const usage = keyUsage(arn);
      usage.requests++;
      usage.byOperation[operation] = (usage.byOperation[operation] ?? 0) + 1;
    }
  }
  let keyMonths = 0;
  for (const [arn, [start, stop]] of billableSpans(index)) {
    const ms = Math.min(stop, to) - Math.max(start, from);
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

const LIFECYCLE = ["CreateKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "DeleteKey"] as const;

/** Each key's billable span [start, stop) over the whole log (stop = Infinity while it lives). */
function billableSpans(index: AuditIndex): Map<string, [number, number]> {
  interface Life {
    start: number;
    pendingSince?: number;
    deletedAt?: number;
  }
  const lives = new Map<string, Life>();
  const events = LIFECYCLE.flatMap((op) => index.withOperation(op)).sort((a, b) => a - b);
  for (const seq of events) {
    if (index.errors[seq] !== null) continue;
    const time = index.times[seq];
    const operation = index.operations[seq];
    for (const arn of keysOf(index.keys[seq])) {
      let life = lives.get(arn);
      if (life === undefined) {
        // A key the log never saw created existed from its first record.
        life = { start: operation === "CreateKey" ? time : index.times[0] };
        lives.set(arn, life);
      }
      if (operation === "DeleteKey") life.deletedAt ??= time;
      else if (life.deletedAt !== undefined) continue;
      else if (operation === "ScheduleKeyDeletion") life.pendingSince ??= time;
      else if (operation === "CancelKeyDeletion") life.pendingSince = undefined;
    }
  }
  for (const arn of index.keyArns()) if (!lives.has(arn) && index.size > 0) lives.set(arn, { start: index.times[0] });
  const spans = new Map<string, [number, number]>();
  for (const [arn, life] of lives) {
    spans.set(arn, [life.start, life.pendingSince ?? life.deletedAt ?? Number.POSITIVE_INFINITY]);
  }
  return spans;
}
