/**
 * `wasmkms encrypt` / `wasmkms decrypt` as a user runs them: a spawned CLI
 * process (from source, through tsx) against a wasmkms endpoint started here;
 * files and stdin/stdout; messages client-node reads and writes; failures exit
 * non-zero with one line on stderr and leave no output file.
 */
import { KMS, KmsKeyringNode } from "@aws-crypto/client-node";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProgressBar } from "../../src/cli/progress-bar.js";
import { type Endpoint, startEndpoint } from "../server/helpers.js";
import { bytesEqual, random, requireClient } from "./helpers.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wasmkms-cli-"));
const path = (name: string) => join(dir, name);
let endpoint: Endpoint;
let keyA: string;
let keyB: string;

beforeAll(async () => {
  endpoint = await startEndpoint();
  keyA = (await endpoint.kms.createKey({})).KeyMetadata.Arn;
  keyB = (await endpoint.kms.createKey({})).KeyMetadata.Arn;
  await endpoint.kms.createAlias({ AliasName: "alias/cli-test", TargetKeyId: keyA });
});
afterAll(async () => {
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI with `args`, `stdin` as its input, against the test endpoint (unless the args name another). */
function wasmkms(args: string[], stdin: Uint8Array = new Uint8Array(0)): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/index.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, AWS_ENDPOINT_URL_KMS: endpoint.url, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_REGION: "" },
  });
  const out: Buffer[] = [];
  let err = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err })));
}

