/**
 * RequestQuotas: AWS KMS request quotas as token buckets, one per quota pool
 * per account, driven by the injected clock.
 *
 * Which pool a request counts against (as AWS KMS counts them):
 * - Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext,
 *   GenerateMac, VerifyMac, Sign, Verify, DeriveSharedSecret: the shared pool of
 *   the key's type: symmetric (SYMMETRIC_DEFAULT and HMAC_* keys), RSA (RSA_*),
 *   ECC (ECC_*, SM2) or ML-DSA. GenerateRandom uses no key and counts against
 *   the symmetric pool, as AWS lists it there; so does a call whose key type is
 *   not known (pass no keySpec).
 * - GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: only the pool
 *   of the requested KeyPairSpec (AWS: "which share a separate quota").
 * - Every other operation: its own pool (CreateKey 5/s, DescribeKey 2,000/s, …).
 * An operation with no rate in force (an unknown name, or a pool left out of
 * custom rates) is not limited.
 *
 * Each bucket holds one second's worth of requests (at least one request, so
 * the quotas below 1/s, such as RSA_4096 key pairs at 0.1/s, admit one request
 * and then one per 1/rate seconds) and starts full. A throttled request takes
 * nothing from the bucket. Quotas are per account: AWS throttles the calling
 * account, so cross-account callers may pass theirs to `take`.
 */
import type { Clock } from "../clock.js";
import {
  LATER_OPERATION_SOURCE,
  PRESET_SOURCES,
  type QuotaPreset,
  type QuotaTable,
  isQuotaPreset,
  presetTable,
} from "./presets.js";
import { TokenBucket } from "./token-bucket.js";

/** The message of AWS KMS's ThrottlingException (Developer Guide, "Throttling AWS KMS requests"). */
export const THROTTLING_MESSAGE = "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.";

/**
 * Custom request quotas, in requests per second (≥ 0; 0 throttles every
 * request; Infinity removes a limit):
 *
 *     { symmetric: 100, rsa: 10, ecc: 10, CreateKey: 5, DescribeKey: 50,
 *       dataKeyPair: { RSA_2048: 1 } }
 *     { base: "aws-current", symmetric: 500 }   // a preset with changes
 *
 * Without `base`, only the pools named are limited. Any other key is an
 * operation name (PascalCase) with its own rate; the operations that share a
 * cryptographic pool are limited through `symmetric` / `rsa` / `ecc` /
 * `mlDsa`, and the key pair operations through `dataKeyPair`.
 */
export interface QuotaRates {
  /** Start from this preset (for the Kms's Region) and override what follows. */
  base?: QuotaPreset;
  symmetric?: number;
  rsa?: number;
  ecc?: number;
  mlDsa?: number;
  /** GenerateDataKeyPair(WithoutPlaintext) rates by KeyPairSpec, e.g. { RSA_2048: 20, ECC_NIST_P256: 100 }. */
  dataKeyPair?: Record<string, number>;
  /** Any other key: an operation name and its rate, e.g. CreateKey: 5. */
  [operation: string]: number | QuotaPreset | Record<string, number> | undefined;
}

/** `false` (the default for the library) turns quotas off. */
export type QuotaOption = QuotaPreset | QuotaRates | false;

export type QuotaCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The quota's name as AWS Service Quotas shows it, e.g. "CreateKey request rate". */
      readonly pool: string;
      /** Its rate, requests per second. */
      readonly limit: number;
      /** AWS's ThrottlingException message. */
      readonly message: string;
    };

export interface QuotaDescription {
  pool: string;
  perSecond: number;
  source: string;
}

const OK: QuotaCheck = Object.freeze({ ok: true });

/** Operations that count against the shared pool of their key's type. */
const SHARED_CRYPTO_OPERATIONS = new Set([
  "Encrypt",
  "Decrypt",
  "ReEncrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateRandom",
  "GenerateMac",
  "VerifyMac",
  "Sign",
  "Verify",
  "DeriveSharedSecret",
]);
const DATA_KEY_PAIR_OPERATIONS = new Set(["GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"]);

