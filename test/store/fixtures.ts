/** Records and helpers shared by the store tests. */
import { afterEach } from "vitest";
import type { AliasRecord, KeyRecord, KeyStore } from "../../src/store/key-store.js";

/** Wraps a store factory so that every store it made is closed after each test. */
export function closedAfterEach<A extends unknown[], S extends KeyStore>(make: (...args: A) => S): (...args: A) => S {
  const opened: S[] = [];
  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
  });
  return (...args) => {
    const store = make(...args);
    opened.push(store);
    return store;
  };
}

export function keyRecord(keyId: string, versionCount = 1, extra: Partial<KeyRecord> = {}): KeyRecord {
  return {
    keyId,
    metadata: {
      KeyId: keyId,
      Arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
      CreationDate: 1_767_225_600_000,
      Enabled: true,
      Description: "",
      KeyState: "Enabled",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    },
    versions: Array.from({ length: versionCount }, (_, i) => ({
      version: i + 1,
      wrapped: Uint8Array.from({ length: 60 }, (_, j) => (j * 7 + i) & 0xff),
      createdAt: 1_767_225_600_000 + i,
      origin: i === 0 ? "CREATE" : "ON_DEMAND",
    })),
    policies: { default: '{"Version":"2012-10-17","Statement":[]}' },
    tags: [{ TagKey: "team", TagValue: "crypto" }],
    extra: { rotation: { enabled: false, periodDays: 365 } },
    ...extra,
  };
}

export function aliasRecord(aliasName: string, targetKeyId: string, at = 1_767_225_600_000): AliasRecord {
  return { aliasName, targetKeyId, creationDate: at, lastUpdatedDate: at };
}

export const bytes = (...values: number[]) => Uint8Array.from(values);
