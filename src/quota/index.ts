/**
 * Request quotas (DESIGN.md §4): token buckets per AWS KMS quota pool, presets
 * with their sources, and a retry helper with exponential backoff and jitter.
 * Portable: no Node APIs.
 */
export { TokenBucket } from "./token-bucket.js";
export { type QuotaPreset, type QuotaTable, presetTable } from "./presets.js";
export {
  RequestQuotas,
  THROTTLING_MESSAGE,
  type QuotaCheck,
  type QuotaDescription,
  type QuotaOption,
  type QuotaRates,
} from "./request-quotas.js";
export { type RetryOptions, isThrottling, withRetry } from "./retry.js";
