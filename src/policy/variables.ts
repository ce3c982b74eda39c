/**
 * Policy variables (Version 2012-10-17 only): `${aws:username}` in a Resource
 * or in a String/ARN condition value stands for that key's value in the
 * request, `${key, 'fallback'}` gives a value for when the key is missing, and
 * `${*}`, `${?}`, `${$}` write the characters `*`, `?`, `$` literally.
 *
 * A value read from the request is always literal text: a `*` in a user name
 * is not a wildcard. A variable whose key is missing (or multivalued) and has
 * no fallback makes the pattern unresolvable, and an unresolvable pattern
 * matches nothing, as in AWS.
 */
import { malformed } from "./errors.js";
import { type GlobToken, joinLiterals, parseGlob } from "./glob.js";
import type { ConditionValue } from "./request.js";

/** Reads a condition key (given lowercased) from the request. */
export interface KeyLookup {
  value(lowerKey: string): ConditionValue;
}

type Part = { readonly text: string } | { readonly key: string; readonly fallback: string | undefined };

/** A value with variables in it; `undefined` from parseTemplate means "none". */
export interface Template {
  readonly parts: readonly Part[];
}

const SPECIALS: Record<string, string> = { "*": "*", "?": "?", $: "$" };
const VARIABLE = /\$\{([^}]*)\}/g;
const WITH_FALLBACK = /^([^,]+?)\s*,\s*'([^']*)'$/;

/**
 * Parses the variables in `text`. Returns undefined when there are none (the
 * caller then compiles `text` once, as a constant).
 */
export function parseTemplate(text: string, where: string): Template | undefined {
  if (!text.includes("${")) return undefined;
  const parts: Part[] = [];
  let at = 0;
  for (const m of text.matchAll(VARIABLE)) {
    if (m.index > at) parts.push({ text: text.slice(at, m.index) });
    at = m.index + m[0].length;
    const body = m[1].trim();
    if (body in SPECIALS) {
      parts.push({ key: "", fallback: SPECIALS[body] });
      continue;
    }
    const withFallback = WITH_FALLBACK.exec(body);
    const key = (withFallback ? withFallback[1] : body).trim();
    if (key === "" || /[\s${]/.test(key)) malformed(`${where}: invalid policy variable "${m[0]}"`);
    parts.push({ key: key.toLowerCase(), fallback: withFallback?.[2] });
  }
  if (parts.length === 0) return undefined;
  if (at < text.length) parts.push({ text: text.slice(at) });
  return { parts };
}

/** The text a condition or policy variable stands for, or undefined. */
export function scalarText(value: ConditionValue): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
      return String(value);
    case "object":
      return value instanceof Date ? value.toISOString() : undefined;
    default:
      return undefined;
  }
}

function resolve(part: Part, lookup: KeyLookup): string | undefined {
  if ("text" in part) return part.text;
  const value = part.key === "" ? undefined : scalarText(lookup.value(part.key));
  return value ?? part.fallback;
}

/** The template as plain text (for equality operators), or undefined if unresolvable. */
export function templateText(template: Template, lookup: KeyLookup): string | undefined {
  let out = "";
  for (const part of template.parts) {
    const text = resolve(part, lookup);
    if (text === undefined) return undefined;
    out += text;
  }
  return out;
}

/**
 * The template as wildcard tokens: wildcards in the policy's own text stay
 * wildcards, substituted values are literal. Undefined if unresolvable.
 */
export function templateGlob(template: Template, lookup: KeyLookup): GlobToken[] | undefined {
  const tokens: GlobToken[] = [];
  for (const part of template.parts) {
    if ("text" in part) {
      tokens.push(...parseGlob(part.text));
      continue;
    }
    const text = resolve(part, lookup);
    if (text === undefined) return undefined;
    tokens.push(text);
  }
  return joinLiterals(tokens);
}
