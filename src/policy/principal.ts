/**
 * Principals: who is calling (a Caller, parsed from the caller's ARN) and whom
 * a statement's Principal / NotPrincipal names (a PrincipalSet, compiled once).
 *
 * How a PrincipalSet names a caller (principalMatch):
 * - DIRECT: `"*"`, `{"AWS": "*"}`, the caller's own ARN, the role of an
 *   assumed-role session (`arn:aws:iam::111122223333:role/App` names
 *   `arn:aws:sts::111122223333:assumed-role/App/<session>`), a service
 *   principal by name, or the caller's account when the caller is that
 *   account's root.
 * - ACCOUNT: the caller's account (`"111122223333"` or
 *   `"arn:aws:iam::111122223333:root"`) when the caller is some other
 *   principal of that account. In AWS this names "the account", not each of
 *   its users: an Allow so matched delegates to the account's IAM policies,
 *   and a Deny so matched applies to everyone in the account.
 * Wildcards inside principal ARNs are invalid in AWS, and so here.
 */
import { BoundedMemo } from "./bounded-memo.js";
import { malformed } from "./errors.js";
import { isNonEmptyString, isObject, oneOrMany } from "./json-shapes.js";

export interface Caller {
  readonly arn: string;
  /** 12-digit account id, when the ARN has one. */
  readonly account: string | undefined;
  /** The account root user (`arn:aws:iam::<account>:root`). */
  readonly root: boolean;
  /** `<account>/<role name>` for a role or one of its assumed-role sessions. */
  readonly roleKey: string | undefined;
  /** What aws:PrincipalArn holds: the role's ARN for a session, else the caller's ARN. */
  readonly principalArn: string;
  /** The IAM user name (aws:username), for IAM users. */
  readonly userName: string | undefined;
  /** aws:PrincipalType: Account, User, AssumedRole, FederatedUser, Service or Unknown. */
  readonly type: string;
}

export const NONE = 0;
export const DIRECT = 1;
export const ACCOUNT = 2;
export type PrincipalMatch = typeof NONE | typeof DIRECT | typeof ACCOUNT;

const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:([a-z][a-z0-9-]*):(iam|sts)::(\d{12}):(.+)$/;

interface ParsedArn {
  partition: string;
  account: string;
  /** "root", "user", "role", "assumed-role", "federated-user". */
  kind: string;
  /** The name after the last slash (user or role), or the role name for a session. */
  name: string;
}

function parseIamArn(arn: string): ParsedArn | undefined {
  const m = IAM_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, service, account, resource] = m;
  if (service === "iam") {
    if (resource === "root") return { partition, account, kind: "root", name: "" };
    const slash = resource.indexOf("/");
    const kind = resource.slice(0, slash);
    const name = resource.slice(resource.lastIndexOf("/") + 1);
    if (slash > 0 && name && (kind === "user" || kind === "role")) return { partition, account, kind, name };
    return undefined;
  }
  const [kind, name, session] = resource.split("/");
  if (kind === "assumed-role" && name && session) return { partition, account, kind, name };
  if (kind === "federated-user" && name) return { partition, account, kind, name };
  return undefined;
}

const CALLER_TYPES: Record<string, string> = {
  root: "Account",
  user: "User",
  role: "AssumedRole",
  "assumed-role": "AssumedRole",
  "federated-user": "FederatedUser",
};

const callers = new BoundedMemo(1024, makeCaller);

/** Parses a caller ARN (memoized: the same few principals call again and again). */
export function parseCaller(principal: string): Caller {
  return callers.get(principal);
}

function makeCaller(principal: string): Caller {
  // A bare account id calls as that account's root.
  const arn = ACCOUNT_ID.test(principal) ? `arn:aws:iam::${principal}:root` : principal;
  const parsed = parseIamArn(arn);
  if (!parsed) {
    const service = arn.endsWith(".amazonaws.com") && !arn.includes(":");
    const type = service ? "Service" : "Unknown";
    return { arn, account: undefined, root: false, roleKey: undefined, principalArn: arn, userName: undefined, type };
  }
  const isRole = parsed.kind === "role" || parsed.kind === "assumed-role";
  return {
    arn,
    account: parsed.account,
    root: parsed.kind === "root",
    roleKey: isRole ? `${parsed.account}/${parsed.name}` : undefined,
    principalArn: parsed.kind === "assumed-role" ? `arn:${parsed.partition}:iam::${parsed.account}:role/${parsed.name}` : arn,
    userName: parsed.kind === "user" ? parsed.name : undefined,
    type: CALLER_TYPES[parsed.kind],
  };
}

