/**
 * Options of encrypt/decrypt (one-shot and streaming), validated once.
 */
import { algorithmSuite, commitmentPolicyOf, DEFAULT_SUITE_ID } from "./algorithm-suites.js";
import { DefaultMaterialsManager } from "./default-materials-manager.js";
import { checkEncryptionContext } from "./encryption-context.js";
import { InvalidParameterError } from "./errors.js";
import {
  type AlgorithmSuiteId,
  type CommitmentPolicy,
  type EncryptionContext,
  isMaterialsManager,
  type Keyring,
  type MaterialsManager,
} from "./materials.js";

export const DEFAULT_FRAME_LENGTH = 4096;
const MAX_FRAME_LENGTH = 0xffffffff;
const MAX_EDKS = 0xffff;

export interface EncryptOptions {
  /** Pairs to bind to the message (stored in the header). Keys starting with `aws-crypto-` are reserved. */
  encryptionContext?: Record<string, string>;
  /** Plaintext bytes per frame, 1 … 2^32 − 1 (default 4,096). */
  frameLength?: number;
  /** 0x0478 (default) or 0x0578 (adds an ECDSA P-384 signature). */
  suite?: AlgorithmSuiteId;
  /** Fail if the materials carry more encrypted data keys than this (default: no limit). */
  maxEncryptedDataKeys?: number;
  /** Both supported policies require committing suites for encryption (default REQUIRE_ENCRYPT_REQUIRE_DECRYPT). */
  commitmentPolicy?: CommitmentPolicy;
}

export interface EncryptStreamOptions extends EncryptOptions {
  /** The plaintext length, if known: passed to the materials manager (caching managers count it). */
  plaintextLength?: number;
}

export interface DecryptOptions {
  /** Default REQUIRE_ENCRYPT_REQUIRE_DECRYPT (v2 messages only); REQUIRE_ENCRYPT_ALLOW_DECRYPT also reads v1 messages. */
  commitmentPolicy?: CommitmentPolicy;
  /** Refuse messages with more encrypted data keys than this, before any keyring runs (default: no limit). */
  maxEncryptedDataKeys?: number;
  /**
   * Refuse messages whose frames are longer than this many plaintext bytes
   * (default: no limit beyond the format's 2^32 − 1). A stream buffers one
   * whole frame, so this bounds its memory against hostile headers.
   */
  maxFrameLength?: number;
  /** Fail right after the header if the message uses a signing suite (the spec's "no unsigned plaintext until the end" option for streams). */
  rejectSignedSuites?: boolean;
}

export interface EncryptSettings {
  readonly cmm: MaterialsManager;
  readonly encryptionContext: EncryptionContext;
  readonly frameLength: number;
  readonly suiteId: AlgorithmSuiteId;
  readonly maxEncryptedDataKeys: number;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly plaintextLength?: number;
}

export interface DecryptSettings {
  readonly cmm: MaterialsManager;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly maxEncryptedDataKeys: number;
  readonly maxFrameLength: number;
  readonly rejectSignedSuites: boolean;
}

function integerIn(value: unknown, min: number, max: number, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidParameterError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function optionsObject<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null) throw new InvalidParameterError("options must be an object");
  return value;
}

/** A MaterialsManager as given, or a DefaultMaterialsManager around a Keyring. */
export function materialsManagerOf(keyringOrCmm: Keyring | MaterialsManager): MaterialsManager {
  if (keyringOrCmm && typeof keyringOrCmm === "object") {
    if (isMaterialsManager(keyringOrCmm)) return keyringOrCmm;
    if (typeof keyringOrCmm.onEncrypt === "function" && typeof keyringOrCmm.onDecrypt === "function") {
      return new DefaultMaterialsManager(keyringOrCmm);
    }
  }
  throw new InvalidParameterError("expected a Keyring (onEncrypt/onDecrypt) or a MaterialsManager (getEncryptionMaterials/decryptMaterials)");
}

/** `knownLength`, when given, is the plaintext length and overrides `options.plaintextLength`. */
export function encryptSettings(keyringOrCmm: Keyring | MaterialsManager, options?: EncryptStreamOptions, knownLength?: number): EncryptSettings {
  const o = optionsObject(options);
  const suiteId = o.suite ?? DEFAULT_SUITE_ID;
  if (typeof suiteId !== "number") throw new InvalidParameterError(`suite must be a numeric suite id such as 0x0478, got ${String(suiteId)}`);
  algorithmSuite(suiteId); // unknown ids fail here; the policy check is the materials manager's
  const length = knownLength ?? o.plaintextLength;
  const plaintextLength = length === undefined ? undefined : integerIn(length, 0, Number.MAX_SAFE_INTEGER, "plaintextLength");
  return {
    cmm: materialsManagerOf(keyringOrCmm),
    encryptionContext: checkEncryptionContext(o.encryptionContext),
    frameLength: o.frameLength === undefined ? DEFAULT_FRAME_LENGTH : integerIn(o.frameLength, 1, MAX_FRAME_LENGTH, "frameLength"),
    suiteId,
    maxEncryptedDataKeys: o.maxEncryptedDataKeys === undefined ? MAX_EDKS : integerIn(o.maxEncryptedDataKeys, 1, MAX_EDKS, "maxEncryptedDataKeys"),
    commitmentPolicy: commitmentPolicyOf(o.commitmentPolicy),
    ...(plaintextLength === undefined ? {} : { plaintextLength }),
  };
}

export function decryptSettings(keyringOrCmm: Keyring | MaterialsManager, options?: DecryptOptions): DecryptSettings {
  const o = optionsObject(options);
  return {
    cmm: materialsManagerOf(keyringOrCmm),
    commitmentPolicy: commitmentPolicyOf(o.commitmentPolicy),
    maxEncryptedDataKeys: o.maxEncryptedDataKeys === undefined ? MAX_EDKS : integerIn(o.maxEncryptedDataKeys, 1, MAX_EDKS, "maxEncryptedDataKeys"),
    maxFrameLength: o.maxFrameLength === undefined ? MAX_FRAME_LENGTH : integerIn(o.maxFrameLength, 1, MAX_FRAME_LENGTH, "maxFrameLength"),
    rejectSignedSuites: o.rejectSignedSuites === true,
  };
}
