/** Shared by the audit tests: accounts, ARNs, inputs and a repeatable random source. */
import type { AuditInput } from "../../src/audit/index.js";

export const ACCOUNT = "111122223333";
export const REGION = "us-west-2";
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/Alice`;
export const KEY_USER = `arn:aws:iam::${ACCOUNT}:user/KeyUser`;
export const KEY_A = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY_B = "0987dcba-09fe-87dc-65ba-ab0987654321";
export const arnOf = (keyId: string, region = REGION, account = ACCOUNT) => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const ARN_A = arnOf(KEY_A);
export const ARN_B = arnOf(KEY_B);
export const T0 = Date.UTC(2026, 0, 1);

/** Random bytes from a counter, so event and request ids are repeatable. */
export function counterRandom(): () => Uint8Array {
  let n = 0;
  return () => {
    n++;
    const out = new Uint8Array(16);
    new DataView(out.buffer).setUint32(12, n);
    return out;
  };
}

/** A successful call by root on key A at T0 + `at` ms; override anything. */
export function input(overrides: Partial<AuditInput> = {}, at = 0): AuditInput {
  return {
    time: T0 + at,
    operation: "Encrypt",
    region: REGION,
    account: ACCOUNT,
    principal: ROOT,
    request: { KeyId: KEY_A, Plaintext: new Uint8Array([1, 2, 3]) },
    response: { KeyId: ARN_A, CiphertextBlob: new Uint8Array([4, 5, 6]), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" },
    keyArns: [ARN_A],
    readOnly: true,
    ...overrides,
  };
}