/** The principals a Principal or NotPrincipal element names. */
export interface PrincipalSet {
  readonly any: boolean;
  /** Exact principal ARNs (users, roles, sessions, federated users). */
  readonly arns: ReadonlySet<string>;
  /** Accounts named by id or root ARN. */
  readonly accounts: ReadonlySet<string>;
  /** `<account>/<role name>` of named roles, which name their sessions too. */
  readonly roles: ReadonlySet<string>;
  /** Service, Federated and CanonicalUser principals, matched by exact name. */
  readonly others: ReadonlySet<string>;
  /** The values as written, for explanations. */
  readonly names: readonly string[];
}

const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

/** Compiles a Principal or NotPrincipal value; `where` prefixes reasons. */
export function compilePrincipal(value: unknown, where: string): PrincipalSet {
  const set = { any: false, arns: new Set<string>(), accounts: new Set<string>(), roles: new Set<string>(), others: new Set<string>(), names: [] as string[] };
  if (value === "*") return { ...set, any: true, names: ["*"] };
  if (!isObject(value)) {
    malformed(`${where} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`);
  }
  const entries = Object.entries(value);
  if (entries.length === 0) malformed(`${where} names no principal`);
  for (const [type, names] of entries) {
    if (!PRINCIPAL_TYPES.has(type)) malformed(`${where}: unknown principal type "${type}" (expected AWS, Service, Federated or CanonicalUser)`);
    const list = oneOrMany(names, isNonEmptyString, `${where}: "${type}" names no principal`, `${where}: "${type}" values must be non-empty strings`);
    for (const name of list) {
      set.names.push(name);
      if (name === "*") {
        if (type !== "AWS") malformed(`${where}: "*" is allowed only as "*" or {"AWS": "*"}`);
        set.any = true;
      } else if (type === "AWS") {
        addAwsPrincipal(set, name, where);
      } else {
        if (name.includes("*") || name.includes("?")) malformed(`${where}: principal "${name}" has a wildcard; only "*" on its own is allowed`);
        set.others.add(name);
      }
    }
  }
  return set;
}

function addAwsPrincipal(set: { arns: Set<string>; accounts: Set<string>; roles: Set<string> }, name: string, where: string): void {
  if (ACCOUNT_ID.test(name)) {
    set.accounts.add(name);
    return;
  }
  if (name.includes("*") || name.includes("?")) malformed(`${where}: principal "${name}" has a wildcard; only "*" on its own is allowed`);
  const parsed = parseIamArn(name);
  if (!parsed) malformed(`${where}: "${name}" is not a valid AWS principal (an account id or an IAM/STS ARN)`);
  if (parsed.kind === "root") set.accounts.add(parsed.account);
  else set.arns.add(name);
  if (parsed.kind === "role") set.roles.add(`${parsed.account}/${parsed.name}`);
}

/** How `set` names `caller` (see the header). */
export function principalMatch(set: PrincipalSet, caller: Caller): PrincipalMatch {
  if (set.any || set.arns.has(caller.arn)) return DIRECT;
  if (caller.roleKey !== undefined && set.roles.has(caller.roleKey)) return DIRECT;
  if (caller.account !== undefined && set.accounts.has(caller.account)) return caller.root ? DIRECT : ACCOUNT;
  return set.others.has(caller.arn) ? DIRECT : NONE;
}

/**
 * Whether a NotPrincipal set exempts `caller`. As in AWS, a request is made by
 * the caller and by its account, so a user or role is exempt only when the
 * set names its account too (and the user, the role or the session itself).
 */
export function principalExempt(set: PrincipalSet, caller: Caller): boolean {
  if (set.any || set.others.has(caller.arn)) return true;
  if (caller.account === undefined || !set.accounts.has(caller.account)) return false;
  if (caller.root || set.arns.has(caller.arn)) return true;
  return caller.roleKey !== undefined && set.roles.has(caller.roleKey);
}
