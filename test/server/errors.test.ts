/**
 * Errors through the AWS SDK: each Kms error arrives as the SDK exception
 * class AWS's own answer would produce, with AWS's status; authentication
 * failures keep their AWS names; unexpected failures are a 500
 * KMSInternalException that tells the client nothing; and the access key
 * decides which principal the Kms sees. (Throttling: access.test.ts.)
 */
import * as K from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Kms } from "../../src/kms/index.js";
import { allowPolicy } from "../kms/helpers.js";
import { ACCOUNT, type Endpoint, ROOT, call, expectError, sdkRejects, startEndpoint, utf8 } from "./helpers.js";

let endpoint: Endpoint;
let kms: K.KMSClient;
const USER = `arn:aws:iam::${ACCOUNT}:user/Alice`;

beforeAll(async () => {
  endpoint = await startEndpoint({
    credentials: new Map([
      ["test", { secretAccessKey: "test", principal: ROOT }],
      ["AKIAALICE", { secretAccessKey: "alice-secret", principal: USER }],
    ]),
  });
  kms = endpoint.client("test", { maxAttempts: 1 });
});
afterAll(() => endpoint.close());

async function key(request: K.CreateKeyCommandInput = {}): Promise<string> {
  return (await kms.send(new K.CreateKeyCommand(request))).KeyMetadata!.KeyId!;
}

type ExceptionClass = abstract new (...args: never[]) => K.KMSServiceException;

