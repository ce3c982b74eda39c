import { describe, expect, it } from "vitest";
import { DAY, rejects, setup, symmetricKey, utf8 } from "./helpers.js";

describe("automatic rotation", () => {
  it("is off by default and reports its schedule when on", async () => {
    const { kms, clock } = setup();
    const { id, arn } = await symmetricKey(kms);
    expect(await kms.getKeyRotationStatus({ KeyId: id })).toEqual({ KeyId: arn, KeyRotationEnabled: false });
    await kms.enableKeyRotation({ KeyId: id });
    expect(await kms.getKeyRotationStatus({ KeyId: arn })).toEqual({
      KeyId: arn,
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(clock.now() + 365 * DAY),
    });
    await kms.disableKeyRotation({ KeyId: id });
    expect((await kms.getKeyRotationStatus({ KeyId: id })).KeyRotationEnabled).toBe(false);
    await kms.disableKeyRotation({ KeyId: id });
  });

  it("validates the period (90–2560 days)", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await rejects(kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 89 }), "ValidationException");
    await rejects(kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 2561 }), "ValidationException");
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 2560 });
  });

  it("rotates when the clock passes the date, once per missed period, dated on schedule", async () => {
    const { kms, clock } = setup();
    const start = clock.now();
    const { id } = await symmetricKey(kms);
    const before = (await kms.encrypt({ KeyId: id, Plaintext: utf8("old") })).CiphertextBlob;
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    clock.advanceDays(90);
    clock.advance(-1);
    expect((await kms.listKeyRotations({ KeyId: id })).Rotations).toEqual([]);
    clock.advance(1);
    const rotations = (await kms.listKeyRotations({ KeyId: id })).Rotations;
    expect(rotations).toEqual([{ KeyId: id, KeyMaterialState: "CURRENT", RotationDate: new Date(start + 90 * DAY), RotationType: "AUTOMATIC" }]);
    clock.advanceDays(200); // two more periods have passed
    expect(kms.sweep()).toEqual({ deleted: 0, rotated: 2, expired: 0 });
    const all = (await kms.listKeyRotations({ KeyId: id })).Rotations;
    expect(all.map((r) => r.RotationDate)).toEqual([90, 180, 270].map((d) => new Date(start + d * DAY)));
    expect(all.map((r) => r.KeyMaterialState)).toEqual(["NON_CURRENT", "NON_CURRENT", "CURRENT"]);
    expect((await kms.getKeyRotationStatus({ KeyId: id })).NextRotationDate).toEqual(new Date(start + 360 * DAY));
    const after = (await kms.encrypt({ KeyId: id, Plaintext: utf8("new") })).CiphertextBlob;
    expect(new DataView(after.buffer).getUint32(17)).toBe(4);
    expect(new TextDecoder().decode((await kms.decrypt({ CiphertextBlob: before })).Plaintext)).toBe("old");
  });

  it("changing the period keeps the start of the current one", async () => {
    const { kms, clock } = setup();
    const start = clock.now();
    const { id } = await symmetricKey(kms);
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 365 });
    clock.advanceDays(10);
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 100 });
    expect((await kms.getKeyRotationStatus({ KeyId: id })).NextRotationDate).toEqual(new Date(start + 100 * DAY));
  });

  it("does not rotate disabled keys, and rotates at once when re-enabled late", async () => {
    const { kms, clock } = setup();
    const { id } = await symmetricKey(kms);
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    clock.advanceDays(30);
    await kms.disableKey({ KeyId: id });
    clock.advanceDays(300);
    expect(kms.sweep().rotated).toBe(0);
    expect((await kms.getKeyRotationStatus({ KeyId: id })).KeyRotationEnabled).toBe(true);
    await kms.enableKey({ KeyId: id });
    const rotations = (await kms.listKeyRotations({ KeyId: id })).Rotations;
    expect(rotations.length).toBe(1);
    expect(rotations[0].RotationDate).toEqual(new Date(clock.now()));
    expect((await kms.getKeyRotationStatus({ KeyId: id })).NextRotationDate).toEqual(new Date(clock.now() + 90 * DAY));
  });

  it("reports rotation off while pending deletion and restores it on cancel", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.enableKeyRotation({ KeyId: id });
    await kms.scheduleKeyDeletion({ KeyId: id });
    expect((await kms.getKeyRotationStatus({ KeyId: id })).KeyRotationEnabled).toBe(false);
    await rejects(kms.enableKeyRotation({ KeyId: id }), "KMSInvalidStateException");
    await rejects(kms.disableKeyRotation({ KeyId: id }), "KMSInvalidStateException");
    await rejects(kms.rotateKeyOnDemand({ KeyId: id }), "KMSInvalidStateException");
    await kms.cancelKeyDeletion({ KeyId: id });
    await rejects(kms.enableKeyRotation({ KeyId: id }), "DisabledException");
    await rejects(kms.rotateKeyOnDemand({ KeyId: id }), "DisabledException");
    expect((await kms.getKeyRotationStatus({ KeyId: id })).KeyRotationEnabled).toBe(true);
  });

  it("is only for symmetric AWS_KMS keys", async () => {
    const { kms } = setup();
    const mac = (await kms.createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
    const ext = (await kms.createKey({ Origin: "EXTERNAL" })).KeyMetadata.KeyId;
    for (const KeyId of [mac, ext]) {
      await rejects(kms.enableKeyRotation({ KeyId }), "UnsupportedOperationException");
      await rejects(kms.disableKeyRotation({ KeyId }), "UnsupportedOperationException");
      await rejects(kms.getKeyRotationStatus({ KeyId }), "UnsupportedOperationException");
      await rejects(kms.rotateKeyOnDemand({ KeyId }), "UnsupportedOperationException");
      await rejects(kms.listKeyRotations({ KeyId }), "UnsupportedOperationException");
    }
    await rejects(kms.rotateKeyOnDemand({ KeyId: ext }), "UnsupportedOperationException", /origin is EXTERNAL/);
  });
});

