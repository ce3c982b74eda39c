// Request quotas in the Kms: exact counts on a manual clock, no side effect
// when throttled, the pools of key types, and audit records of throttled calls.
import { describe, expect, it } from "vitest";
import { THROTTLING_MESSAGE, withRetry } from "../../src/kms/index.js";
import { OTHER_USER, allowPolicy, rejects, setup, symmetricKey, utf8 } from "./helpers.js";

async function outcomes(n: number, call: () => Promise<unknown>): Promise<{ ok: number; throttled: number }> {
  let ok = 0;
  let throttled = 0;
  for (let i = 0; i < n; i++) {
    try {
      await call();
      ok++;
    } catch (e) {
      if ((e as Error).name !== "ThrottlingException") throw e;
      throttled++;
    }
  }
  return { ok, throttled };
}

describe("request quotas", () => {
  it('"aws-2020" in eu-north-1: exactly 5,500 of 10,000 GenerateDataKey calls in one simulated second', async () => {
    const { kms, clock } = setup({ quotas: "aws-2020", region: "eu-north-1" });
    const { id } = await symmetricKey(kms);
    expect(await outcomes(10_000, () => kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" }))).toEqual({ ok: 5_500, throttled: 4_500 });
    // Encrypt shares the symmetric pool, which is empty until the clock moves.
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x") }), "ThrottlingException", new RegExp(`^${THROTTLING_MESSAGE.replace(/\./g, "\\.")}$`));
    clock.advance(100);
    expect(await outcomes(1_000, () => kms.encrypt({ KeyId: id, Plaintext: utf8("x") }))).toEqual({ ok: 550, throttled: 450 });
    const throttled = kms.audit?.query({ errorCode: "ThrottlingException" }) ?? [];
    expect(throttled).toHaveLength(4_501 + 450);
    expect(throttled[0]).toMatchObject({ eventName: "GenerateDataKey", errorMessage: THROTTLING_MESSAGE, resources: [{ ARN: expect.stringContaining(id) }] });
  });

  it('"aws-current" in us-east-1 allows 100,000 symmetric requests a second; quotas are off by default', async () => {
    const current = setup({ quotas: "aws-current" });
    const { id } = await symmetricKey(current.kms);
    expect(await outcomes(20_000, () => current.kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" }))).toEqual({ ok: 20_000, throttled: 0 });
    const y2020 = setup({ quotas: "aws-2020", region: "eu-north-1" });
    expect((await outcomes(6, () => y2020.kms.createKey())).ok).toBe(5); // CreateKey: 5 a second
    const none = setup();
    expect((await outcomes(20, () => none.kms.createKey())).ok).toBe(20);
  });

  it("leaves no side effect when a call is throttled", async () => {
    const { kms, clock } = setup({ quotas: { CreateKey: 2, TagResource: 1, ScheduleKeyDeletion: 1 } });
    await kms.createKey();
    await kms.createKey();
    await rejects(kms.createKey(), "ThrottlingException");
    expect((await kms.listKeys()).Keys).toHaveLength(2);
    const id = (await kms.listKeys()).Keys[0].KeyId;
    await kms.tagResource({ KeyId: id, Tags: [{ TagKey: "a", TagValue: "1" }] });
    await rejects(kms.tagResource({ KeyId: id, Tags: [{ TagKey: "b", TagValue: "2" }] }), "ThrottlingException");
    expect((await kms.listResourceTags({ KeyId: id })).Tags).toEqual([{ TagKey: "a", TagValue: "1" }]);
    await kms.scheduleKeyDeletion({ KeyId: id });
    const other = (await kms.listKeys()).Keys[1].KeyId;
    await rejects(kms.scheduleKeyDeletion({ KeyId: other }), "ThrottlingException");
    expect((await kms.describeKey({ KeyId: other })).KeyMetadata.KeyState).toBe("Enabled");
    clock.advance(1000);
    await kms.scheduleKeyDeletion({ KeyId: other });
  });

  it("counts cryptographic operations against their key type's pool", async () => {
    const { kms } = setup({ quotas: { symmetric: 3, rsa: 1 } });
    const { id } = await symmetricKey(kms);
    const rsa = (await kms.createKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" })).KeyMetadata.KeyId;
    await kms.encrypt({ KeyId: rsa, Plaintext: utf8("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" });
    await rejects(kms.encrypt({ KeyId: rsa, Plaintext: utf8("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }), "ThrottlingException");
    expect(await outcomes(4, () => kms.encrypt({ KeyId: id, Plaintext: utf8("x") }))).toEqual({ ok: 3, throttled: 1 });
  });

  it("throttles before authorizing, and records both kinds of refusal", async () => {
    const { kms } = setup({ quotas: { symmetric: 1 } });
    const { id } = await symmetricKey(kms);
    kms.iam.putPrincipalPolicy(OTHER_USER, "none", allowPolicy("kms:DescribeKey"));
    await rejects(kms.as(OTHER_USER).encrypt({ KeyId: id, Plaintext: utf8("x") }), "AccessDeniedException");
    await rejects(kms.as(OTHER_USER).encrypt({ KeyId: id, Plaintext: utf8("x") }), "ThrottlingException");
    expect(kms.audit?.query({ principal: OTHER_USER }).map((e) => e.errorCode)).toEqual(["AccessDeniedException", "ThrottlingException"]);
  });

  it("works with withRetry: backoff on the Kms clock until the bucket refills", async () => {
    const { kms, clock } = setup({ quotas: { symmetric: 1 } });
    const { id } = await symmetricKey(kms);
    await kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" });
    const delays: number[] = [];
    const out = await withRetry(() => kms.generateDataKey({ KeyId: id, KeySpec: "AES_256" }), {
      maxAttempts: 20,
      baseMs: 100,
      random: () => 0.99,
      clock,
      onRetry: (_attempt, ms) => delays.push(ms),
    });
    expect(out.Plaintext).toHaveLength(32);
    // The bucket refills one request per second: 99 + 198 + 396 + 792 ms of backoff.
    expect(delays.map(Math.round)).toEqual([99, 198, 396, 792]);
  });
});
