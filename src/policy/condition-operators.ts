/**
 * The condition operators. Each compiles the policy's values for one key once,
 * at parse time, into a Tester: does one request value match any of them?
 * (Values listed for one key are ORed.) Negated operators (StringNotEquals,
 * ArnNotLike, …) share their positive twin's tester; conditions.ts applies
 * the negation, the set qualifiers and the rules for missing keys.
 *
 * Values: policy values may be JSON strings, numbers or booleans (AWS turns
 * them into text). Request values are text, numbers, booleans or Dates;
 * a request value of the wrong type for the operator matches nothing.
 * - String*: case-sensitive, IgnoreCase variants fold case; *Like take `*`/`?`.
 * - Numeric*: decimal numbers; request strings holding a number count.
 * - Date*: ISO 8601 (a time without zone is UTC) or epoch seconds; a request
 *   Date, ISO text, or a number of epoch seconds.
 * - Bool: "true" / "false" (any case) or JSON booleans.
 * - BinaryEquals: base64 text compared as written.
 * - IpAddress / NotIpAddress: CIDR blocks (IPv4 or IPv6).
 * - Arn*: ARN patterns (ArnEquals and ArnLike both take wildcards, as in AWS).
 * Policy variables work in the String and ARN operators.
 */
import { malformed } from "./errors.js";
import { arnMatcher, type Matcher, parseGlob, textMatcher } from "./glob.js";
import { inCidr, parseCidr, parseIp } from "./ip-address.js";
import type { ConditionValue } from "./request.js";
import { type KeyLookup, parseTemplate, scalarText, type Template, templateGlob, templateText } from "./variables.js";

/** One request value (a member of a multivalued key, or the key's only value). */
export type RequestScalar = Exclude<ConditionValue, string[] | undefined>;
export type PolicyScalar = string | number | boolean;
export type Tester = (value: RequestScalar, lookup: KeyLookup) => boolean;

export interface OperatorSpec {
  /** Whether the operator is a negation ("Not" operators): true when its twin is false. */
  readonly negated: boolean;
  compile(values: readonly PolicyScalar[], where: string, variables: boolean): Tester;
}

const policyText = (v: PolicyScalar): string => String(v);

// ---- String and ARN ----------------------------------------------------------------------

type Flavour = "equals" | "fold" | "like" | "arn";

function stringTester(flavour: Flavour): OperatorSpec["compile"] {
  return (values, where, variables) => {
    const exact = new Set<string>();
    const matchers: Matcher[] = [];
    const templates: Template[] = [];
    for (const raw of values) {
      const text = policyText(raw);
      const template = variables ? parseTemplate(text, where) : undefined;
      if (template) templates.push(template);
      else if (flavour === "equals") exact.add(text);
      else if (flavour === "fold") exact.add(text.toLowerCase());
      else matchers.push((flavour === "arn" ? arnMatcher : textMatcher)(parseGlob(text)));
    }
    const fold = flavour === "fold";
    const glob = flavour === "like" || flavour === "arn";
    return (value, lookup) => {
      let text = scalarText(value);
      if (text === undefined) return false;
      if (fold) text = text.toLowerCase();
      if (exact.has(text)) return true;
      for (const m of matchers) if (m(text)) return true;
      for (const t of templates) {
        if (glob) {
          const tokens = templateGlob(t, lookup);
          if (tokens && (flavour === "arn" ? arnMatcher : textMatcher)(tokens)(text)) return true;
        } else {
          const resolved = templateText(t, lookup);
          if (resolved !== undefined && (fold ? resolved.toLowerCase() : resolved) === text) return true;
        }
      }
      return false;
    };
  };
}

// ---- Numbers, dates, booleans, binary, addresses --------------------------------------------

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(v: PolicyScalar | RequestScalar): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && DECIMAL.test(v.trim())) return Number(v);
  return undefined;
}

const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EPOCH_SECONDS = /^-?\d+(\.\d+)?$/;