type SharedPool = "symmetric" | "rsa" | "ecc" | "mlDsa";
const SHARED_POOLS: readonly SharedPool[] = ["symmetric", "rsa", "ecc", "mlDsa"];
const SHARED_POOL_NAMES: Record<SharedPool, string> = {
  symmetric: "Cryptographic operations (symmetric) request rate",
  rsa: "Cryptographic operations (RSA) request rate",
  ecc: "Cryptographic operations (ECC and SM2) request rate",
  mlDsa: "Cryptographic operations (ML-DSA) request rate",
};
const PAIR_PREFIX = "pair:";

/** The shared pool of a key spec; symmetric when unknown (GenerateRandom, or a key not yet resolved). */
function sharedPool(keySpec: string | undefined): SharedPool {
  if (keySpec === undefined) return "symmetric";
  if (keySpec.startsWith("RSA_")) return "rsa";
  if (keySpec.startsWith("ECC_") || keySpec === "SM2") return "ecc";
  if (keySpec.startsWith("ML_DSA")) return "mlDsa";
  return "symmetric";
}

/** One pool's rate in force, with what a throttled request reports. */
interface PoolRate {
  readonly perSecond: number;
  readonly source: string;
  readonly throttled: QuotaCheck;
}

export class RequestQuotas {
  readonly #clock: Clock;
  /** Pool key ("symmetric", "pair:RSA_2048", "CreateKey") → rate; empty when quotas are off. */
  readonly #rates = new Map<string, PoolRate>();
  /** The Kms's own account's buckets, by pool key. */
  readonly #buckets = new Map<string, TokenBucket>();
  /** Other calling accounts' buckets. */
  readonly #accounts = new Map<string, Map<string, TokenBucket>>();

  constructor(option: QuotaOption, opts: { region: string; clock: Clock }) {
    if (typeof opts?.region !== "string" || opts.region === "") throw new TypeError("RequestQuotas: opts.region must be a Region name");
    if (typeof opts.clock?.now !== "function") throw new TypeError("RequestQuotas: opts.clock must have a now() method");
    this.#clock = opts.clock;
    if (option === false || option === undefined) return;
    if (isQuotaPreset(option)) {
      this.#addTable(presetTable(option, opts.region), PRESET_SOURCES[option]);
    } else if (typeof option === "object" && option !== null && !Array.isArray(option)) {
      this.#addCustom(option, opts.region);
    } else {
      throw new TypeError(
        `RequestQuotas: quotas must be "aws-2020", "aws-current", an object of rates or false, got ${JSON.stringify(option)}`,
      );
    }
  }

  /** Whether any pool is limited. */
  get enabled(): boolean {
    return this.#rates.size > 0;
  }

  /**
   * Takes one request from the pool `operation` counts against, or reports
   * throttling and takes nothing. `keySpec`: the key's KeySpec for the shared
   * cryptographic operations; `dataKeyPairSpec`: the KeyPairSpec of
   * GenerateDataKeyPair(WithoutPlaintext); `account`: the calling account,
   * when it is not the Kms's own.
   */
  take(operation: string, keySpec?: string, dataKeyPairSpec?: string, account?: string): QuotaCheck {
    if (this.#rates.size === 0) return OK;
    let pool: string;
    if (SHARED_CRYPTO_OPERATIONS.has(operation)) pool = sharedPool(keySpec);
    else if (DATA_KEY_PAIR_OPERATIONS.has(operation)) pool = PAIR_PREFIX + dataKeyPairSpec;
    else pool = operation;
    const buckets = account === undefined ? this.#buckets : this.#accountBuckets(account);
    let bucket = buckets.get(pool);
    if (bucket === undefined) {
      const rate = this.#rates.get(pool);
      if (rate === undefined) return OK;
      bucket = new TokenBucket(rate.perSecond, rate.perSecond === 0 ? 0 : Math.max(1, rate.perSecond), this.#clock);
      buckets.set(pool, bucket);
    }
    return bucket.tryTake() ? OK : this.#rates.get(pool)!.throttled;
  }

  /** The rates in force, with the source of each figure. */
  describe(): QuotaDescription[] {
    return [...this.#rates.values()].map((rate) => {
      const throttled = rate.throttled as Extract<QuotaCheck, { ok: false }>;
      return { pool: throttled.pool, perSecond: rate.perSecond, source: rate.source };
    });
  }

  #accountBuckets(account: string): Map<string, TokenBucket> {
    let buckets = this.#accounts.get(account);
    if (buckets === undefined) this.#accounts.set(account, (buckets = new Map()));
    return buckets;
  }