describe("on-demand rotation", () => {
  it("adds a version without moving the automatic schedule", async () => {
    const { kms, clock } = setup();
    const start = clock.now();
    const { id, arn } = await symmetricKey(kms);
    await kms.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    clock.advanceDays(1);
    expect(await kms.rotateKeyOnDemand({ KeyId: id })).toEqual({ KeyId: arn });
    expect((await kms.getKeyRotationStatus({ KeyId: id })).NextRotationDate).toEqual(new Date(start + 90 * DAY));
    expect((await kms.listKeyRotations({ KeyId: id })).Rotations).toEqual([
      { KeyId: id, KeyMaterialState: "CURRENT", RotationDate: new Date(start + DAY), RotationType: "ON_DEMAND" },
    ]);
  });

  it("allows 25 on-demand rotations per key", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    for (let i = 0; i < 25; i++) await kms.rotateKeyOnDemand({ KeyId: id });
    await rejects(kms.rotateKeyOnDemand({ KeyId: id }), "LimitExceededException");
    const page1 = await kms.listKeyRotations({ KeyId: id, Limit: 10 });
    const page2 = await kms.listKeyRotations({ KeyId: id, Limit: 10, Marker: page1.NextMarker });
    const page3 = await kms.listKeyRotations({ KeyId: id, Limit: 10, Marker: page2.NextMarker });
    expect([page1, page2, page3].map((p) => [p.Rotations.length, p.Truncated])).toEqual([[10, true], [10, true], [5, false]]);
  });

  it("lists the original material with IncludeKeyMaterial ALL_KEY_MATERIAL", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    await kms.rotateKeyOnDemand({ KeyId: id });
    const all = (await kms.listKeyRotations({ KeyId: id, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })).Rotations;
    expect(all.length).toBe(2);
    expect(all[0]).toEqual({ KeyId: id, KeyMaterialState: "NON_CURRENT" });
    expect(all[1].RotationType).toBe("ON_DEMAND");
    await rejects(kms.listKeyRotations({ KeyId: id, IncludeKeyMaterial: "SOME" as never }), "ValidationException");
  });
});
