/**
 * `wasmkms serve` as a user runs it: a child process with a data directory,
 * its startup message, the root key it creates (or is given), credentials
 * files, argument errors, and a SIGTERM that lets requests in flight finish
 * and closes the store.
 */
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as K from "@aws-sdk/client-kms";
import { afterAll, describe, expect, it } from "vitest";
import { Kms } from "../../src/kms/index.js";
import { SqliteKeyStore } from "../../src/store/sqlite-store.js";
import { sdkRejects, signed, utf8 } from "./helpers.js";
import { killLeftovers, runCli, startServe } from "./serve-process.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmkms-cli-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  killLeftovers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const client = (url: string, accessKeyId = "test", secretAccessKey = "test") =>
  new K.KMSClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });

describe.concurrent("wasmkms serve", () => {
  it("first start: creates the data directory and a 0600 root key, prints how to connect; restart finds the keys", async () => {
    const dataDir = join(tempDir(), "data");
    const first = await startServe(["--data-dir", dataDir]);
    const out = first.stdout();
    expect(out).toContain(`endpoint on ${first.url}`);
    for (const line of [
      "export AWS_ACCESS_KEY_ID=test",
      "export AWS_SECRET_ACCESS_KEY=test",
      "export AWS_REGION=us-east-1",
      `export AWS_ENDPOINT_URL_KMS=${first.url}`,
      `aws kms create-key --description "my first key" --endpoint-url ${first.url}`,
    ]) {
      expect(out).toContain(line);
    }
    expect(first.stderr()).toMatch(/warning: created a new root key in .*root\.key \(mode 0600\).*development only/);
    expect(statSync(join(dataDir, "root.key")).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);

    const kms = client(first.url);
    const { KeyMetadata } = await kms.send(new K.CreateKeyCommand({ Description: "survives restarts" }));
    const { CiphertextBlob } = await kms.send(new K.EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: utf8("kept") }));
    first.child.kill("SIGTERM");
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toMatch(/SIGTERM: finishing 0 request\(s\) in flight[\s\S]*stopped/);

    const second = await startServe(["--data-dir", dataDir]);
    expect(second.stderr()).not.toContain("created a new root key");
    expect(second.stderr()).toContain("development only");
    const again = client(second.url);
    expect(new TextDecoder().decode((await again.send(new K.DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe("kept");
    second.child.kill("SIGINT");
    expect((await second.exited).code).toBe(0);
    kms.destroy();
    again.destroy();
  });

  it("WASMKMS_ROOT_KEY: used instead of a file; the store refuses another key", async () => {
    const dataDir = tempDir();
    const rootKey = Buffer.alloc(32, 7).toString("base64");
    const run = await startServe(["--data-dir", dataDir], { WASMKMS_ROOT_KEY: rootKey });
    expect(run.stdout()).toContain("root key:  $WASMKMS_ROOT_KEY");
    expect(run.stderr()).toBe("");
    const kms = client(run.url);
    await kms.send(new K.CreateKeyCommand({}));
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
    kms.destroy();
    // The store was closed cleanly and opens in process with the same root key.
    const reopened = new Kms({ store: new SqliteKeyStore(join(dataDir, "keys.sqlite")), rootKey: Buffer.alloc(32, 7) });
    expect((await reopened.listKeys()).Keys).toHaveLength(1);
    reopened.close();

    const wrongKey = runCli(["serve", "--port", "0", "--data-dir", dataDir], { WASMKMS_ROOT_KEY: Buffer.alloc(32, 8).toString("base64") });
    expect((await wrongKey.exited).code).toBe(1);
    expect(wrongKey.output().stderr).toMatch(/wasmkms serve: .*root key/i);

    const short = runCli(["serve", "--port", "0", "--data-dir", dataDir], { WASMKMS_ROOT_KEY: "c2hvcnQ=" });
    expect((await short.exited).code).toBe(1);
    expect(short.output().stderr).toContain("WASMKMS_ROOT_KEY must be 32 bytes in base64");
  });

  it("--root-key-file and --credentials: the file's key, and only the listed access keys", async () => {
    const dir = tempDir();
    const keyFile = join(dir, "root.bin");
    writeFileSync(keyFile, Buffer.alloc(32, 3), { mode: 0o600 });
    const credentialsFile = join(dir, "credentials.json");
    writeFileSync(
      credentialsFile,
      JSON.stringify({
        AKIAKEYUSER: { secretAccessKey: "user-secret", principal: "arn:aws:iam::444455556666:user/KeyUser" },
        AKIAADMIN: { secretAccessKey: "admin-secret", principal: "arn:aws:iam::444455556666:root" },
      }),
    );
    const run = await startServe(["--data-dir", join(dir, "data"), "--root-key-file", keyFile, "--credentials", credentialsFile, "--account", "444455556666"]);
    expect(run.stdout()).toContain("AKIAKEYUSER → arn:aws:iam::444455556666:user/KeyUser");
    expect(run.stdout()).not.toContain("AWS_SECRET_ACCESS_KEY");
    expect(run.stdout()).toContain("account 444455556666");
    const admin = client(run.url, "AKIAADMIN", "admin-secret");
    expect((await admin.send(new K.CreateKeyCommand({}))).KeyMetadata!.Arn).toMatch(/^arn:aws:kms:us-east-1:444455556666:key\//);
    const dev = client(run.url);
    await sdkRejects(dev.send(new K.ListKeysCommand({})), "UnrecognizedClientException");
    // KeyUser has no policy that lets it in: the key store acts as KeyUser, not as the root.
    const user = client(run.url, "AKIAKEYUSER", "user-secret");
    const denied = await sdkRejects(user.send(new K.ListKeysCommand({})), "AccessDeniedException");
    expect(denied.message).toContain("arn:aws:iam::444455556666:user/KeyUser");
    user.destroy();
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
    admin.destroy();
    dev.destroy();
  });

  it("SIGTERM lets the requests in flight finish before the store closes", async () => {
    const dataDir = tempDir();
    const run = await startServe(["--data-dir", dataDir]);
    const kms = client(run.url);
    // Requests inside the Kms when the signal comes (RSA-4096 key generation takes a while)…
    const slow = Promise.all([1, 2].map(() => kms.send(new K.CreateKeyCommand({ KeySpec: "RSA_4096", KeyUsage: "SIGN_VERIFY" }))));
    // …and one still arriving: the rest of its body is sent after the signal.
    const { host, port } = new URL(run.url);
    const body = JSON.stringify({ Description: "sent across the signal" });
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    const head = Object.entries(signed(run.url, "CreateKey", body)).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`POST / HTTP/1.1\r\nHost: ${host}\r\n${head.join("")}Content-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    const closed = once(socket, "close");
    await new Promise((resolve) => setTimeout(resolve, 400));
    run.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.write(body.slice(5));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer.toLowerCase()).toContain("connection: close");
    const created = [...(await slow).map((c) => c.KeyMetadata!.KeyId!), JSON.parse(answer.split("\r\n\r\n")[1]).KeyMetadata.KeyId];
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toMatch(/SIGTERM: finishing \d request\(s\) in flight, then closing the store\n[\s\S]*stopped/);
    const rootKey = Buffer.from(readFileSync(join(dataDir, "root.key"), "utf8").trim(), "base64");
    const reopened = new Kms({ store: new SqliteKeyStore(join(dataDir, "keys.sqlite")), rootKey });
    expect((await reopened.listKeys()).Keys.map((k) => k.KeyId).sort()).toEqual(created.sort());
    reopened.close();
    kms.destroy();
  });

  it("--quotas aws-2020: CreateKey is held to AWS's 5 per second; --audit off keeps no log", async () => {
    const run = await startServe(["--data-dir", tempDir(), "--quotas", "aws-2020", "--audit", "off"]);
    expect(run.stdout()).toContain("quotas:    aws-2020; audit log: off");
    const kms = client(run.url);
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => kms.send(new K.CreateKeyCommand({}))));
    const throttled = results.filter((r) => r.status === "rejected");
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    for (const r of throttled) expect((r as PromiseRejectedResult).reason.name).toBe("ThrottlingException");
    kms.destroy();
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  });

  it("argument errors exit 2 with the usage; a port in use exits 1", async () => {
    const badArgs = [["--port", "seventy"], ["--quotas", "unlimited"], ["--audit", "maybe"], ["--bogus"], ["extra"]];
    const runs = badArgs.map((args) => runCli(["serve", ...args, "--data-dir", tempDir()]));
    const unknown = runCli(["launch"]);
    const holder = await startServe(["--data-dir", tempDir()]);
    for (const [i, run] of runs.entries()) {
      expect((await run.exited).code, badArgs[i].join(" ")).toBe(2);
      expect(run.output().stderr).toContain("Usage: wasmkms serve");
    }
    expect((await unknown.exited).code).toBe(2);
    expect(unknown.output().stderr).toContain('unknown command "launch"');

    const port = new URL(holder.url).port;
    const clash = runCli(["serve", "--port", port, "--data-dir", tempDir()]);
    expect((await clash.exited).code).toBe(1);
    expect(clash.output().stderr).toContain(`127.0.0.1:${port} is already in use`);
    holder.child.kill("SIGTERM");
    await holder.exited;
  });
});