  #set(poolKey: string, perSecond: number, source: string): void {
    if (perSecond === Number.POSITIVE_INFINITY) {
      this.#rates.delete(poolKey);
      return;
    }
    const name = poolName(poolKey);
    const throttled = Object.freeze({ ok: false as const, pool: name, limit: perSecond, message: THROTTLING_MESSAGE });
    this.#rates.set(poolKey, { perSecond, source, throttled });
  }

  #addTable({ table, laterOperations }: { table: QuotaTable; laterOperations: Set<string> }, source: string): void {
    for (const pool of SHARED_POOLS) {
      const rate = table[pool];
      if (rate !== undefined) this.#set(pool, rate, source);
    }
    for (const [spec, rate] of Object.entries(table.dataKeyPair)) this.#set(PAIR_PREFIX + spec, rate, source);
    for (const [op, rate] of Object.entries(table.operations)) {
      this.#set(op, rate, laterOperations.has(op) ? LATER_OPERATION_SOURCE : source);
    }
  }

  #addCustom(rates: QuotaRates, region: string): void {
    if (rates.base !== undefined) {
      if (!isQuotaPreset(rates.base)) throw new TypeError(`RequestQuotas: base must be "aws-2020" or "aws-current", got ${JSON.stringify(rates.base)}`);
      this.#addTable(presetTable(rates.base, region), PRESET_SOURCES[rates.base]);
    }
    for (const [field, value] of Object.entries(rates)) {
      if (field === "base" || value === undefined) continue;
      if (field === "dataKeyPair") {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new TypeError("RequestQuotas: dataKeyPair must be an object of KeyPairSpec → requests per second");
        }
        for (const [spec, rate] of Object.entries(value)) {
          this.#set(PAIR_PREFIX + spec, checkedRate(rate, `dataKeyPair.${spec}`), "custom");
        }
      } else if ((SHARED_POOLS as readonly string[]).includes(field)) {
        this.#set(field, checkedRate(value, field), "custom");
      } else if (SHARED_CRYPTO_OPERATIONS.has(field)) {
        throw new TypeError(`RequestQuotas: ${field} counts against a shared pool; set symmetric, rsa, ecc or mlDsa instead`);
      } else if (DATA_KEY_PAIR_OPERATIONS.has(field)) {
        throw new TypeError(`RequestQuotas: ${field} is limited per KeyPairSpec; set dataKeyPair: { <spec>: <rate> } instead`);
      } else if (/^[A-Z][A-Za-z]+$/.test(field)) {
        this.#set(field, checkedRate(value, field), "custom");
      } else {
        throw new TypeError(
          `RequestQuotas: unknown quota ${JSON.stringify(field)} (expected base, symmetric, rsa, ecc, mlDsa, dataKeyPair or an operation name)`,
        );
      }
    }
  }
}

function poolName(poolKey: string): string {
  if (Object.hasOwn(SHARED_POOL_NAMES, poolKey)) return SHARED_POOL_NAMES[poolKey as SharedPool];
  if (poolKey.startsWith(PAIR_PREFIX)) return `GenerateDataKeyPair (${poolKey.slice(PAIR_PREFIX.length)}) request rate`;
  return `${poolKey} request rate`;
}

function checkedRate(value: unknown, field: string): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new TypeError(`RequestQuotas: ${field} must be a number of requests per second ≥ 0 (or Infinity), got ${JSON.stringify(value)}`);
  }
  return value;
}