/** Milliseconds since the epoch for an ISO 8601 date or a count of epoch seconds. */
function toTime(v: PolicyScalar | RequestScalar): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === "number") return Number.isFinite(v) ? v * 1000 : undefined;
  if (typeof v !== "string") return undefined;
  const text = v.trim();
  if (EPOCH_SECONDS.test(text)) return Number(text) * 1000;
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [, day, time, zone] = m;
  // A date alone is midnight UTC; a time without a zone is UTC too (never local time).
  const normalZone = zone === undefined ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const t = Date.parse(time ? `${day}${time.toUpperCase()}${normalZone.toUpperCase()}` : `${day}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : t;
}

function toBool(v: PolicyScalar | RequestScalar): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v !== "string") return undefined;
  const lower = v.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

type Compare = (request: number, policy: number) => boolean;

/** A tester over values converted by `convert` and compared by `compare`. */
function orderedTester(kind: string, convert: (v: PolicyScalar | RequestScalar) => number | undefined, compare: Compare): OperatorSpec["compile"] {
  return (values, where) => {
    const wanted = values.map((raw) => {
      const n = convert(raw);
      if (n === undefined) malformed(`${where}: "${String(raw)}" is not a valid ${kind}`);
      return n;
    });
    return (value) => {
      const n = convert(value);
      if (n === undefined) return false;
      for (const w of wanted) if (compare(n, w)) return true;
      return false;
    };
  };
}

const boolTester: OperatorSpec["compile"] = (values, where) => {
  const wanted = values.map((raw) => {
    const b = toBool(raw);
    if (b === undefined) malformed(`${where}: "${String(raw)}" is not a boolean ("true" or "false")`);
    return b;
  });
  return (value) => {
    const b = toBool(value);
    return b !== undefined && wanted.includes(b);
  };
};

const binaryTester: OperatorSpec["compile"] = (values, where) => {
  const wanted = new Set(values.map((raw) => {
    if (typeof raw !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) malformed(`${where}: "${String(raw)}" is not base64`);
    return raw;
  }));
  return (value) => typeof value === "string" && wanted.has(value);
};

const ipTester: OperatorSpec["compile"] = (values, where) => {
  const blocks = values.map((raw) => {
    const block = typeof raw === "string" ? parseCidr(raw) : undefined;
    if (!block) malformed(`${where}: "${String(raw)}" is not an IP address or CIDR block`);
    return block;
  });
  return (value) => {
    const address = typeof value === "string" ? parseIp(value) : undefined;
    return address !== undefined && blocks.some((b) => inCidr(address, b));
  };
};

// ---- The table ------------------------------------------------------------------------------

const positive = (compile: OperatorSpec["compile"]): OperatorSpec => ({ negated: false, compile });
const negative = (compile: OperatorSpec["compile"]): OperatorSpec => ({ negated: true, compile });

const NUMBER = "number";
const DATE = "date (ISO 8601 or epoch seconds)";
const eq: Compare = (a, b) => a === b;
const lt: Compare = (a, b) => a < b;
const le: Compare = (a, b) => a <= b;
const gt: Compare = (a, b) => a > b;
const ge: Compare = (a, b) => a >= b;

/** Every operator but Null, by name (without qualifier or IfExists). */
export const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map([
  ["StringEquals", positive(stringTester("equals"))],
  ["StringNotEquals", negative(stringTester("equals"))],
  ["StringEqualsIgnoreCase", positive(stringTester("fold"))],
  ["StringNotEqualsIgnoreCase", negative(stringTester("fold"))],
  ["StringLike", positive(stringTester("like"))],
  ["StringNotLike", negative(stringTester("like"))],
  ["NumericEquals", positive(orderedTester(NUMBER, toNumber, eq))],
  ["NumericNotEquals", negative(orderedTester(NUMBER, toNumber, eq))],
  ["NumericLessThan", positive(orderedTester(NUMBER, toNumber, lt))],
  ["NumericLessThanEquals", positive(orderedTester(NUMBER, toNumber, le))],
  ["NumericGreaterThan", positive(orderedTester(NUMBER, toNumber, gt))],
  ["NumericGreaterThanEquals", positive(orderedTester(NUMBER, toNumber, ge))],
  ["DateEquals", positive(orderedTester(DATE, toTime, eq))],
  ["DateNotEquals", negative(orderedTester(DATE, toTime, eq))],
  ["DateLessThan", positive(orderedTester(DATE, toTime, lt))],
  ["DateLessThanEquals", positive(orderedTester(DATE, toTime, le))],
  ["DateGreaterThan", positive(orderedTester(DATE, toTime, gt))],
  ["DateGreaterThanEquals", positive(orderedTester(DATE, toTime, ge))],
  ["Bool", positive(boolTester)],
  ["BinaryEquals", positive(binaryTester)],
  ["IpAddress", positive(ipTester)],
  ["NotIpAddress", negative(ipTester)],
  ["ArnEquals", positive(stringTester("arn"))],
  ["ArnLike", positive(stringTester("arn"))],
  ["ArnNotEquals", negative(stringTester("arn"))],
  ["ArnNotLike", negative(stringTester("arn"))],
]);

/** Null's values: "true" (the key must be absent) or "false" (present). */
export function compileNullValues(values: readonly PolicyScalar[], where: string): boolean[] {
  return values.map((raw) => {
    const b = toBool(raw);
    if (b === undefined) malformed(`${where}: Null takes "true" or "false", not "${String(raw)}"`);
    return b;
  });
}
