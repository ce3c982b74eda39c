/**
 * The Condition element: `{ "<operator>": { "<key>": value | [values] } }`.
 * All operators must hold and, within one, all keys (AND); the values listed
 * for a key are alternatives (OR) — for a negated operator, none may match
 * (NOR). Keys are case-insensitive, values case-sensitive unless the operator
 * says otherwise.
 *
 * A key the request lacks (undefined, or an empty list):
 * - `…IfExists`: the condition holds;
 * - `Null`: `"true"` holds, `"false"` does not;
 * - `ForAllValues:` holds (vacuous truth, as in AWS); `ForAnyValue:` does not;
 * - otherwise a negated operator holds and a positive one does not.
 * A multivalued request key (a list): `ForAnyValue:` holds when some member
 * satisfies the operator, `ForAllValues:` when every member does; without a
 * qualifier a positive operator holds when some member matches, a negated
 * one when no member matches.
 */
import { compileNullValues, OPERATORS, type PolicyScalar, type Tester } from "./condition-operators.js";
import { malformed } from "./errors.js";
import { isObject, oneOrMany } from "./json-shapes.js";
import type { PreparedRequest } from "./request.js";

export const NO_QUALIFIER = 0;
export const FOR_ANY_VALUE = 1;
export const FOR_ALL_VALUES = 2;
type Qualifier = typeof NO_QUALIFIER | typeof FOR_ANY_VALUE | typeof FOR_ALL_VALUES;

export interface CompiledCondition {
  /** The operator as written, e.g. "ForAllValues:StringLikeIfExists". */
  readonly operator: string;
  /** The key as written, e.g. "kms:EncryptionContext:Dept". */
  readonly key: string;
  readonly lowerKey: string;
  readonly qualifier: Qualifier;
  readonly ifExists: boolean;
  readonly negated: boolean;
  /** The values as written, for explanations. */
  readonly values: readonly PolicyScalar[];
  /** Undefined for Null. */
  readonly test: Tester | undefined;
  /** Null's wanted answers to "is the key absent?". */
  readonly nulls: readonly boolean[] | undefined;
}

const OPERATOR_NAME = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/;

const isScalar = (v: unknown): v is PolicyScalar => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** Compiles a Condition element; `where` ("Statement 2") prefixes reasons. */
export function compileConditions(block: unknown, where: string, variables: boolean): CompiledCondition[] {
  if (!isObject(block)) malformed(`${where}: Condition must be an object of condition operators`);
  const out: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    const m = OPERATOR_NAME.exec(operator);
    const base = m?.[2] ?? "";
    const isNull = base === "Null";
    const spec = OPERATORS.get(base);
    if (!m || (!spec && !isNull)) malformed(`${where}: unknown condition operator ${operator}`);
    if (isNull && (m[1] || m[3])) malformed(`${where}: ${operator} is not a condition operator (Null takes no qualifier and no IfExists)`);
    if (!isObject(keys) || Object.keys(keys).length === 0) malformed(`${where}: ${operator} must map condition keys to values`);
    const qualifier = m[1] === "ForAnyValue" ? FOR_ANY_VALUE : m[1] === "ForAllValues" ? FOR_ALL_VALUES : NO_QUALIFIER;
    for (const [key, raw] of Object.entries(keys)) {
      if (key.trim() === "") malformed(`${where}: ${operator} has an empty condition key`);
      const here = `${where}: ${operator} "${key}"`;
      const values = oneOrMany(raw, isScalar, `${here} has no values`, `${here}: condition values must be strings, numbers or booleans`);
      out.push({
        operator,
        key,
        lowerKey: key.toLowerCase(),
        qualifier,
        ifExists: m[3] !== undefined,
        negated: spec?.negated ?? false,
        values,
        test: spec?.compile(values, here, variables),
        nulls: isNull ? compileNullValues(values, here) : undefined,
      });
    }
  }
  return out;
}

/** Whether one condition holds for the request (see the header). */
export function conditionHolds(c: CompiledCondition, req: PreparedRequest): boolean {
  const raw = req.value(c.lowerKey);
  const absent = raw === undefined || (Array.isArray(raw) && raw.length === 0);
  if (c.nulls) return c.nulls.includes(absent);
  const test = c.test as Tester;
  if (absent) {
    if (c.ifExists || c.qualifier === FOR_ALL_VALUES) return true;
    return c.qualifier === FOR_ANY_VALUE ? false : c.negated;
  }
  if (!Array.isArray(raw)) return test(raw, req) !== c.negated;
  switch (c.qualifier) {
    case FOR_ANY_VALUE:
      return raw.some((v) => test(v, req) !== c.negated);
    case FOR_ALL_VALUES:
      return raw.every((v) => test(v, req) !== c.negated);
    default:
      return raw.some((v) => test(v, req)) !== c.negated;
  }
}

export function conditionsHold(conditions: readonly CompiledCondition[], req: PreparedRequest): boolean {
  for (const c of conditions) if (!conditionHolds(c, req)) return false;
  return true;
}
