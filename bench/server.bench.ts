// Load benchmark of the KMS endpoint (issue 6): keep-alive HTTP clients send
// Encrypt requests with a 1 KiB plaintext, each signed with SigV4 in the load
// generator, so the server's measured path includes signature verification.
//
//   npx tsx bench/server.bench.ts                    60 s, 32 connections, audit log on
//   npx tsx bench/server.bench.ts --duration 10      shorter
//   npm run bench:server -- --connections 16 --audit off
//
// The server is the real `wasmkms serve` (a child process on its own SQLite
// store in a temporary directory), the load generator autocannon in this
// process: on a two-core machine, one core each. Its resident memory is
// sampled every second to show whether it stays flat. Target: ≥ 10,000 req/s
// sustained for 60 s, p99 < 10 ms, 0 errors. Not a test: numbers depend on the
// machine and on what else runs; the lead merges them into bench/RESULTS.md.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { SigningKeyCache, sha256Hex } from "../src/server/sigv4-canonical.ts";
import { signRequest } from "../src/server/sigv4-signer.ts";
import { startServe } from "../test/server/serve-process.ts";

const { values: options } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string", default: "32" },
    plaintext: { type: "string", default: "1024" },
    audit: { type: "string", default: "on" },
  },
});
const duration = Number(options.duration);
const connections = Number(options.connections);
const TARGET_RPS = 10_000;
const TARGET_P99_MS = 10;

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const scope = { region: "us-east-1", service: "kms" };

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "wasmkms-bench-"));
  const server = await startServe(["--data-dir", dir, "--audit", options.audit], { WASMKMS_ROOT_KEY: Buffer.alloc(32, 1).toString("base64") });
  const url = new URL(server.url);
  const keys = new SigningKeyCache();
  // Every request is signed afresh (its own X-Amz-Date, canonical request and HMAC); only the
  // SHA-256 of the body, the same for every Encrypt, is computed once.
  const sign = (target: string, body: string, payloadHash?: string) => {
    const headers = { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `TrentService.${target}` };
    return { ...headers, ...signRequest({ method: "POST", host: url.host, path: "/", headers, body, payloadHash }, credentials, scope, Date.now(), keys) };
  };
  try {
    const createBody = JSON.stringify({ Description: "server bench" });
    const created = await fetch(server.url, { method: "POST", headers: sign("CreateKey", createBody), body: createBody });
    const keyId = ((await created.json()) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
    const plaintext = crypto.getRandomValues(new Uint8Array(Number(options.plaintext)));
    const body = JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from(plaintext).toString("base64") });
    const bodyHash = sha256Hex(body);

    const pid = server.child.pid!;
    const rss: number[] = [rssMiB(pid)];
    const sampler = setInterval(() => rss.push(rssMiB(pid)), 1000);
    let wrongBodies = 0;
    console.log(
      `Encrypt ${plaintext.length} B through ${server.url} (wasmkms serve, SQLite store, audit log ${options.audit}): ` +
        `${connections} keep-alive connections, ${duration} s, ` +
        `${cpus().length} cores (${cpus()[0].model}), Node ${process.version}`,
    );
    const result = await autocannon({
      url: server.url,
      connections,
      duration,
      requests: [
        {
          method: "POST",
          path: "/",
          setupRequest: (request: autocannon.Request) => ({ ...request, body, headers: sign("Encrypt", body, bodyHash) }),
          onResponse: (status: number, responseBody: string) => {
            if (status !== 200 || !responseBody.includes('"CiphertextBlob"')) wrongBodies++;
          },
        },
      ],
    });
    clearInterval(sampler);
    const at = (second: number) => rss[Math.min(second, rss.length - 1)].toFixed(0);
    const report = {
      "requests/s (mean)": Math.round(result.requests.average),
      "requests/s (min second)": result.requests.min,
      "latency p50 (ms)": result.latency.p50,
      "latency p99 (ms)": result.latency.p99,
      "latency max (ms)": result.latency.max,
      requests: result.requests.total,
      "errors + timeouts + non-2xx": result.errors + result.timeouts + result.non2xx + wrongBodies,
      "server RSS (MiB) at start / 10 s / half-time / end": [at(0), at(10), at(Math.floor(rss.length / 2)), at(rss.length - 1)].join(" / "),
    };
    console.table(report);
    console.log("\n| Endpoint (Encrypt 1 KiB, SigV4, keep-alive) | value |\n|---|---:|");
    for (const [name, value] of Object.entries(report)) console.log(`| ${name} | ${value} |`);
    const ok = result.requests.average >= TARGET_RPS && result.latency.p99 < TARGET_P99_MS && report["errors + timeouts + non-2xx"] === 0;
    console.log(`\ntarget (≥ ${TARGET_RPS} req/s, p99 < ${TARGET_P99_MS} ms, 0 errors): ${ok ? "met" : "NOT met"}`);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
