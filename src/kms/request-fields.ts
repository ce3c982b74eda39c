/**
 * Checks of scalar request fields shared by the operations, in AWS's
 * ValidationException wording. (Byte fields and enums: see key-specs.ts.)
 */
import { ValidationException } from "./errors.js";

/** An integer field in min..max; `fallback` when absent (undefined when no fallback). */
export function integerField(value: unknown, field: string, min: number, max: number): number | undefined;
export function integerField(value: unknown, field: string, min: number, max: number, fallback: number): number;
export function integerField(value: unknown, field: string, min: number, max: number, fallback?: number): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationException(
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ` +
        `Member must be an integer between ${min} and ${max}`,
    );
  }
  return value;
}

/** A string field of min..max characters; undefined when absent and not required. */
export function stringField(value: unknown, field: string, min: number, max: number, required: true): string;
export function stringField(value: unknown, field: string, min: number, max: number, required?: boolean): string | undefined;
export function stringField(value: unknown, field: string, min: number, max: number, required = false): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new ValidationException(`1 validation error detected: '${field}' is required`);
    return undefined;
  }
  if (typeof value !== "string") throw new ValidationException(`${field} must be a string, got ${typeof value}`);
  if (value.length < min || value.length > max) {
    throw new ValidationException(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: ` +
        `Member must have length between ${min} and ${max} (got ${value.length})`,
    );
  }
  return value;
}

/** A Date (or epoch milliseconds) field, as milliseconds; undefined when absent. */
export function dateField(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const t = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Number.NaN;
  if (!Number.isFinite(t)) throw new ValidationException(`${field} must be a Date`);
  return t;
}
