/**
 * wasmkms/kms — an in-process AWS KMS: keys, aliases, rotation, key states,
 * symmetric and asymmetric cryptographic operations, imported key material,
 * key policies, IAM identity policies and grants, request quotas and an audit
 * log, on a pluggable KeyStore.
 */
export { Kms } from "./kms.js";
export type { CallerOrigin, KmsOptions } from "./kms.js";
export type { ExplainRequest } from "./explain.js";
export type { IdentityPolicies } from "./identity-policies.js";
export type { AuthorizationDecision } from "../policy/index.js";
export { type QuotaOption, type QuotaRates, THROTTLING_MESSAGE, withRetry } from "../quota/index.js";
export { type AuditEvent, AuditLog, type AuditSink, type UsageReport, memoryAuditSink, storeAuditSink } from "../audit/index.js";
export * from "./errors.js";
export type * from "./types.js";
export { MemoryKeyStore } from "../store/memory-store.js";
export type { AliasRecord, KeyRecord, KeyStore, KeyVersionRecord } from "../store/key-store.js";
export { ManualClock, systemClock } from "../clock.js";
export type { Clock } from "../clock.js";
