/**
 * Access control and quotas over the wire: the seed's key-policy scenario
 * (a key user and a key administrator, each with its own access key), IAM
 * policies through the account root's delegation, audit records that name
 * the caller and where it called from, and a ThrottlingException that the
 * SDK's own retry gets past.
 */
import * as K from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { KEY_MANAGER, KEY_USER, allowPolicy, seedKeyPolicy } from "../kms/helpers.js";
import { ACCOUNT, type Endpoint, ROOT, sdkRejects, startEndpoint, utf8 } from "./helpers.js";

const AUDITOR = `arn:aws:iam::${ACCOUNT}:user/Auditor`;

describe("the seed's key-policy scenario, through two credentials", () => {
  let endpoint: Endpoint;
  let keyId: string;
  let user: K.KMSClient;
  let manager: K.KMSClient;

  beforeAll(async () => {
    endpoint = await startEndpoint({
      credentials: new Map([
        ["test", { secretAccessKey: "test", principal: ROOT }],
        ["AKIAKEYUSER", { secretAccessKey: "user-secret", principal: KEY_USER }],
        ["AKIAKEYMANAGER", { secretAccessKey: "manager-secret", principal: KEY_MANAGER }],
        ["AKIAAUDITOR", { secretAccessKey: "auditor-secret", principal: AUDITOR }],
      ]),
    });
    const root = endpoint.client();
    keyId = (await root.send(new K.CreateKeyCommand({ Description: "seed scenario", Policy: seedKeyPolicy() }))).KeyMetadata!.KeyId!;
    user = endpoint.client("AKIAKEYUSER", { maxAttempts: 1 });
    manager = endpoint.client("AKIAKEYMANAGER", { maxAttempts: 1 });
  });
  afterAll(() => endpoint.close());

  it("KeyUser encrypts and decrypts, but may not disable the key or schedule its deletion", async () => {
    const { CiphertextBlob } = await user.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("for the key user") }));
    expect(new TextDecoder().decode((await user.send(new K.DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe("for the key user");
    await user.send(new K.GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" }));
    await user.send(new K.DescribeKeyCommand({ KeyId: keyId }));
    for (const [action, command] of [
      ["kms:DisableKey", new K.DisableKeyCommand({ KeyId: keyId })],
      ["kms:ScheduleKeyDeletion", new K.ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })],
    ] as const) {
      const denied = (await sdkRejects(user.send(command as never), "AccessDeniedException", K.KMSServiceException)) as K.KMSServiceException;
      expect(denied.$metadata.httpStatusCode).toBe(400);
      expect(denied.message).toContain(KEY_USER);
      expect(denied.message).toContain(action);
    }
    expect((await endpoint.kms.describeKey({ KeyId: keyId })).KeyMetadata.KeyState).toBe("Enabled");
  });

  it("KeyManager administers the key, but gets AccessDeniedException on Encrypt and Decrypt", async () => {
    await manager.send(new K.DisableKeyCommand({ KeyId: keyId }));
    await manager.send(new K.EnableKeyCommand({ KeyId: keyId }));
    await manager.send(new K.TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "owner", TagValue: "security" }] }));
    await manager.send(new K.ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await manager.send(new K.CancelKeyDeletionCommand({ KeyId: keyId }));
    await manager.send(new K.EnableKeyCommand({ KeyId: keyId }));
    const denied = await sdkRejects(manager.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("x") })), "AccessDeniedException");
    expect(denied.message).toContain(KEY_MANAGER);
    const { CiphertextBlob } = await user.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("x") }));
    await sdkRejects(manager.send(new K.DecryptCommand({ CiphertextBlob })), "AccessDeniedException");
  });

  it("a principal the key policy does not name gets in through an IAM policy (the root statement delegates)", async () => {
    const auditor = endpoint.client("AKIAAUDITOR", { maxAttempts: 1 });
    await sdkRejects(auditor.send(new K.DescribeKeyCommand({ KeyId: keyId })), "AccessDeniedException");
    endpoint.kms.iam.putPrincipalPolicy(AUDITOR, "describe-keys", allowPolicy(["kms:DescribeKey", "kms:ListKeys"]));
    expect((await auditor.send(new K.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyId).toBe(keyId);
    await sdkRejects(auditor.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("x") })), "AccessDeniedException");
  });

  it("audit records name the caller, its address and its SDK, for allowed and denied calls", async () => {
    const audit = endpoint.kms.audit!;
    const encrypts = audit.query({ principal: KEY_USER, eventName: "Encrypt" });
    expect(encrypts.length).toBeGreaterThan(0);
    expect(encrypts[0]).toMatchObject({ sourceIPAddress: "127.0.0.1", userIdentity: expect.objectContaining({ arn: KEY_USER }) });
    expect(encrypts[0].userAgent).toMatch(/aws-sdk-js/);
    const denied = audit.query({ principal: KEY_USER, eventName: "DisableKey" });
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ errorCode: "AccessDeniedException", sourceIPAddress: "127.0.0.1" });
  });
});

describe("quotas", () => {
  it("ThrottlingException reaches the SDK as AWS sends it, and the SDK's own retry gets through once the quota refills", async () => {
    const clock = new ManualClock();
    const endpoint = await startEndpoint({ kmsOptions: { clock, quotas: { symmetric: 10 } } });
    const impatient = endpoint.client("test", { maxAttempts: 1 });
    const keyId = (await impatient.send(new K.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < 10; i++) await impatient.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8(`${i}`) }));
    const throttled = (await sdkRejects(impatient.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("11th") })), "ThrottlingException")) as K.KMSServiceException;
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    expect(throttled.$fault).toBe("client");

    // The SDK with its default retry strategy; a simulated second passes before each retry.
    const patient = endpoint.client("test");
    patient.middlewareStack.add(
      (next) => (args) => {
        const attempt = /attempt=(\d+)/.exec(String((args.request as { headers: Record<string, string> }).headers["amz-sdk-request"]));
        if (attempt && Number(attempt[1]) > 1) clock.advance(1000);
        return next(args);
      },
      { step: "finalizeRequest", name: "advanceQuotaClock" },
    );
    const result = await patient.send(new K.EncryptCommand({ KeyId: keyId, Plaintext: utf8("after a retry") }));
    expect(result.$metadata.attempts).toBe(2);
    expect(result.$metadata.totalRetryDelay).toBeGreaterThanOrEqual(0);
    await endpoint.close();
  });
});
