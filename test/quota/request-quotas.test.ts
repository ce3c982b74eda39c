import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { type QuotaOption, type QuotaPreset, RequestQuotas, THROTTLING_MESSAGE } from "../../src/quota/index.js";
import { drain } from "./helpers.js";

const SYMMETRIC = "Cryptographic operations (symmetric) request rate";

function quotas(option: QuotaOption, region = "us-east-1") {
  const clock = new ManualClock();
  return { q: new RequestQuotas(option, { region, clock }), clock };
}

/** How many requests get through at one instant (stops at `max`). */
function burst(q: RequestQuotas, operation: string, keySpec?: string, pairSpec?: string, max = 200_000): number {
  return drain(() => q.take(operation, keySpec, pairSpec).ok, max);
}

describe("RequestQuotas", () => {
  it('"aws-2020" in eu-north-1: of 10,000 GenerateDataKey calls in one second, exactly 5,500 succeed', () => {
    const { q } = quotas("aws-2020", "eu-north-1");
    let ok = 0;
    let last: ReturnType<RequestQuotas["take"]> | undefined;
    for (let i = 0; i < 10_000; i++) {
      last = q.take("GenerateDataKey", "SYMMETRIC_DEFAULT");
      if (last.ok) ok++;
    }
    expect(ok).toBe(5500);
    expect(last).toEqual({ ok: false, pool: SYMMETRIC, limit: 5500, message: THROTTLING_MESSAGE });
    expect(THROTTLING_MESSAGE).toBe("You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");
  });

  const symmetricTable: [QuotaPreset, string, number][] = [
    ["aws-2020", "eu-north-1", 5_500],
    ["aws-2020", "sa-east-1", 5_500],
    ...["us-east-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1", "eu-west-2"].map(
      (r) => ["aws-2020", r, 10_000] as [QuotaPreset, string, number],
    ),
    ...["us-east-1", "us-west-2", "eu-west-1"].map((r) => ["aws-2020", r, 30_000] as [QuotaPreset, string, number]),
    ["aws-current", "eu-north-1", 10_000],
    ["aws-current", "cn-north-1", 10_000],
    ...["us-east-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1", "eu-west-2"].map(
      (r) => ["aws-current", r, 20_000] as [QuotaPreset, string, number],
    ),
    ...["us-east-1", "us-west-2", "eu-west-1"].map((r) => ["aws-current", r, 100_000] as [QuotaPreset, string, number]),
  ];
  it.each(symmetricTable)("%s in %s: %i symmetric requests per second", (preset, region, limit) => {
    const { q } = quotas(preset, region);
    expect(burst(q, "Encrypt", "SYMMETRIC_DEFAULT")).toBe(limit);
  });

  it.each([
    ["aws-2020", 500, 300],
    ["aws-current", 1000, 1000],
  ] as [QuotaPreset, number, number][])("%s: RSA %i/s and ECC %i/s, each its own shared pool", (preset, rsa, ecc) => {
    const { q } = quotas(preset);
    expect(burst(q, "Sign", "RSA_2048")).toBe(rsa);
    expect(q.take("Decrypt", "RSA_4096")).toMatchObject({ ok: false, pool: "Cryptographic operations (RSA) request rate", limit: rsa });
    expect(burst(q, "Verify", "ECC_NIST_P256")).toBe(ecc);
    expect(q.take("Sign", "ECC_SECG_P256K1")).toMatchObject({ ok: false, limit: ecc });
    expect(q.take("Sign", "SM2").ok).toBe(false); // SM2 shares the ECC pool
    expect(q.take("Encrypt", "SYMMETRIC_DEFAULT").ok).toBe(true); // the symmetric pool is untouched
  });

  it("counts every symmetric cryptographic operation against one pool, HMAC keys and GenerateRandom included", () => {
    const { q } = quotas("aws-2020", "eu-north-1");
    const takes: [string, string | undefined][] = [
      ["Encrypt", "SYMMETRIC_DEFAULT"],
      ["Decrypt", "SYMMETRIC_DEFAULT"],
      ["ReEncrypt", "SYMMETRIC_DEFAULT"],
      ["GenerateDataKey", "SYMMETRIC_DEFAULT"],
      ["GenerateDataKeyWithoutPlaintext", "SYMMETRIC_DEFAULT"],
      ["GenerateRandom", undefined],
      ["GenerateMac", "HMAC_256"],
      ["VerifyMac", "HMAC_512"],
      ["Decrypt", undefined], // key type not known yet
    ];
    let ok = 0;
    for (let i = 0; i < 6000; i++) {
      const [op, spec] = takes[i % takes.length];
      if (q.take(op, spec).ok) ok++;
    }
    expect(ok).toBe(5500);
    for (const [op, spec] of takes) expect(q.take(op, spec).ok, op).toBe(false);
  });

  it("refills over simulated time and never beyond one second's worth", () => {
    const { q, clock } = quotas("aws-2020", "eu-north-1");
    expect(burst(q, "GenerateDataKey", "SYMMETRIC_DEFAULT")).toBe(5500);
    clock.advance(1);
    expect(burst(q, "GenerateDataKey", "SYMMETRIC_DEFAULT")).toBe(5);
    clock.advance(100);
    expect(burst(q, "GenerateDataKey", "SYMMETRIC_DEFAULT")).toBe(550);
    clock.advance(60_000);
    expect(burst(q, "GenerateDataKey", "SYMMETRIC_DEFAULT")).toBe(5500);
    // A steady 5,500/s in 1 ms steps all gets through.
    let ok = 0;
    for (let ms = 0; ms < 1000; ms++) {
      clock.advance(1);
      for (let i = 0; i < 5; i++) if (q.take("Decrypt", "SYMMETRIC_DEFAULT").ok) ok++;
    }
    expect(ok).toBe(5000);
  });

  it("limits each control-plane operation on its own", () => {
    const { q, clock } = quotas("aws-current");
    expect(burst(q, "CreateKey")).toBe(5);
    expect(q.take("CreateKey")).toEqual({ ok: false, pool: "CreateKey request rate", limit: 5, message: THROTTLING_MESSAGE });
    expect(burst(q, "DescribeKey")).toBe(2000);
    expect(burst(q, "ListKeys")).toBe(500);
    expect(burst(q, "PutKeyPolicy")).toBe(15);
    expect(burst(q, "GetParametersForImport")).toBe(1);
    expect(q.take("CreateAlias").ok).toBe(true); // CreateKey's throttling does not touch CreateAlias
    clock.advance(200);
    expect(burst(q, "CreateKey")).toBe(1);
  });

  it('"aws-2020" uses the 2020 table, and the current figure for operations it did not list', () => {
    const { q, clock } = quotas("aws-2020");
    expect(burst(q, "DescribeKey")).toBe(1000);
    expect(burst(q, "ListKeys")).toBe(100);
    expect(burst(q, "PutKeyPolicy")).toBe(5);
    // 0.25/s: one request, then one every 4 s.
    expect(burst(q, "GetParametersForImport")).toBe(1);
    clock.advance(3999);
    expect(q.take("GetParametersForImport").ok).toBe(false);
    clock.advance(1);
    expect(q.take("GetParametersForImport").ok).toBe(true);
    expect(burst(q, "GetKeyLastUsage")).toBe(5);
    const described = q.describe().find((d) => d.pool === "GetKeyLastUsage request rate");
    expect(described).toMatchObject({ perSecond: 5 });
    expect(described?.source).toMatch(/not in the 2020 table/);
  });

  it("limits GenerateDataKeyPair per key pair spec, shared with …WithoutPlaintext, apart from the symmetric pool", () => {
    const { q, clock } = quotas("aws-2020", "eu-north-1");
    expect(burst(q, "GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "ECC_NIST_P256")).toBe(25);
    expect(q.take("GenerateDataKeyPairWithoutPlaintext", "SYMMETRIC_DEFAULT", "ECC_NIST_P256")).toMatchObject({
      ok: false,
      pool: "GenerateDataKeyPair (ECC_NIST_P256) request rate",
      limit: 25,
    });
    expect(burst(q, "GenerateDataKeyPairWithoutPlaintext", undefined, "ECC_NIST_P384")).toBe(10);
    expect(burst(q, "GenerateDataKeyPair", undefined, "RSA_2048")).toBe(1);
    // RSA_4096 at 0.1/s: one in each 10-second interval.
    expect(burst(q, "GenerateDataKeyPair", undefined, "RSA_4096")).toBe(1);
    clock.advance(9_999);
    expect(q.take("GenerateDataKeyPair", undefined, "RSA_4096").ok).toBe(false);
    clock.advance(1);
    expect(q.take("GenerateDataKeyPair", undefined, "RSA_4096").ok).toBe(true);
    expect(burst(q, "Encrypt", "SYMMETRIC_DEFAULT")).toBe(5500);
  });

  it('"aws-current" key pair quotas, lower in the China Regions', () => {
    const us = quotas("aws-current").q;
    expect(burst(us, "GenerateDataKeyPair", undefined, "RSA_2048")).toBe(20);
    expect(burst(us, "GenerateDataKeyPair", undefined, "RSA_3072")).toBe(4);
    expect(burst(us, "GenerateDataKeyPair", undefined, "RSA_4096")).toBe(1);
    expect(burst(us, "GenerateDataKeyPair", undefined, "ECC_NIST_P521")).toBe(100);
    const cn = quotas("aws-current", "cn-north-1").q;
    expect(burst(cn, "GenerateDataKeyPair", undefined, "RSA_2048")).toBe(1);
    expect(burst(cn, "GenerateDataKeyPair", undefined, "ECC_NIST_P256")).toBe(100);
  });

  it("lets unknown operations and unknown key pair specs through", () => {
    const { q } = quotas("aws-current");
    expect(burst(q, "NoSuchOperation", undefined, undefined, 50_000)).toBe(50_000);
    expect(burst(q, "GenerateDataKeyPair", undefined, "NO_SUCH_SPEC", 1000)).toBe(1000);
  });

  it("is off with false: nothing is throttled and nothing is described", () => {
    const { q } = quotas(false);
    expect(q.enabled).toBe(false);
    expect(burst(q, "GenerateDataKey", "SYMMETRIC_DEFAULT", undefined, 100_000)).toBe(100_000);
    expect(burst(q, "CreateKey", undefined, undefined, 1000)).toBe(1000);
    expect(q.describe()).toEqual([]);
  });

  it("takes custom rates, limiting only the pools named", () => {
    const { q, clock } = quotas({ symmetric: 100, rsa: 10, ecc: 3, CreateKey: 2, dataKeyPair: { RSA_2048: 0.5 } });
    expect(q.enabled).toBe(true);
    expect(burst(q, "GenerateDataKey", "SYMMETRIC_DEFAULT")).toBe(100);
    expect(burst(q, "Sign", "RSA_2048")).toBe(10);
    expect(burst(q, "Sign", "ECC_NIST_P384")).toBe(3);
    expect(burst(q, "CreateKey")).toBe(2);
    expect(burst(q, "GenerateDataKeyPair", undefined, "RSA_2048")).toBe(1);
    clock.advance(2000);
    expect(burst(q, "GenerateDataKeyPair", undefined, "RSA_2048")).toBe(1);
    expect(burst(q, "DescribeKey", undefined, undefined, 10_000)).toBe(10_000);
    expect(q.describe()).toContainEqual({ pool: "CreateKey request rate", perSecond: 2, source: "custom" });
  });

  it("takes a preset as the base of custom rates; Infinity lifts a limit and 0 throttles everything", () => {
    const { q } = quotas({ base: "aws-current", symmetric: 50, CreateKey: Number.POSITIVE_INFINITY, DisableKey: 0 });
    expect(burst(q, "Encrypt", "SYMMETRIC_DEFAULT")).toBe(50);
    expect(burst(q, "CreateKey", undefined, undefined, 1000)).toBe(1000);
    expect(q.take("DisableKey")).toMatchObject({ ok: false, limit: 0 });
    expect(burst(q, "DescribeKey")).toBe(2000); // from the base
    const sources = new Map(q.describe().map((d) => [d.pool, d.source]));
    expect(sources.get(SYMMETRIC)).toBe("custom");
    expect(sources.get("DescribeKey request rate")).toMatch(/requests-per-second/);
    expect(sources.has("CreateKey request rate")).toBe(false);
  });

  it("refuses options it does not understand", () => {
    const clock = new ManualClock();
    const bad: unknown[] = [
      true,
      "aws-2019",
      [],
      { symmetric: -1 },
      { symmetric: Number.NaN },
      { rsa: "10" },
      { base: "aws-1999" },
      { Encrypt: 10 },
      { GenerateDataKeyPair: 1 },
      { dataKeyPair: 5 },
      { dataKeyPair: { RSA_2048: -2 } },
      { createKey: 5 },
    ];
    for (const option of bad) {
      expect(() => new RequestQuotas(option as QuotaOption, { region: "us-east-1", clock }), JSON.stringify(option)).toThrow(TypeError);
    }
    expect(() => new RequestQuotas("aws-current", { region: "", clock })).toThrow(/region/);
    expect(() => new RequestQuotas("aws-current", { region: "us-east-1" } as never)).toThrow(/clock/);
  });

  it("keeps separate buckets for other calling accounts", () => {
    const { q } = quotas("aws-current");
    expect(burst(q, "CreateKey")).toBe(5);
    expect(drain(() => q.take("CreateKey", undefined, undefined, "444455556666").ok)).toBe(5);
    expect(drain(() => q.take("CreateKey", undefined, undefined, "777788889999").ok)).toBe(5);
    expect(q.take("CreateKey").ok).toBe(false);
  });

  it("describes the rates in force with their sources", () => {
    const d2020 = quotas("aws-2020", "eu-west-2").q.describe();
    expect(d2020).toContainEqual({ pool: SYMMETRIC, perSecond: 10_000, source: expect.stringMatching(/2020/) });
    expect(d2020).toContainEqual(expect.objectContaining({ pool: "GenerateDataKeyPair (RSA_4096) request rate", perSecond: 0.1 }));
    const current = quotas("aws-current").q.describe();
    expect(current).toContainEqual(expect.objectContaining({ pool: SYMMETRIC, perSecond: 100_000 }));
    expect(current).toContainEqual(expect.objectContaining({ pool: "DescribeKey request rate", perSecond: 2000 }));
    expect(current).toContainEqual(expect.objectContaining({ pool: "Cryptographic operations (ECC and SM2) request rate", perSecond: 1000 }));
    for (const d of current) expect(d.source).toMatch(/docs\.aws\.amazon\.com/);
  });
});
