/**
 * parsePolicy: reads a policy document (JSON text or an object), checks it
 * against the grammar and compiles it. Every fault is a MalformedPolicyError
 * whose reason names the statement (counted from 1) and the element.
 *
 * Grammar: { Version?, Id?, Statement } where Version is "2012-10-17" or
 * "2008-10-17" (absent means 2008-10-17, as in IAM; policy variables need
 * 2012-10-17) and Statement is a statement or a non-empty list of them. A
 * statement has Effect ("Allow" | "Deny"), exactly one of Action / NotAction,
 * exactly one of Resource / NotResource, at most one of Principal /
 * NotPrincipal (NotPrincipal only with Deny), optional Sid (unique within the
 * policy) and optional Condition. Element names are case-sensitive.
 */
import { BoundedMemo } from "./bounded-memo.js";
import { compileConditions } from "./conditions.js";
import { malformed } from "./errors.js";
import { isNonEmptyString, isObject, oneOrMany } from "./json-shapes.js";
import { compilePrincipal } from "./principal.js";
import { ActionPatterns, CompiledStatement, type Effect, ResourcePatterns } from "./statement.js";
import { parseTemplate, type Template } from "./variables.js";

export type PolicyVersion = "2012-10-17" | "2008-10-17";

/** A parsed, validated and compiled policy. */
export interface Policy {
  readonly version: PolicyVersion;
  readonly id: string | undefined;
  readonly statements: readonly { readonly index: number; readonly sid: string | undefined; readonly effect: Effect }[];
}

export interface ParseOptions {
  /**
   * "resource" (key policies, bucket policies): every statement must name a
   * Principal or NotPrincipal. "identity" (IAM policies): none may. Absent:
   * either is accepted; a statement without principals then applies to no
   * one except when evaluated as an identity policy.
   */
  kind?: "resource" | "identity";
}

export class CompiledPolicy implements Policy {
  readonly version: PolicyVersion;
  readonly id: string | undefined;
  readonly statements: readonly CompiledStatement[];
  constructor(version: PolicyVersion, id: string | undefined, statements: CompiledStatement[]) {
    this.version = version;
    this.id = id;
    this.statements = statements;
  }
}

const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
const ELEMENTS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
const ACTION = /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$/;

/** A string or a non-empty list of non-empty strings. */
function stringList(value: unknown, where: string): string[] {
  return oneOrMany(value, isNonEmptyString, `${where} is an empty list`, `${where} must be a string or a list of non-empty strings`);
}

/** Exactly one of `name` and `Not<name>` (or at most one, when `required` is false). */
function oneOf(s: Record<string, unknown>, name: string, where: string, required: boolean): [value: unknown, negated: boolean] {
  const not = `Not${name}`;
  const has = s[name] !== undefined;
  const hasNot = s[not] !== undefined;
  if (has && hasNot) malformed(`${where} has both ${name} and ${not}`);
  if (required && !has && !hasNot) malformed(`${where} has neither ${name} nor ${not}`);
  return hasNot ? [s[not], true] : [s[name], false];
}

function compileStatement(s: unknown, index: number, version: PolicyVersion, opts: ParseOptions): CompiledStatement {
  const where = `Statement ${index + 1}`;
  if (!isObject(s)) malformed(`${where} must be a JSON object`);
  for (const key of Object.keys(s)) if (!ELEMENTS.has(key)) malformed(`${where}: unknown element "${key}"`);
  const { Sid, Effect: effect } = s;
  if (Sid !== undefined && typeof Sid !== "string") malformed(`${where}: Sid must be a string`);
  if (effect === undefined) malformed(`${where} has no Effect`);
  if (effect !== "Allow" && effect !== "Deny") malformed(`${where}: Effect must be "Allow" or "Deny", not ${JSON.stringify(effect)}`);

  const [principal, notPrincipal] = oneOf(s, "Principal", where, opts.kind === "resource");
  if (principal !== undefined && opts.kind === "identity") malformed(`${where}: an identity policy cannot have ${notPrincipal ? "NotPrincipal" : "Principal"}`);
  if (notPrincipal && effect === "Allow") malformed(`${where}: NotPrincipal can be used only with "Effect": "Deny"`);
  const principals = principal === undefined ? undefined : compilePrincipal(principal, `${where}: ${notPrincipal ? "NotPrincipal" : "Principal"}`);

  const [action, notAction] = oneOf(s, "Action", where, true);
  const actionWhere = `${where}: ${notAction ? "NotAction" : "Action"}`;
  const actionNames = stringList(action, actionWhere);
  for (const a of actionNames) {
    if (a !== "*" && !ACTION.test(a)) malformed(`${actionWhere} "${a}" is not "*" or "<service>:<action>"`);
  }

  const [resource, notResource] = oneOf(s, "Resource", where, true);
  const resourceWhere = `${where}: ${notResource ? "NotResource" : "Resource"}`;
  const resources: (string | Template)[] = stringList(resource, resourceWhere).map((r) => {
    if (r !== "*" && !r.startsWith("arn:")) malformed(`${resourceWhere} "${r}" is not "*" or an ARN`);
    return (version === "2012-10-17" && parseTemplate(r, resourceWhere)) || r;
  });

  const conditions = s.Condition === undefined ? [] : compileConditions(s.Condition, where, version === "2012-10-17");
  return new CompiledStatement({
    index,
    sid: Sid,
    effect,
    principals,
    notPrincipal,
    actions: new ActionPatterns(actionNames),
    notAction,
    resources: new ResourcePatterns(resources),
    notResource,
    conditions,
    actionNames,
  });
}

/** Parses and validates a JSON policy (text or object). Size limits are the caller's business. */
export function parsePolicy(document: string | object, opts: ParseOptions = {}): Policy {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch (err) {
      malformed(`the policy is not valid JSON (${(err as Error).message})`);
    }
  }
  if (!isObject(doc)) malformed("the policy must be a JSON object");
  for (const key of Object.keys(doc)) if (!TOP_LEVEL.has(key)) malformed(`unknown top-level element "${key}"`);
  const { Version = "2008-10-17", Id, Statement } = doc;
  if (Version !== "2012-10-17" && Version !== "2008-10-17") malformed(`Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(Version)}`);
  if (Id !== undefined && typeof Id !== "string") malformed("Id must be a string");
  if (Statement === undefined) malformed("the policy has no Statement");
  const list = Array.isArray(Statement) ? Statement : [Statement];
  if (list.length === 0) malformed("Statement is empty");
  const statements = list.map((s, i) => compileStatement(s, i, Version, opts));
  const sids = new Set<string>();
  for (const s of statements) {
    if (s.sid === undefined || s.sid === "") continue;
    if (sids.has(s.sid)) malformed(`Statement ${s.index + 1}: Sid "${s.sid}" is used by an earlier statement; Sids must be unique`);
    sids.add(s.sid);
  }
  return new CompiledPolicy(Version, Id, statements);
}

const parsedByKind = {
  any: new BoundedMemo(256, (text) => parsePolicy(text)),
  resource: new BoundedMemo(256, (text) => parsePolicy(text, { kind: "resource" })),
  identity: new BoundedMemo(256, (text) => parsePolicy(text, { kind: "identity" })),
};

/**
 * parsePolicy for JSON text, memoized by the text (the last 256 documents of
 * each kind): a stored policy is parsed once however often it is evaluated.
 * Invalid documents are not remembered; they throw every time.
 */
export function parsePolicyCached(document: string, opts: ParseOptions = {}): Policy {
  return parsedByKind[opts.kind ?? "any"].get(document);
}
