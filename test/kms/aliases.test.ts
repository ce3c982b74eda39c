import { describe, expect, it } from "vitest";
import { rejects, setup, symmetricKey, utf8 } from "./helpers.js";

describe("aliases", () => {
  it("creates, lists, updates and deletes aliases", async () => {
    const { kms, clock } = setup();
    const a = await symmetricKey(kms);
    const b = await symmetricKey(kms);
    const created = clock.now();
    await kms.createAlias({ AliasName: "alias/app/orders", TargetKeyId: a.id });
    await kms.createAlias({ AliasName: "alias/app-logs_2", TargetKeyId: b.arn });
    expect((await kms.listAliases()).Aliases).toEqual([
      {
        AliasName: "alias/app-logs_2",
        AliasArn: "arn:aws:kms:us-east-1:111122223333:alias/app-logs_2",
        TargetKeyId: b.id,
        CreationDate: new Date(created),
        LastUpdatedDate: new Date(created),
      },
      {
        AliasName: "alias/app/orders",
        AliasArn: "arn:aws:kms:us-east-1:111122223333:alias/app/orders",
        TargetKeyId: a.id,
        CreationDate: new Date(created),
        LastUpdatedDate: new Date(created),
      },
    ]);
    expect((await kms.listAliases({ KeyId: a.arn })).Aliases.map((x) => x.AliasName)).toEqual(["alias/app/orders"]);

    clock.advance(5000);
    await kms.updateAlias({ AliasName: "alias/app/orders", TargetKeyId: b.id });
    const moved = (await kms.listAliases({ KeyId: b.id })).Aliases.find((x) => x.AliasName === "alias/app/orders");
    expect(moved?.LastUpdatedDate).toEqual(new Date(created + 5000));
    expect(moved?.CreationDate).toEqual(new Date(created));
    const enc = await kms.encrypt({ KeyId: "alias/app/orders", Plaintext: utf8("x") });
    expect(enc.KeyId).toBe(b.arn);

    await kms.deleteAlias({ AliasName: "alias/app/orders" });
    await rejects(kms.deleteAlias({ AliasName: "alias/app/orders" }), "NotFoundException");
    await rejects(kms.encrypt({ KeyId: "alias/app/orders", Plaintext: utf8("x") }), "NotFoundException");
    expect((await kms.listAliases()).Aliases.length).toBe(1);
  });

  it("checks names, duplicates and targets", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    for (const AliasName of ["orders", "alias/", "alias/has space", "alias/ünï", "alias/x:y"]) {
      await rejects(kms.createAlias({ AliasName, TargetKeyId: id }), "InvalidAliasNameException");
    }
    await rejects(kms.createAlias({ AliasName: `alias/${"x".repeat(251)}`, TargetKeyId: id }), "ValidationException", /256/);
    await kms.createAlias({ AliasName: `alias/${"x".repeat(250)}`, TargetKeyId: id });
    await rejects(kms.createAlias({ AliasName: "alias/aws/s3", TargetKeyId: id }), "InvalidAliasNameException", /reserved/);
    await kms.createAlias({ AliasName: "alias/one", TargetKeyId: id });
    await rejects(kms.createAlias({ AliasName: "alias/one", TargetKeyId: id }), "AlreadyExistsException");
    await rejects(kms.createAlias({ AliasName: "alias/two", TargetKeyId: "alias/one" }), "NotFoundException");
    await rejects(kms.createAlias({ AliasName: "alias/two", TargetKeyId: crypto.randomUUID() }), "NotFoundException");
    await rejects(kms.updateAlias({ AliasName: "alias/none", TargetKeyId: id }), "NotFoundException");
    await rejects(kms.listAliases({ KeyId: crypto.randomUUID() }), "NotFoundException");
  });

  it("keeps an alias within one key type and usage", async () => {
    const { kms } = setup();
    const sym = await symmetricKey(kms);
    const mac = (await kms.createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
    await kms.createAlias({ AliasName: "alias/k", TargetKeyId: sym.id });
    await rejects(kms.updateAlias({ AliasName: "alias/k", TargetKeyId: mac }), "ValidationException", /same type/);
  });

  it("follows the key states AWS lists", async () => {
    const { kms } = setup();
    const a = await symmetricKey(kms);
    const b = await symmetricKey(kms);
    await kms.createAlias({ AliasName: "alias/k", TargetKeyId: a.id });
    await kms.scheduleKeyDeletion({ KeyId: b.id });
    await rejects(kms.createAlias({ AliasName: "alias/new", TargetKeyId: b.id }), "KMSInvalidStateException");
    await rejects(kms.updateAlias({ AliasName: "alias/k", TargetKeyId: b.id }), "KMSInvalidStateException");
    await kms.scheduleKeyDeletion({ KeyId: a.id });
    // The current target may be pending deletion; the alias can still move or go.
    const c = await symmetricKey(kms);
    await kms.updateAlias({ AliasName: "alias/k", TargetKeyId: c.id });
    await kms.deleteAlias({ AliasName: "alias/k" });
  });

  it("allows 50 aliases per key and pages them", async () => {
    const { kms } = setup();
    const { id } = await symmetricKey(kms);
    for (let i = 0; i < 50; i++) await kms.createAlias({ AliasName: `alias/a${String(i).padStart(2, "0")}`, TargetKeyId: id });
    await rejects(kms.createAlias({ AliasName: "alias/b", TargetKeyId: id }), "LimitExceededException");
    const first = await kms.listAliases({ Limit: 30 });
    expect(first.Truncated).toBe(true);
    const rest = await kms.listAliases({ Marker: first.NextMarker });
    expect(rest.Truncated).toBe(false);
    expect([...first.Aliases, ...rest.Aliases].map((a) => a.AliasName)).toEqual(
      Array.from({ length: 50 }, (_, i) => `alias/a${String(i).padStart(2, "0")}`),
    );
    await rejects(kms.listAliases({ Marker: "keys:x" }), "InvalidMarkerException");
  });
});
