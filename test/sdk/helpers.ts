/** Shared set-up for the SDK tests: matching keyrings on both sides, byte helpers, stream plumbing. */
import { randomBytes as nodeRandom } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from "@aws-crypto/client-node";
import { afterAll, expect } from "vitest";
import { RawAesKeyring, SdkError } from "../../src/sdk/index.js";

export const random = (n: number) => new Uint8Array(nodeRandom(n));
export const utf8 = (s: string) => new TextEncoder().encode(s);

const WRAPPING_SUITES = {
  16: RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
  24: RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
  32: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
} as const;

/** Our RawAesKeyring and client-node's RawAesKeyringNode over one wrapping key. */
export function keyringPair(
  opts: { keyLength?: 16 | 24 | 32; keyNamespace?: string; keyName?: string; utf8Sorting?: boolean; wrappingKey?: Uint8Array } = {},
) {
  const keyLength = opts.keyLength ?? 32;
  const wrappingKey = opts.wrappingKey ?? random(keyLength);
  const keyNamespace = opts.keyNamespace ?? "wasmkms-test";
  const keyName = opts.keyName ?? "key-1";
  const ours = new RawAesKeyring({ keyNamespace, keyName, wrappingKey });
  const theirs = new RawAesKeyringNode({
    keyNamespace,
    keyName,
    // RawAesKeyringNode zeroes the array it is given: hand it a copy.
    unencryptedMasterKey: wrappingKey.slice(),
    wrappingSuite: WRAPPING_SUITES[keyLength],
    ...(opts.utf8Sorting === undefined ? {} : { utf8Sorting: opts.utf8Sorting }),
  });
  return { ours, theirs, wrappingKey };
}

export const requireClient = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
export const allowClient = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
export const forbidClient = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);

export const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Awaits `p` and returns the SdkError it rejects with (fails if it resolves or throws something else). */
export async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, "expected a rejection").toBeInstanceOf(SdkError);
  expect((err as SdkError).name).not.toBe("SdkError");
  return err as SdkError;
}

/** Splits `data` into pieces of random length (0 … max), sometimes with empty pieces. */
export function randomChunks(data: Uint8Array, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; ) {
    const n = Math.floor(Math.random() * (max + 1));
    out.push(data.subarray(off, off + n));
    off += n;
  }
  return out;
}

/** Pushes `chunks` through `transform`; returns what came out, or the error and what came out before it. */
export async function runStream(
  transform: TransformStream<Uint8Array, Uint8Array>,
  chunks: readonly Uint8Array[],
): Promise<{ out: Uint8Array[]; error?: unknown }> {
  const out: Uint8Array[] = [];
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
  try {
    await source.pipeThrough(transform).pipeTo(new WritableStream({ write: (chunk) => void out.push(chunk) }));
    return { out };
  } catch (error) {
    return { out, error };
  }
}

/** Footer length of a signed message: the u16 length just before the last n bytes that makes the arithmetic close. */
export function footerLength(message: Uint8Array): number {
  for (let n = 1; n <= 104; n++) {
    const at = message.length - n - 2;
    if (((message[at] << 8) | message[at + 1]) === n) return n;
  }
  throw new Error("no footer");
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

/**
 * A temporary directory for one test file's encryptFile / decryptFile runs, removed after its tests (after
 * `beforeRemoving`, e.g. closing the frame workers). `noTemporaries` checks that no temporary output file was
 * left behind.
 */
export function tempFiles(prefix: string, beforeRemoving: () => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(async () => {
    await beforeRemoving();
    rmSync(dir, { recursive: true, force: true });
  });
  const path = (name: string) => join(dir, name);
  return {
    dir,
    path,
    read: (name: string) => new Uint8Array(readFileSync(path(name))),
    write: (name: string, bytes: Uint8Array) => (writeFileSync(path(name), bytes), path(name)),
    noTemporaries: () => expect(readdirSync(dir).filter((f) => f.includes("wasmkms-tmp"))).toEqual([]),
  };
}