function theirKeyring(generatorKeyId: string, keyIds: string[] = []) {
  const client = new KMS({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  return new KmsKeyringNode({ clientProvider: () => client, generatorKeyId, keyIds });
}

function expectFailure(run: Run, code: number, message: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

const noTemporaries = () => expect(readdirSync(dir).filter((f) => f.includes("wasmkms-tmp"))).toEqual([]);

describe("wasmkms encrypt / decrypt", () => {
  it("file to file with an alias, a context and two keys; decrypts by either key and in client-node", async () => {
    const plaintext = random(3 * 1024 * 1024 + 11);
    writeFileSync(path("plain"), plaintext);
    const enc = await wasmkms(["encrypt", "--key", "alias/cli-test", "--key", keyB, "-c", "team=blue", "-c", "app=cli", "-i", path("plain"), "-o", path("plain.enc")]);
    expect(enc.code, enc.stderr).toBe(0);
    expect(enc.stderr).toBe("");
    const message = new Uint8Array(readFileSync(path("plain.enc")));
    const theirs = await requireClient.decrypt(theirKeyring(keyB), message);
    expect(bytesEqual(theirs.plaintext, plaintext)).toBe(true);
    expect(theirs.messageHeader.encryptionContext).toMatchObject({ team: "blue", app: "cli" });
    for (const key of [["--key", "alias/cli-test"], ["--key", keyB], []]) {
      const dec = await wasmkms(["decrypt", ...key, "-c", "team=blue", "-i", path("plain.enc"), "-o", path("plain.out")]);
      expect(dec.code, dec.stderr).toBe(0);
      expect(bytesEqual(new Uint8Array(readFileSync(path("plain.out"))), plaintext)).toBe(true);
      rmSync(path("plain.out"));
    }
    noTemporaries();
  });

  it("stdin to stdout both ways, the signing suite, and a message client-node made", async () => {
    const plaintext = random(100_000);
    const enc = await wasmkms(["encrypt", "-k", keyA, "--suite", "0x0578", "-i", "-", "-o", "-"], plaintext);
    expect(enc.code, enc.stderr).toBe(0);
    const dec = await wasmkms(["decrypt", "-i", "-", "-o", "-"], enc.stdout);
    expect(dec.code, dec.stderr).toBe(0);
    expect(bytesEqual(new Uint8Array(dec.stdout), plaintext)).toBe(true);
    const their = await requireClient.encrypt(theirKeyring(keyA), plaintext, { encryptionContext: { from: "client-node" } });
    writeFileSync(path("their.enc"), their.result);
    const fromFile = await wasmkms(["decrypt", "-c", "from=client-node", "-i", path("their.enc"), "-o", "-"]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(bytesEqual(new Uint8Array(fromFile.stdout), plaintext)).toBe(true);
  });

  it("fails with one line and no output file: wrong context, tampering, another key, an unknown alias, a dead endpoint", async () => {
    writeFileSync(path("p"), random(10_000));
    expect((await wasmkms(["encrypt", "-k", keyA, "-c", "a=1", "-i", path("p"), "-o", path("p.enc")])).code).toBe(0);
    const message = readFileSync(path("p.enc"));
    expectFailure(await wasmkms(["decrypt", "-c", "a=2", "-i", path("p.enc"), "-o", path("out")]), 1, /EncryptionContextError: .*a=2/);
    const tampered = Buffer.from(message);
    tampered[tampered.length - 30] ^= 1;
    writeFileSync(path("bad.enc"), tampered);
    expectFailure(await wasmkms(["decrypt", "-i", path("bad.enc"), "-o", path("out")]), 1, /FrameAuthenticationError/);
    expectFailure(await wasmkms(["decrypt", "--key", keyB, "-i", path("p.enc"), "-o", path("out")]), 1, /NoDecryptableDataKeyError/);
    expectFailure(await wasmkms(["encrypt", "--key", "alias/nope", "-i", path("p"), "-o", path("out")]), 1, /NotFoundException/);
    expectFailure(await wasmkms(["encrypt", "--key", keyA, "--endpoint", "http://127.0.0.1:9", "-i", path("p"), "-o", path("out")]), 1, /ECONNREFUSED|connect/);
    // Streaming into a file fails the same way.
    expectFailure(await wasmkms(["decrypt", "-i", "-", "-o", path("out")], tampered), 1, /FrameAuthenticationError/);
    expect(existsSync(path("out"))).toBe(false);
    // An existing output stays as it was.
    writeFileSync(path("keep"), "old");
    expectFailure(await wasmkms(["decrypt", "-i", path("bad.enc"), "-o", path("keep")]), 1, /FrameAuthenticationError/);
    expect(readFileSync(path("keep"), "utf8")).toBe("old");
    noTemporaries();
  });

  it("SIGINT stops a command: exit 130, no output and no temporary file", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/index.ts", "encrypt", "-k", keyA, "-i", "-", "-o", path("interrupted")], {
      cwd: repoRoot,
      env: { ...process.env, AWS_ENDPOINT_URL_KMS: endpoint.url, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_REGION: "" },
    });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    // stdin stays open and idle: the command waits for input until the signal
    const started = Date.now();
    while (!readdirSync(dir).some((f) => f.startsWith(".interrupted.")) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000); // a hung command fails the test, not the run
    const code = await closed;
    clearTimeout(killer);
    expect(code, err).toBe(130);
    expect(err.trim()).toMatch(/^wasmkms encrypt: Interrupted: stopped by SIGINT$/);
    expect(existsSync(path("interrupted"))).toBe(false);
    noTemporaries();
  });

  it("usage errors exit 2; --help exits 0; the dispatcher lists the commands", async () => {
    expectFailure(await wasmkms(["encrypt", "-i", path("p"), "-o", path("x")]), 2, /--key/);
    expectFailure(await wasmkms(["encrypt", "--key", keyA, "-i", path("p")]), 2, /-o PATH/);
    expectFailure(await wasmkms(["decrypt", "--frobnicate"]), 2, /Unknown option/);
    expectFailure(await wasmkms(["encrypt", "--key", keyA, "-c", "novalue", "-i", path("p"), "-o", path("x")]), 2, /key=value/);
    const help = await wasmkms(["encrypt", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/Usage: wasmkms encrypt/);
    expect((await wasmkms(["help"])).stdout.toString()).toMatch(/encrypt[\s\S]*decrypt/);
  });
});

describe("ProgressBar", () => {
  it("draws percent, sizes and rate in place, at most every 100 ms, and erases itself", () => {
    const written: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => written.push(t), columns: 120 }, 8 * 1024 * 1024, "encrypt");
    bar.update(2 * 1024 * 1024);
    bar.update(3 * 1024 * 1024); // within 100 ms: skipped
    bar.update(8 * 1024 * 1024); // the end is always drawn
    bar.finish();
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^\rencrypt \[█{8}░{22}\]  25%  2\.0 \/ 8\.0 MiB/);
    expect(written[1]).toMatch(/100%  8\.0 \/ 8\.0 MiB/);
    expect(written[2]).toBe("\r\x1b[K");
  });
});
