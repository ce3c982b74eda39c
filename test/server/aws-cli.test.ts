/**
 * The AWS CLI (`aws`, Debian's awscli package, which .ci/run installs when it
 * is missing) against the endpoint: create-key, encrypt with fileb://,
 * decrypt, generate-data-key, list-keys and schedule-key-deletion, with
 * --endpoint-url and the development credential in the environment.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Endpoint, startEndpoint } from "./helpers.js";

function awsVersion(): string | undefined {
  try {
    return execFileSync("aws", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim() || "aws (version unknown)";
  } catch {
    return undefined;
  }
}

const version = awsVersion();
if (version === undefined) {
  console.log("aws-cli.test.ts: SKIPPED: no `aws` command on PATH (.ci/run installs Debian's awscli with apt-get when apt is available)");
}

let endpoint: Endpoint;
let dir: string;

beforeAll(async () => {
  endpoint = await startEndpoint();
  dir = mkdtempSync(join(tmpdir(), "wasmkms-awscli-"));
});
afterAll(async () => {
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `aws kms <args> --endpoint-url … --output json` with only the test's credentials and region. */
async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
  const { stdout } = await promisify(execFile)("aws", ["kms", ...args, "--endpoint-url", endpoint.url, "--output", "json"], { env, cwd: dir });
  return stdout.trim() === "" ? {} : JSON.parse(stdout);
}

describe.skipIf(version === undefined)(`the AWS CLI (${version})`, () => {
  it("create-key, encrypt (fileb://), decrypt, generate-data-key, list-keys, schedule-key-deletion", async () => {
    const created = (await aws("create-key", "--description", "from the aws cli")).KeyMetadata as Record<string, unknown>;
    expect(created).toMatchObject({ Description: "from the aws cli", KeyState: "Enabled", KeySpec: "SYMMETRIC_DEFAULT" });
    expect(typeof created.CreationDate).toBe("number");
    const keyId = created.KeyId as string;

    const plaintext = Buffer.from([0, 1, 2, 250, 251, 252, ...Buffer.from("binary plaintext\n")]);
    writeFileSync(join(dir, "plain.bin"), plaintext);
    const encrypted = await aws("encrypt", "--key-id", keyId, "--plaintext", `fileb://${join(dir, "plain.bin")}`, "--encryption-context", "purpose=cli-test");
    expect(encrypted.KeyId).toBe(created.Arn);
    writeFileSync(join(dir, "cipher.bin"), Buffer.from(encrypted.CiphertextBlob as string, "base64"));

    const decrypted = await aws("decrypt", "--ciphertext-blob", `fileb://${join(dir, "cipher.bin")}`, "--encryption-context", "purpose=cli-test");
    expect(Buffer.from(decrypted.Plaintext as string, "base64")).toEqual(plaintext);
    expect(decrypted.KeyId).toBe(created.Arn);

    const dataKey = await aws("generate-data-key", "--key-id", keyId, "--key-spec", "AES_256");
    expect(Buffer.from(dataKey.Plaintext as string, "base64")).toHaveLength(32);
    writeFileSync(join(dir, "datakey.bin"), Buffer.from(dataKey.CiphertextBlob as string, "base64"));
    const unwrapped = await aws("decrypt", "--ciphertext-blob", `fileb://${join(dir, "datakey.bin")}`);
    expect(unwrapped.Plaintext).toBe(dataKey.Plaintext);

    const listed = (await aws("list-keys")).Keys as { KeyId: string; KeyArn: string }[];
    expect(listed).toContainEqual({ KeyId: keyId, KeyArn: created.Arn });

    const scheduled = await aws("schedule-key-deletion", "--key-id", keyId, "--pending-window-in-days", "7");
    expect(scheduled).toMatchObject({ KeyId: created.Arn, KeyState: "PendingDeletion", PendingWindowInDays: 7 });
    expect((scheduled.DeletionDate as number) * 1000 - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect((await endpoint.kms.describeKey({ KeyId: keyId })).KeyMetadata.KeyState).toBe("PendingDeletion");
  });

  it("an AWS error reaches the CLI by name", async () => {
    const failure = await aws("describe-key", "--key-id", "alias/none").catch((error: { stderr: string }) => error.stderr);
    expect(failure).toMatch(/An error occurred \(NotFoundException\) when calling the DescribeKey operation/);
  });
});
