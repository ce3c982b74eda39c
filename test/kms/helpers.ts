/** Shared set-up for the Kms tests: a Kms on a memory store with a manual clock. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { Kms, type KmsOptions } from "../../src/kms/index.js";
import { MemoryKeyStore } from "../../src/store/memory-store.js";

export const DAY = 86_400_000;
export const utf8 = (s: string) => new TextEncoder().encode(s);
/** Bytes typed as WebCrypto's BufferSource wants them (an ArrayBuffer-backed view). */
export const source = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

export function setup(options: KmsOptions = {}) {
  const clock = new ManualClock();
  const store = options.store ?? new MemoryKeyStore();
  const rootKey = options.rootKey ?? crypto.getRandomValues(new Uint8Array(32));
  const kms = new Kms({ clock, store, rootKey, ...options });
  return { kms, clock, store, rootKey };
}

/** Runs `fn` with a fresh SQLite file path and root key (for reopening the same store), then removes the file. */
export async function withSqliteFile(fn: (path: string, rootKey: Uint8Array) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "wasmkms-kms-"));
  try {
    await fn(join(dir, "kms.db"), crypto.getRandomValues(new Uint8Array(32)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Awaits `promise` and checks it rejects with the AWS error `name` (and a message matching `message`, if given). */
export async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<Error> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${name}`).toBeInstanceOf(Error);
  expect((error as Error).name, (error as Error).message).toBe(name);
  if (message) expect((error as Error).message).toMatch(message);
  return error as Error;
}

/** Creates a symmetric key and returns its id and ARN. */
export async function symmetricKey(kms: Kms, request = {}) {
  const { KeyMetadata } = await kms.createKey(request);
  return { id: KeyMetadata.KeyId, arn: KeyMetadata.Arn };
}

// Principals of the access tests (the seed document's scenario).
export const ACCOUNT = "111122223333";
export const PARTNER_ACCOUNT = "444455556666";
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const KEY_USER = `arn:aws:iam::${ACCOUNT}:user/KeyUser`;
export const KEY_MANAGER = `arn:aws:iam::${ACCOUNT}:user/KeyManager`;
export const OTHER_USER = `arn:aws:iam::${ACCOUNT}:user/Other`;
export const PARTNER = `arn:aws:iam::${PARTNER_ACCOUNT}:user/Partner`;

/** A key policy document with these statements. */
export function keyPolicy(...statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The default key policy's statement: the account (root) may do everything, and delegates to IAM. */
export const ROOT_STATEMENT = { Sid: "Root", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" };

/** An Allow statement for `principal`, with an optional Condition. */
export function allowStatement(principal: string, actions: string | string[], condition?: object) {
  return { Effect: "Allow", Principal: { AWS: principal }, Action: actions, Resource: "*", ...(condition ? { Condition: condition } : {}) };
}

/** An identity policy allowing `actions` on `resource`. */
export function allowPolicy(actions: string | string[], resource: string | string[] = "*", condition?: object) {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: resource, ...(condition ? { Condition: condition } : {}) }] };
}

/**
 * The seed's key policy: the account (delegation to IAM), a key-administrator
 * statement for KeyManager, a key-user statement for KeyUser, and the
 * console's grant statement for KeyUser (only for AWS services' grants).
 */
export function seedKeyPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "key-consolepolicy-3",
    Statement: [
      { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
      {
        Sid: "Allow access for Key Administrators",
        Effect: "Allow",
        Principal: { AWS: KEY_MANAGER },
        Action: [
          "kms:Create*",
          "kms:Describe*",
          "kms:Enable*",
          "kms:List*",
          "kms:Put*",
          "kms:Update*",
          "kms:Revoke*",
          "kms:Disable*",
          "kms:Get*",
          "kms:Delete*",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:ScheduleKeyDeletion",
          "kms:CancelKeyDeletion",
        ],
        Resource: "*",
      },
      {
        Sid: "Allow use of the key",
        Effect: "Allow",
        Principal: { AWS: KEY_USER },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
      },
      {
        Sid: "Allow attachment of persistent resources",
        Effect: "Allow",
        Principal: { AWS: KEY_USER },
        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ],
  });
}
