/**
 * One statement, compiled: its Action and Resource patterns, its principals
 * and its conditions, ready to be tested against a request many times.
 */
import { BoundedMemo } from "./bounded-memo.js";
import type { CompiledCondition } from "./conditions.js";
import { arnMatcher, type Matcher, parseGlob, textMatcher } from "./glob.js";
import type { PrincipalSet } from "./principal.js";
import type { PreparedRequest } from "./request.js";
import { type Template, templateGlob } from "./variables.js";

export type Effect = "Allow" | "Deny";

/** Names one statement of one policy in a decision. `index` counts from 0. */
export interface StatementRef {
  policy: string;
  sid?: string;
  index: number;
  effect: Effect;
}

/** Memo entries per pattern list (a service has a few hundred actions; an account, some keys). */
const MEMO_SIZE = 1024;

/**
 * Action patterns, lowercased: exact names in a set, wildcard patterns as
 * matchers, and a memo of answers (the same few actions are asked again and
 * again, so most tests are one map lookup).
 */
export class ActionPatterns {
  readonly all: boolean;
  readonly #exact = new Set<string>();
  readonly #matchers: Matcher[] = [];
  readonly #memo = new BoundedMemo(MEMO_SIZE, (action) => this.#exact.has(action) || this.#matchers.some((m) => m(action)));

  constructor(patterns: readonly string[]) {
    let all = false;
    for (const p of patterns) {
      const lower = p.toLowerCase();
      if (lower === "*") all = true;
      else if (lower.includes("*") || lower.includes("?")) this.#matchers.push(textMatcher(parseGlob(lower)));
      else this.#exact.add(lower);
    }
    this.all = all;
  }

  /** `actionLower` must be lowercased already. */
  test(actionLower: string): boolean {
    return this.all || this.#memo.get(actionLower);
  }
}

/**
 * Resource patterns: "*" matches every resource (in a key policy, "this
 * key"). Answers for patterns without variables are memoized per resource.
 */
export class ResourcePatterns {
  readonly #all: boolean;
  readonly #matchers: Matcher[] = [];
  readonly #templates: Template[] = [];
  readonly #memo = new BoundedMemo(MEMO_SIZE, (resource) => this.#matchers.some((m) => m(resource)));

  constructor(patterns: readonly (string | Template)[]) {
    let all = false;
    for (const p of patterns) {
      if (p === "*") all = true;
      else if (typeof p === "string") this.#matchers.push(arnMatcher(parseGlob(p)));
      else this.#templates.push(p);
    }
    this.#all = all;
  }

  test(req: PreparedRequest): boolean {
    if (this.#all) return true;
    if (this.#matchers.length > 0 && this.#memo.get(req.resource)) return true;
    return this.#templates.length > 0 && this.#dynamic(req);
  }

  #dynamic(req: PreparedRequest): boolean {
    for (const t of this.#templates) {
      const tokens = templateGlob(t, req);
      if (tokens && arnMatcher(tokens)(req.resource)) return true;
    }
    return false;
  }
}

export class CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Principal (`notPrincipal` false) or NotPrincipal (true); undefined when neither is given. */
  readonly principals: PrincipalSet | undefined;
  readonly notPrincipal: boolean;
  readonly actions: ActionPatterns;
  readonly notAction: boolean;
  readonly resources: ResourcePatterns;
  readonly notResource: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** The actions as written, for explanations. */
  readonly actionNames: readonly string[];
  #ref: StatementRef | undefined;

  constructor(fields: Omit<CompiledStatement, "ref">) {
    this.index = fields.index;
    this.sid = fields.sid;
    this.effect = fields.effect;
    this.principals = fields.principals;
    this.notPrincipal = fields.notPrincipal;
    this.actions = fields.actions;
    this.notAction = fields.notAction;
    this.resources = fields.resources;
    this.notResource = fields.notResource;
    this.conditions = fields.conditions;
    this.actionNames = fields.actionNames;
  }

  /** The reference to this statement under policy `name` (one object per name in a row). */
  ref(name: string): StatementRef {
    const cached = this.#ref;
    if (cached !== undefined && cached.policy === name) return cached;
    const ref: StatementRef = { policy: name, index: this.index, effect: this.effect };
    if (this.sid !== undefined) ref.sid = this.sid;
    return (this.#ref = Object.freeze(ref) as StatementRef);
  }
}
