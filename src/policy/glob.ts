/**
 * Wildcard patterns of the policy language: `*` matches any run of characters
 * (including none), `?` exactly one. Patterns are compiled once, at parse time,
 * into a matcher that takes the cheapest route: equality, a prefix or suffix
 * test, or a regular expression.
 *
 * Two flavours:
 * - text (Action, StringLike): wildcards match any character. Case folding is
 *   the caller's business (Action lowercases pattern and input).
 * - ARN (Resource, ArnLike/ArnEquals): an ARN is six colon-separated
 *   components (arn:partition:service:region:account:resource). In the first
 *   five, `*` and `?` stay inside their component, except that a `*` ending a
 *   component may run past the colon (the IAM "Resource" rule). In the
 *   resource component, which may itself contain colons, they match anything.
 *   Matching is case-sensitive.
 */

/** The two wildcard tokens; every other token is literal text. */
export const ANY = 0;
export const ONE = 1;
export type GlobToken = string | typeof ANY | typeof ONE;

export type Matcher = (value: string) => boolean;

/** Splits a pattern into literal text and wildcard tokens. */
export function parseGlob(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  let literal = "";
  for (const c of pattern) {
    if (c === "*" || c === "?") {
      if (literal) tokens.push(literal);
      literal = "";
      // Adjacent stars are one star.
      if (c === "*" && tokens[tokens.length - 1] === ANY) continue;
      tokens.push(c === "*" ? ANY : ONE);
    } else {
      literal += c;
    }
  }
  if (literal) tokens.push(literal);
  return tokens;
}

/** Joins adjacent literal tokens (after variables were substituted). */
export function joinLiterals(tokens: readonly GlobToken[]): GlobToken[] {
  const out: GlobToken[] = [];
  for (const t of tokens) {
    const last = out.length - 1;
    if (typeof t === "string" && typeof out[last] === "string") out[last] += t;
    else if (t !== "") out.push(t);
  }
  return out;
}

const always: Matcher = () => true;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Matcher for a text pattern: `*` and `?` match any character. */
export function textMatcher(tokens: readonly GlobToken[]): Matcher {
  const [first, second] = tokens;
  if (tokens.length === 0) return (v) => v === "";
  if (tokens.length === 1) {
    if (first === ANY) return always;
    if (typeof first === "string") return (v) => v === first;
  }
  if (tokens.length === 2) {
    if (typeof first === "string" && second === ANY) return (v) => v.startsWith(first);
    if (first === ANY && typeof second === "string") return (v) => v.endsWith(second);
  }
  let source = "";
  for (const t of tokens) source += t === ANY ? "[\\s\\S]*" : t === ONE ? "[\\s\\S]" : escapeRegExp(t);
  const re = new RegExp(`^${source}$`);
  return (v) => re.test(v);
}

/** Colons before the resource component of an ARN. */
const ARN_PREFIX_COLONS = 5;

/** Matcher for an ARN pattern (see the header for the component rules). */
export function arnMatcher(tokens: readonly GlobToken[]): Matcher {
  const [first, second] = tokens;
  if (tokens.length === 1) {
    if (first === ANY) return always;
    if (typeof first === "string") return (v) => v === first;
  }
  if (tokens.length === 2 && typeof first === "string" && second === ANY && countColons(first) >= ARN_PREFIX_COLONS) {
    return (v) => v.startsWith(first);
  }
  let source = "";
  let colons = 0;
  tokens.forEach((t, i) => {
    if (typeof t === "string") {
      source += escapeRegExp(t);
      colons += countColons(t);
      return;
    }
    const inResource = colons >= ARN_PREFIX_COLONS;
    if (t === ONE) {
      source += inResource ? "[\\s\\S]" : "[^:]";
    } else {
      const next = tokens[i + 1];
      const endsComponent = next === undefined || (typeof next === "string" && next.startsWith(":"));
      source += inResource || endsComponent ? "[\\s\\S]*" : "[^:]*";
    }
  });
  const re = new RegExp(`^${source}$`);
  return (v) => re.test(v);
}

function countColons(text: string): number {
  let n = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) n++;
  return n;
}

export function hasWildcard(tokens: readonly GlobToken[]): boolean {
  return tokens.some((t) => t === ANY || t === ONE);
}
