/**
 * GetKeyLastUsage: the last successful cryptographic use of a key (operation,
 * time, and the audit record's eventID and requestID), from the audit log.
 * As in AWS, TrackingStartDate says since when uses are recorded (here: the
 * audit log's first record, or now when it has none), and KeyLastUsage is
 * absent when the key has not been used since. A ReEncrypt counts as a use
 * of both its keys. Without an audit log (audit: false) nothing is tracked:
 * the tracking starts now, every time.
 */
import type { OperationContext } from "./operation.js";
import type { GetKeyLastUsageRequest, GetKeyLastUsageResponse } from "./types.js";

export function getKeyLastUsage(ctx: OperationContext, req: GetKeyLastUsageRequest): GetKeyLastUsageResponse {
  const key = ctx.key(req.KeyId, "any");
  const log = ctx.core.audit;
  const out: GetKeyLastUsageResponse = {
    KeyId: key.id,
    KeyCreationDate: new Date(key.meta.CreationDate),
    TrackingStartDate: log?.trackingStart() ?? new Date(ctx.now),
  };
  const last = log?.lastUse(key.arn);
  if (last) out.KeyLastUsage = { Operation: last.operation, Timestamp: last.time, CloudTrailEventId: last.eventId, KmsRequestId: last.requestId };
  return out;
}
