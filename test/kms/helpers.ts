/** Shared set-up for the Kms tests: a Kms on a memory store with a manual clock. */
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
