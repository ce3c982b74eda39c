/**
 * KmsKeyring (over an in-process Kms) and AwsKmsKeyring (over @aws-sdk/client-kms
 * against the wasmkms endpoint): the EDKs they write, which EDKs they try,
 * retries, validation, and interoperability both ways with client-node's
 * KmsKeyringNode using a KMS client pointed at the same endpoint.
 */
import { KMS, KmsKeyringNode } from "@aws-crypto/client-node";
import * as K from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kms, ThrottlingException } from "../../src/kms/index.js";
import {
  AwsKmsKeyring,
  decrypt,
  encrypt,
  KeyringError,
  KmsKeyring,
  type KmsDataKeyOperations,
  MultiKeyring,
  NoDecryptableDataKeyError,
  RawAesKeyring,
} from "../../src/sdk/index.js";
import { type Endpoint, startEndpoint } from "../server/helpers.js";
import { bytesEqual, random, requireClient, sdkError } from "./helpers.js";

const F = 4096;
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const context = { purpose: "kms keyring test", tenant: "7" };

async function newKey(kms: Kms): Promise<string> {
  return (await kms.createKey({})).KeyMetadata.Arn;
}

/** A Kms wrapper that records the calls and can fail some of them. */
function spy(kms: Kms, fail: (op: string, n: number) => Error | undefined = () => undefined) {
  const calls: { op: string; request: Record<string, unknown> }[] = [];
  const wrap =
    <R,>(op: "generateDataKey" | "encrypt" | "decrypt") =>
    async (request: never): Promise<R> => {
      calls.push({ op, request });
      const e = fail(op, calls.filter((c) => c.op === op).length);
      if (e) throw e;
      return (kms[op] as (r: never) => Promise<R>)(request);
    };
  const ops: KmsDataKeyOperations = { generateDataKey: wrap("generateDataKey"), encrypt: wrap("encrypt"), decrypt: wrap("decrypt") };
  return { ops, calls };
}

