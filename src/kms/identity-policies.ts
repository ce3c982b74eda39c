/**
 * IAM identity policies, as far as KMS needs them: inline policies attached
 * to IAM users and roles (`kms.iam.putPrincipalPolicy(arn, name, document)`).
 * They count when a key policy delegates to the account
 * (`arn:aws:iam::<account>:root`), for cross-account use (the caller's own
 * account must allow it too), and alone for operations on no key (CreateKey,
 * ListKeys, GenerateRandom, …).
 *
 * A session of a role (`arn:aws:sts::<account>:assumed-role/<role>/<name>`)
 * acts with the role's policies. An account's root user cannot have identity
 * policies (as in IAM) and needs none in its own account.
 *
 * Documents are stored in the key store (meta `iam-policies:<principal ARN>`,
 * a JSON object name → document), so they persist with the keys; parsed
 * policies are cached in memory.
 */
import { type Policy, MalformedPolicyError, parsePolicy } from "../policy/index.js";
import type { KeyRepository } from "./key-repository.js";
import { MalformedPolicyDocumentException, NotFoundException, ValidationException } from "./errors.js";
import { identityArn } from "./principals.js";

/** IAM's limit for an inline role policy (characters, whitespace excluded by IAM; counted here as written). */
export const MAX_IDENTITY_POLICY_CHARS = 10_240;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const IDENTITY = /^arn:aws:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/;
const META_PREFIX = "iam-policies:";
const MAX_CACHED_CALLERS = 1024;
const NONE: readonly NamedPolicy[] = Object.freeze([]);

export interface NamedPolicy {
  readonly name: string;
  readonly policy: Policy;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function checkIdentity(principalArn: unknown): string {
  if (typeof principalArn !== "string" || !IDENTITY.test(principalArn)) {
    throw new TypeError(
      `kms.iam: policies attach to IAM users and roles (arn:aws:iam::<account>:user/<name> or …:role/<name>), got ${JSON.stringify(principalArn)}`,
    );
  }
  return principalArn;
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || !POLICY_NAME.test(name)) {
    throw new ValidationException(`Policy name ${JSON.stringify(name)} is not valid: 1–128 letters, digits and +=,.@_-`);
  }
  return name;
}

export class IdentityPolicies {
  readonly #keys: KeyRepository;
  /** Parsed policies by caller ARN (loaded on first use; cleared whenever a policy changes). */
  readonly #cache = new Map<string, readonly NamedPolicy[]>();

  constructor(keys: KeyRepository) {
    this.#keys = keys;
  }

  #documents(identity: string): Record<string, string> {
    const raw = this.#keys.store.getMeta(META_PREFIX + identity);
    return raw ? (JSON.parse(fromUtf8.decode(raw)) as Record<string, string>) : {};
  }

  #save(identity: string, documents: Record<string, string>): void {
    this.#cache.clear();
    const name = META_PREFIX + identity;
    this.#keys.write(() => {
      if (Object.keys(documents).length === 0) this.#keys.store.deleteMeta(name);
      else this.#keys.store.putMeta(name, utf8.encode(JSON.stringify(documents)));
    });
  }

  /** Attaches (or replaces) the inline policy `name` of a user or role. */
  putPrincipalPolicy(principalArn: string, name: string, document: string | object): void {
    const identity = checkIdentity(principalArn);
    const policyName = checkName(name);
    const text = typeof document === "string" ? document : JSON.stringify(document);
    if (typeof text !== "string") throw new MalformedPolicyDocumentException("The policy document must be a JSON string or object");
    if (text.length > MAX_IDENTITY_POLICY_CHARS) {
      throw new MalformedPolicyDocumentException(`The policy is ${text.length} characters; an identity policy may have at most ${MAX_IDENTITY_POLICY_CHARS}`);
    }
    try {
      parsePolicy(text, { kind: "identity" });
    } catch (err) {
      if (err instanceof MalformedPolicyError) throw new MalformedPolicyDocumentException(`The identity policy is not valid: ${err.reason}`);
      throw err;
    }
    this.#save(identity, { ...this.#documents(identity), [policyName]: text });
  }

  /** The document of inline policy `name`; NotFoundException when there is none. */
  getPrincipalPolicy(principalArn: string, name: string): string {
    const identity = checkIdentity(principalArn);
    const document = this.#documents(identity)[checkName(name)];
    if (document === undefined) throw new NotFoundException(`${identity} has no policy named ${name}`);
    return document;
  }

  /** Names of the inline policies of a user or role, sorted. */
  listPrincipalPolicies(principalArn: string): string[] {
    return Object.keys(this.#documents(checkIdentity(principalArn))).sort();
  }

  deletePrincipalPolicy(principalArn: string, name: string): void {
    const identity = checkIdentity(principalArn);
    const documents = this.#documents(identity);
    if (documents[checkName(name)] === undefined) throw new NotFoundException(`${identity} has no policy named ${name}`);
    delete documents[name];
    this.#save(identity, documents);
  }

  /** The parsed policies that apply to a caller (a role's, for its sessions). */
  policiesOf(caller: string): readonly NamedPolicy[] {
    let policies = this.#cache.get(caller);
    if (!policies) {
      const identity = identityArn(caller);
      policies = IDENTITY.test(identity)
        ? Object.entries(this.#documents(identity))
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([name, text]) => ({ name, policy: parsePolicy(text, { kind: "identity" }) }))
        : NONE;
      if (this.#cache.size >= MAX_CACHED_CALLERS) this.#cache.clear();
      this.#cache.set(caller, policies);
    }
    return policies;
  }

  /** Drops cached policies (the store is being closed). */
  clear(): void {
    this.#cache.clear();
  }
}
