/**
 * Audit log (DESIGN.md §4): one CloudTrail-shaped record per KMS call, with
 * secrets removed, hash-chained so tampering shows, kept in memory or in the
 * KeyStore, queryable by key, event, principal, error and time, with last use
 * per key and what the calls would cost. Portable: no Node APIs.
 */
export { AuditLog, type AuditInput, type AuditQuery, type KeyLastUse } from "./audit-log.js";
export type { AuditEvent, AuditResource, UserIdentity } from "./event.js";
export { type AuditSink, type DroppedLines, MEMORY_AUDIT_MAX_RECORDS, type MemoryAuditSinkOptions, memoryAuditSink, storeAuditSink } from "./sinks.js";
export { CRYPTOGRAPHIC_OPERATIONS } from "./audit-index.js";
export { GENESIS_HASH } from "./record-line.js";
export type { ChainHead, VerifyResult } from "./verify-chain.js";
export { PRICES, type KeyUsage, type UsageReport } from "./usage.js";