describe("KmsKeyring over a local Kms", () => {
  const kms = new Kms();
  afterAll(() => kms.close());

  it("generates with the first key, wraps with the others; provider aws-kms, info = key ARN; context as KMS EncryptionContext", async () => {
    const [a, b] = [await newKey(kms), await newKey(kms)];
    const bId = b.split("/")[1];
    await kms.createAlias({ AliasName: "alias/kms-keyring-b", TargetKeyId: bId });
    const { ops, calls } = spy(kms);
    const { GrantToken } = await kms.createGrant({ KeyId: a, GranteePrincipal: "arn:aws:iam::111122223333:role/App", Operations: ["GenerateDataKey"] });
    const keyring = new KmsKeyring({ kms: ops, keyIds: [a, "alias/kms-keyring-b"], grantTokens: [GrantToken] });
    const plaintext = random(3 * F + 1);
    const { result, header } = await encrypt(keyring, plaintext, { encryptionContext: context });
    expect(header.encryptedDataKeys.map((e) => [e.providerId, text(e.providerInfo)])).toEqual([
      ["aws-kms", a],
      ["aws-kms", b],
    ]);
    expect(calls.map((c) => c.op)).toEqual(["generateDataKey", "encrypt"]);
    expect(calls[0].request).toMatchObject({ KeyId: a, NumberOfBytes: 32, EncryptionContext: context, GrantTokens: [GrantToken] });
    expect(calls[1].request).toMatchObject({ KeyId: "alias/kms-keyring-b", EncryptionContext: context });
    // Either key alone decrypts (by ARN), and the KMS call names the key and the context.
    for (const arn of [a, b]) {
      const one = spy(kms);
      const r = await decrypt(new KmsKeyring({ kms: one.ops, keyIds: [arn] }), result);
      expect(bytesEqual(r.plaintext, plaintext)).toBe(true);
      expect(one.calls).toHaveLength(1);
      expect(one.calls[0].request).toMatchObject({ KeyId: arn, EncryptionContext: context });
    }
  });

  it("wraps an existing data key with every key, the generator included (Encrypt, no GenerateDataKey)", async () => {
    const [a, b] = [await newKey(kms), await newKey(kms)];
    const { ops, calls } = spy(kms);
    const raw = new RawAesKeyring({ keyNamespace: "ns", keyName: "k", wrappingKey: random(32) });
    const { result, header } = await encrypt(new MultiKeyring({ generator: raw, children: [new KmsKeyring({ kms: ops, keyIds: [a, b] })] }), random(10));
    expect(calls.map((c) => c.op)).toEqual(["encrypt", "encrypt"]);
    expect(header.encryptedDataKeys.map((e) => e.providerId)).toEqual(["ns", "aws-kms", "aws-kms"]);
    expect((await decrypt(new KmsKeyring({ kms, keyIds: [b] }), result)).plaintext).toHaveLength(10);
  });

  it("tries only its own ARNs; aliases and bare key ids name no EDK (as in the ESDK); discovery tries them all", async () => {
    const a = await newKey(kms);
    const other = await newKey(kms);
    await kms.createAlias({ AliasName: "alias/kms-keyring-a", TargetKeyId: a });
    const { result } = await encrypt(new KmsKeyring({ kms, keyIds: [a] }), random(100), { encryptionContext: context });
    for (const keyIds of [[other], ["alias/kms-keyring-a"], [a.split("/")[1]]]) {
      const { ops, calls } = spy(kms);
      expect(await sdkError(decrypt(new KmsKeyring({ kms: ops, keyIds }), result))).toBeInstanceOf(NoDecryptableDataKeyError);
      expect(calls).toHaveLength(0);
    }
    expect((await decrypt(new KmsKeyring({ kms, discovery: true }), result)).plaintext).toHaveLength(100);
    const filtered = (accountIds: string[]) => new KmsKeyring({ kms, discovery: true, discoveryFilter: { accountIds, partition: "aws" } });
    expect((await decrypt(filtered(["111122223333"]), result)).plaintext).toHaveLength(100);
    expect(await sdkError(decrypt(filtered(["444455556666"]), result))).toBeInstanceOf(NoDecryptableDataKeyError);
  });

  it("collects KMS failures and throws them together when no EDK decrypts; goes on to the next EDK after one fails", async () => {
    const [a, b] = [await newKey(kms), await newKey(kms)];
    const { result } = await encrypt(new KmsKeyring({ kms, keyIds: [a, b] }), random(5), { encryptionContext: context });
    await kms.disableKey({ KeyId: a });
    const r = await decrypt(new KmsKeyring({ kms, keyIds: [a, b] }), result);
    expect(r.plaintext).toHaveLength(5);
    await kms.disableKey({ KeyId: b });
    const err = await sdkError(decrypt(new KmsKeyring({ kms, keyIds: [a, b] }), result));
    expect(err).toBeInstanceOf(NoDecryptableDataKeyError);
    expect((err as NoDecryptableDataKeyError).errors.map((e) => (e as Error).name)).toEqual(["DisabledException", "DisabledException"]);
  });

  it("retries throttled calls (withRetry) and refuses a Decrypt answered for another key", async () => {
    const a = await newKey(kms);
    const throttled = spy(kms, (op, n) => (op === "generateDataKey" && n === 1 ? new ThrottlingException("slow down") : undefined));
    const keyring = new KmsKeyring({ kms: throttled.ops, keyIds: [a], retry: { sleep: async () => {} } });
    const { result } = await encrypt(keyring, random(3));
    expect(throttled.calls.map((c) => c.op)).toEqual(["generateDataKey", "generateDataKey"]);
    const b = await newKey(kms);
    const lying: KmsDataKeyOperations = { ...throttled.ops, decrypt: async (r) => ({ ...(await kms.decrypt(r)), KeyId: b }) };
    const err = await sdkError(decrypt(new KmsKeyring({ kms: lying, keyIds: [a] }), result));
    expect(err.message).toMatch(/not the requested/);
  });

  it("validates its configuration and KMS's answers", async () => {
    const a = await newKey(kms);
    const bad = [
      {},
      { kms },
      { kms, keyIds: [] },
      { kms, keyIds: [""] },
      { kms, keyIds: [a], discovery: true },
      { kms, keyIds: [a], discoveryFilter: { accountIds: ["1"], partition: "aws" } },
      { kms, discovery: true, discoveryFilter: { accountIds: [], partition: "aws" } },
      { kms: {}, keyIds: [a] },
    ];
    for (const options of bad) expect(() => new KmsKeyring(options as never), JSON.stringify(options)).toThrow(KeyringError);
    const noArn: KmsDataKeyOperations["generateDataKey"] = async (r) => ({ ...(await kms.generateDataKey(r)), KeyId: "alias/x" });
    const short: KmsDataKeyOperations["generateDataKey"] = (r) => kms.generateDataKey({ ...r, NumberOfBytes: 16 });
    for (const generateDataKey of [noArn, short]) {
      const k = new KmsKeyring({ kms: { generateDataKey, encrypt: (r) => kms.encrypt(r), decrypt: (r) => kms.decrypt(r) }, keyIds: [a] });
      expect(await sdkError(encrypt(k, random(1)))).toBeInstanceOf(KeyringError);
    }
    // A discovery keyring encrypts nothing.
    expect(await sdkError(encrypt(new KmsKeyring({ kms, discovery: true }), random(1)))).toBeInstanceOf(KeyringError);
  });
});