describe("Kms errors arrive as the SDK's exception classes", () => {
  const cases: [string, ExceptionClass | undefined, () => Promise<unknown>][] = [
    ["NotFoundException", K.NotFoundException, () => kms.send(new K.DescribeKeyCommand({ KeyId: "alias/missing" }))],
    ["DisabledException", K.DisabledException, async () => {
      const id = await key();
      await kms.send(new K.DisableKeyCommand({ KeyId: id }));
      return kms.send(new K.EncryptCommand({ KeyId: id, Plaintext: utf8("x") }));
    }],
    ["KMSInvalidStateException", K.KMSInvalidStateException, async () => {
      const id = await key();
      await kms.send(new K.ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
      return kms.send(new K.EncryptCommand({ KeyId: id, Plaintext: utf8("x") }));
    }],
    ["InvalidCiphertextException", K.InvalidCiphertextException, () => kms.send(new K.DecryptCommand({ CiphertextBlob: utf8("garbage garbage garbage garbage garbage") }))],
    ["IncorrectKeyException", K.IncorrectKeyException, async () => {
      const { CiphertextBlob } = await kms.send(new K.EncryptCommand({ KeyId: await key(), Plaintext: utf8("x") }));
      return kms.send(new K.DecryptCommand({ CiphertextBlob, KeyId: await key() }));
    }],
    ["AlreadyExistsException", K.AlreadyExistsException, async () => {
      const id = await key();
      await kms.send(new K.CreateAliasCommand({ AliasName: "alias/twice", TargetKeyId: id }));
      return kms.send(new K.CreateAliasCommand({ AliasName: "alias/twice", TargetKeyId: id }));
    }],
    ["InvalidAliasNameException", K.InvalidAliasNameException, async () => kms.send(new K.CreateAliasCommand({ AliasName: "alias/aws/mine", TargetKeyId: await key() }))],
    ["InvalidArnException", K.InvalidArnException, () => kms.send(new K.DescribeKeyCommand({ KeyId: "arn:aws:kms:nonsense" }))],
    ["InvalidKeyUsageException", K.InvalidKeyUsageException, async () =>
      kms.send(new K.SignCommand({ KeyId: await key(), Message: utf8("m"), SigningAlgorithm: "ECDSA_SHA_256" }))],
    ["KMSInvalidSignatureException", K.KMSInvalidSignatureException, async () => {
      const id = await key({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
      return kms.send(new K.VerifyCommand({ KeyId: id, Message: utf8("m"), Signature: new Uint8Array(64).fill(1), SigningAlgorithm: "ECDSA_SHA_256" }));
    }],
    ["KMSInvalidMacException", K.KMSInvalidMacException, async () => {
      const id = await key({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
      return kms.send(new K.VerifyMacCommand({ KeyId: id, Message: utf8("m"), Mac: new Uint8Array(32), MacAlgorithm: "HMAC_SHA_256" }));
    }],
    ["MalformedPolicyDocumentException", K.MalformedPolicyDocumentException, async () =>
      kms.send(new K.PutKeyPolicyCommand({ KeyId: await key(), PolicyName: "default", Policy: "{not json" }))],
    ["InvalidMarkerException", K.InvalidMarkerException, () => kms.send(new K.ListKeysCommand({ Marker: "not-a-marker" }))],
    ["UnsupportedOperationException", K.UnsupportedOperationException, () => kms.send(new K.CreateKeyCommand({ MultiRegion: true }))],
    ["InvalidImportTokenException", K.InvalidImportTokenException, async () => {
      const id = await key({ Origin: "EXTERNAL" });
      return kms.send(new K.ImportKeyMaterialCommand({ KeyId: id, ImportToken: utf8("token"), EncryptedKeyMaterial: new Uint8Array(256), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
    }],
    ["TagException", K.TagException, async () => kms.send(new K.TagResourceCommand({ KeyId: await key(), Tags: [{ TagKey: "aws:reserved", TagValue: "v" }] }))],
    // Not in the SDK's model: AWS sends it all the same, and the SDK names a generic KMSServiceException after it.
    ["ValidationException", undefined, () => kms.send(new K.GenerateRandomCommand({ NumberOfBytes: 5000 }))],
  ];

  it.each(cases)("%s", async (name, type, trigger) => {
    const error = (await sdkRejects(trigger(), name, type ?? K.KMSServiceException)) as K.KMSServiceException;
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$fault).toBe("client");
    expect(error.message.length).toBeGreaterThan(5);
  });
});

describe("authentication failures keep AWS's names", () => {
  it("an unknown access key: UnrecognizedClientException", async () => {
    const stranger = endpoint.client("AKIASTRANGER", { maxAttempts: 1 });
    const error = (await sdkRejects(stranger.send(new K.ListKeysCommand({})), "UnrecognizedClientException", K.KMSServiceException)) as K.KMSServiceException;
    expect(error.message).toBe("The security token included in the request is invalid.");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("the wrong secret: InvalidSignatureException", async () => {
    const wrong = new K.KMSClient({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "nope" }, maxAttempts: 1 });
    await sdkRejects(wrong.send(new K.ListKeysCommand({})), "InvalidSignatureException", K.KMSServiceException);
    wrong.destroy();
  });

  it("a client clock 10 minutes slow: the SDK recognises AWS's skew error, corrects, and succeeds", async () => {
    const slow = endpoint.client("test", { systemClockOffset: -10 * 60_000 });
    const result = await slow.send(new K.ListKeysCommand({}));
    expect(result.$metadata.attempts).toBe(2);
  });

  it("credentials choose the principal: Alice is denied until an IAM policy lets her list keys", async () => {
    const as = vi.spyOn(endpoint.kms, "as");
    const alice = endpoint.client("AKIAALICE", { maxAttempts: 1 });
    const denied = await sdkRejects(alice.send(new K.ListKeysCommand({})), "AccessDeniedException", K.KMSServiceException);
    expect(denied.message).toContain(USER);
    expect(denied.message).toContain("kms:ListKeys");
    expect(as).toHaveBeenCalledWith(USER, expect.objectContaining({ sourceIp: "127.0.0.1" }));
    endpoint.kms.iam.putPrincipalPolicy(USER, "list-keys", allowPolicy("kms:ListKeys"));
    await alice.send(new K.ListKeysCommand({}));
    await kms.send(new K.ListKeysCommand({}));
    // One view per access key, address and user agent, made once.
    await alice.send(new K.ListKeysCommand({}));
    expect(as.mock.calls.filter(([principal]) => principal === USER)).toHaveLength(1);
    as.mockRestore();
  });
});

describe("internal errors", () => {
  it("an unexpected error: 500 KMSInternalException, details only in the server's log", async () => {
    const logged: unknown[] = [];
    const ep = await startEndpoint({ onInternalError: (error, operation) => logged.push([operation, (error as Error).message]) });
    const spy = vi.spyOn(Kms.prototype, "listKeys").mockRejectedValue(new Error("disk on fire at /secret/path"));
    const error = (await sdkRejects(ep.client("test", { maxAttempts: 1 }).send(new K.ListKeysCommand({})), "KMSInternalException", K.KMSInternalException)) as K.KMSServiceException;
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$fault).toBe("server");
    expect(error.message).not.toContain("secret");
    expect(logged).toEqual([["ListKeys", "disk on fire at /secret/path"]]);
    spy.mockRestore();
    // The server goes on serving.
    const raw = await call(ep.url, "ListKeys", "{}");
    expect(raw.status).toBe(200);
    await ep.close();
  });

  it("error answers carry the AWS headers", async () => {
    const response = await call(endpoint.url, "DescribeKey", JSON.stringify({ KeyId: "alias/missing" }));
    expectError(response, 400, "NotFoundException");
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(response.headers.get("x-amzn-errortype")).toBe("NotFoundException");
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
