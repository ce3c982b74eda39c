/**
 * The two JSON shapes policy documents are built from, checked once here:
 * objects, and "a value or a non-empty list of values" (Action, Resource,
 * principal names and condition values all take either form).
 */
import { malformed } from "./errors.js";

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `value` as a list: a lone value becomes a list of one. Throws `empty` for
 * an empty list and `invalid` for a member that fails `ok`.
 */
export function oneOrMany<T>(value: unknown, ok: (v: unknown) => v is T, empty: string, invalid: string): T[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0) malformed(empty);
  for (const v of list) if (!ok(v)) malformed(invalid);
  return list as T[];
}

export const isNonEmptyString = (v: unknown): v is string => typeof v === "string" && v !== "";
