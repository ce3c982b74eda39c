/**
 * What every operation runs with. `KmsCore` is the shared state of one Kms
 * (and of every `kms.as(…)` view of it); an `OperationContext` is one call:
 * the operation name, the calling principal, the request, the time, and the
 * keys the call resolved.
 *
 * Every key an operation touches is resolved through `ctx.key(…)` (or
 * `ctx.keyFromCiphertext(…)`), which is the one place that turns a KeyId into
 * a key: parse the identifier, follow an alias, apply due housekeeping, check
 * the key state, and record the use on the context. Authorization (key
 * policies, grants) plugs in at `use`, with the operation, the principal, the
 * key and the permission at hand; audit reads `ctx.uses` after the call.
 */
import type { Clock } from "../clock.js";
import { NotFoundException } from "./errors.js";
import type { KeyEntry } from "./key-entry.js";
import { type KeyScope, aliasArn, keyArn, parseKeyReference } from "./key-id.js";
import type { RootKey } from "./key-material.js";
import type { KeyRepository } from "./key-repository.js";
import { type StateRule, checkKeyState } from "./key-state.js";
import { settle } from "./lifecycle.js";
import type { RandomPool } from "./random-pool.js";

export interface KmsCore {
  readonly scope: KeyScope;
  readonly clock: Clock;
  readonly keys: KeyRepository;
  readonly root: RootKey;
  readonly random: RandomPool;
}

export interface KeyUse {
  readonly key: KeyEntry;
  /** e.g. "kms:Encrypt". */
  readonly action: string;
}

export interface KeyLookup {
  /** Name of the request field, for messages (default "KeyId"). */
  field?: string;
  /** Whether alias names and alias ARNs are accepted (default false). */
  aliases?: boolean;
  /**
   * The permission this use of the key needs, when it is not kms:<operation>
   * (ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on
   * the destination). For the authorization layer.
   */
  action?: string;
}

export class OperationContext {
  readonly core: KmsCore;
  /** AWS operation name, e.g. "Encrypt". */
  readonly operation: string;
  /** ARN of the caller. */
  readonly principal: string;
  readonly request: object;
  /** Clock time at the start of the call (ms). */
  readonly now: number;
  /** Keys this call resolved, in order, with the permission each use needs. */
  readonly uses: KeyUse[] = [];

  constructor(core: KmsCore, operation: string, principal: string, request: object) {
    this.core = core;
    this.operation = operation;
    this.principal = principal;
    this.request = request;
    this.now = core.clock.now();
  }

  /**
   * Resolves a KeyId parameter to a live key in a state `rule` accepts.
   * NotFoundException when nothing by that name exists (or it was deleted when
   * its deletion date passed).
   */
  key(value: unknown, rule: StateRule, lookup: KeyLookup = {}): KeyEntry {
    const field = lookup.field ?? "KeyId";
    const ref = parseKeyReference(this.core.scope, value, field, lookup.aliases === true);
    let keyId: string;
    if (ref.kind === "alias") {
      const alias = this.core.keys.alias(ref.aliasName);
      if (!alias) throw new NotFoundException(`Alias ${aliasArn(this.core.scope, ref.aliasName)} is not found.`);
      keyId = alias.targetKeyId;
    } else {
      keyId = ref.keyId;
    }
    const entry = this.#live(keyId);
    if (!entry) throw new NotFoundException(`Key '${keyArn(this.core.scope, keyId)}' does not exist`);
    return this.use(entry, rule, lookup.action);
  }

  /** The live key with this id, or undefined (used for the key id a ciphertext names). */
  keyById(keyId: string): KeyEntry | undefined {
    return this.#live(keyId);
  }

  /** Checks `entry`'s state under `rule` and records it as used by this call. */
  use(entry: KeyEntry, rule: StateRule, action = `kms:${this.operation}`): KeyEntry {
    checkKeyState(entry, rule);
    this.uses.push({ key: entry, action });
    return entry;
  }

  #live(keyId: string): KeyEntry | undefined {
    const entry = this.core.keys.get(keyId);
    return entry && settle(this.core, entry, this.now);
  }

  /** Runs `fn` as one store transaction (see KeyRepository.write). */
  write<T>(fn: () => T): T {
    return this.core.keys.write(fn);
  }
}