describe("AwsKmsKeyring over the wasmkms endpoint, and client-node's KmsKeyringNode", () => {
  let endpoint: Endpoint;
  let client: K.KMSClient;
  let keyA: string;
  let keyB: string;
  /** client-node's keyring, its KMS client pointed at the endpoint. */
  let theirs: (keyIds: string[]) => KmsKeyringNode;

  beforeAll(async () => {
    endpoint = await startEndpoint();
    client = endpoint.client();
    keyA = await newKey(endpoint.kms);
    keyB = await newKey(endpoint.kms);
    const kmsClient = new KMS({ endpoint: endpoint.url, region: endpoint.kms.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    theirs = ([generatorKeyId, ...keyIds]) => new KmsKeyringNode({ clientProvider: () => kmsClient, generatorKeyId, keyIds });
  });
  afterAll(() => endpoint.close());

  const SIZES = [0, 1, F - 1, F, F + 1, 2 * F, 3 * 1024 * 1024 + 5];

  for (const suite of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suite.toString(16)}: ours → theirs and theirs → ours, at the frame boundaries and several MiB`, async () => {
      const ours = new AwsKmsKeyring({ client, keyIds: [keyA, keyB] });
      for (const size of SIZES) {
        const plaintext = random(size);
        const mine = await encrypt(ours, plaintext, { encryptionContext: context, suite });
        const r1 = await requireClient.decrypt(theirs([keyB]), mine.result);
        expect(bytesEqual(r1.plaintext, plaintext), `ours→theirs ${size}`).toBe(true);
        expect(r1.messageHeader.encryptionContext).toMatchObject(context);
        const their = await requireClient.encrypt(theirs([keyA, keyB]), plaintext, { encryptionContext: context, suiteId: suite });
        const r2 = await decrypt(new AwsKmsKeyring({ client, keyIds: [keyB] }), their.result);
        expect(bytesEqual(r2.plaintext, plaintext), `theirs→ours ${size}`).toBe(true);
        // The in-process keyring over the endpoint's own Kms reads the same messages.
        const r3 = await decrypt(new KmsKeyring({ kms: endpoint.kms, keyIds: [keyA] }), their.result);
        expect(bytesEqual(r3.plaintext, plaintext)).toBe(true);
      }
    });
  }

  it("accepts the aggregated KMS client and supplied command classes; aliases generate too", async () => {
    await endpoint.kms.createAlias({ AliasName: "alias/aws-keyring", TargetKeyId: keyA });
    const aggregated = new K.KMS({ endpoint: endpoint.url, region: endpoint.kms.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const plaintext = random(777);
    const { result, header } = await encrypt(new AwsKmsKeyring({ client: aggregated, keyIds: ["alias/aws-keyring"] }), plaintext);
    expect(text(header.encryptedDataKeys[0].providerInfo)).toBe(keyA);
    const withCommands = new AwsKmsKeyring({ client, keyIds: [keyA], commands: K });
    expect(bytesEqual((await decrypt(withCommands, result)).plaintext, plaintext)).toBe(true);
    expect(bytesEqual((await requireClient.decrypt(theirs([keyA]), result)).plaintext, plaintext)).toBe(true);
    aggregated.destroy();
    expect(() => new AwsKmsKeyring({ client: {} as never, keyIds: [keyA] })).toThrow(KeyringError);
    expect(() => new AwsKmsKeyring({ client, keyIds: [keyA], commands: {} as never })).toThrow(KeyringError);
  });

  it("passes the endpoint's refusal through on encrypt, and collects it on decrypt", async () => {
    const stranger = endpoint.client("unknown-key-id");
    const keyring = new AwsKmsKeyring({ client: stranger, keyIds: [keyA], retry: { maxAttempts: 1 } });
    await expect(encrypt(keyring, random(1))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    const { result } = await encrypt(new AwsKmsKeyring({ client, keyIds: [keyA] }), random(1));
    const err = await sdkError(decrypt(keyring, result));
    expect((err as NoDecryptableDataKeyError).errors.map((e) => (e as Error).name)).toEqual(["UnrecognizedClientException"]);
  });
});
