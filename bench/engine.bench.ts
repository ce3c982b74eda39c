// `npm run bench`: wasmkms against node:crypto, WebCrypto, @noble/ciphers,
// @noble/hashes and hash-wasm in one Node process, then the AES-256-GCM and
// SHA-256 rows under Deno and Bun (bench/runtime.bench.ts through their npm
// binaries). Writes bench/RESULTS.md and bench/chart.svg.
//
//   npm run bench                       full run (a few minutes)
//   npm run bench -- --time 100         shorter tasks, for trying changes
//   npm run bench -- --node-only        skip Deno and Bun
//   npx tsx bench/engine.bench.ts --no-write   print only: leave RESULTS.md, chart.svg and README.md alone
//
// Not a test: numbers depend on the machine and its load. Measures the built
// package (dist/), which `prebench` builds.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeResultsSection } from "./results-file.js";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { renderChart } from "./chart.ts";
import { DENO_BUN_ROUNDS, NODE_ROUNDS, RESULT_MARKER, roundMs, type Row, runtimeName, sizeName, suiteFor } from "./measure.ts";
import { renderResults, renderSummary, type Environment } from "./results.ts";
import { addGcm, addHkdf, addKeySetup, addSha, type Lib, sink } from "./tasks.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values: options } = parseArgs({
  options: {
    time: { type: "string", default: "500" },
    "node-only": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (options.help) {
  console.log("usage: tsx bench/engine.bench.ts [--time ms] [--node-only] [--no-write]  (measures dist/: npm run build first)");
  process.exit(0);
}
const timeMs = Number(options.time);
const nodeOnly = options["node-only"];
const noWrite = options["no-write"];

const AES_SIZES = [64, 1024, 16 * 1024, 1 << 20];
const AES_PEERS: Lib[] = ["wasmkms", "node:crypto", "WebCrypto", "@noble/ciphers"];
const HASH_PEERS: Lib[] = ["wasmkms", "node:crypto", "@noble/hashes", "hash-wasm"];

function printRow(row: Row): void {
  const rate = row.mbPerSec === null ? `${(1e6 / row.opsPerSec).toFixed(2)} µs/op` : `${row.mbPerSec.toFixed(1)} MB/s`;
  const size = row.size ? ` ${sizeName(row.size)}` : "";
  console.log(`  ${`${row.group}${size}`.padEnd(34)} ${row.lib.padEnd(15)} ${Math.round(row.opsPerSec).toLocaleString("en-US").padStart(11)} ops/s  ${rate.padStart(14)}  ±${row.rme.toFixed(1)}%`);
}

async function nodeRows(): Promise<Row[]> {
  const suite = suiteFor(NODE_ROUNDS, timeMs);
  for (const size of AES_SIZES) await addGcm(suite, size, AES_PEERS);
  for (const alg of ["sha256", "sha512"] as const) {
    for (const size of [64, 1 << 20]) await addSha(suite, alg, size, HASH_PEERS);
  }
  await addHkdf(suite, ["wasmkms", "node:crypto", "WebCrypto", "@noble/hashes"]);
  await addKeySetup(suite, ["wasmkms", "WebCrypto"]);
  console.log(`${runtimeName()}: ${NODE_ROUNDS.rounds} rounds of ${Math.round(roundMs(NODE_ROUNDS, timeMs))} ms per task`);
  return suite.run(printRow);
}

/** Runs bench/runtime.bench.ts under Deno or Bun and returns its rows. */
async function runtimeRows(name: "deno" | "bun", denoDir: string): Promise<Row[]> {
  const bin = join(root, "node_modules/.bin", name);
  const script = join(root, "bench/runtime.bench.ts");
  const argv = name === "deno" ? ["run", "--allow-read", "--allow-env", "--no-prompt", "--cached-only", script, String(timeMs)] : [script, String(timeMs)];
  console.log(`${name}: ${DENO_BUN_ROUNDS.rounds} rounds of ${Math.round(roundMs(DENO_BUN_ROUNDS, timeMs))} ms per task`);
  const { stdout } = await promisify(execFile)(bin, argv, {
    cwd: root,
    env: { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", DO_NOT_TRACK: "1", NO_COLOR: "1" },
    maxBuffer: 16 << 20,
    timeout: 600_000,
  });
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
  if (!line) throw new Error(`${name} printed no results:\n${stdout}`);
  const rows = JSON.parse(line.slice(RESULT_MARKER.length)) as Row[];
  rows.forEach(printRow);
  return rows;
}

async function versionOf(command: string, argv: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(command, argv, { env: { ...process.env, NO_COLOR: "1" } });
  return stdout.match(/\d+\.\d+\.\d+/)?.[0] ?? "?";
}

function packageVersion(name: string): string {
  return JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
}

async function environment(): Promise<Environment> {
  const cpuinfo = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown CPU";
  const flags = cpuinfo.match(/^flags\s*:\s*(.+)$/m)?.[1].split(" ") ?? [];
  const features = flags.length ? `; AES-NI ${flags.includes("aes") ? "yes" : "no"}, PCLMULQDQ ${flags.includes("pclmulqdq") ? "yes" : "no"}, AVX2 ${flags.includes("avx2") ? "yes" : "no"}` : "";
  const wasm = readFileSync(join(root, "build/engine.wasm"));
  let commit = "unknown";
  try {
    const git = promisify(execFile);
    commit = (await git("git", ["rev-parse", "--short", "HEAD"], { cwd: root })).stdout.trim();
    if ((await git("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root })).stdout.trim()) commit += " (with uncommitted changes)";
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString().replace(/:\d\d\.\d+Z$/, " UTC").replace("T", " "),
    cpu: `${model}, ${cpus().length} logical cores${features}`,
    versions: {
      Node: process.versions.node,
      V8: process.versions.v8,
      ...(nodeOnly ? {} : { Deno: await versionOf(join(root, "node_modules/.bin/deno"), ["--version"]), Bun: await versionOf(join(root, "node_modules/.bin/bun"), ["--version"]) }),
      "@noble/ciphers": packageVersion("@noble/ciphers"),
      "@noble/hashes": packageVersion("@noble/hashes"),
      "hash-wasm": packageVersion("hash-wasm"),
      tinybench: packageVersion("tinybench"),
    },
    engine: `build/engine.wasm ${wasm.length.toLocaleString("en-US")} bytes, SHA-256 ${createHash("sha256").update(wasm).digest("hex").slice(0, 16)}…`,
    commit,
    timeMs,
  };
}

/** Replaces the README's table between its bench markers, so the headline figures follow each run. */
function updateReadme(rows: Row[], env: Environment): void {
  const file = join(root, "README.md");
  const readme = readFileSync(file, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    console.warn("README.md has no bench markers; its table was not updated");
    return;
  }
  const table = `${renderSummary(rows)}\n\n<sub>${env.cpu.split(";")[0]}, ${env.date}; full tables in [bench/RESULTS.md](bench/RESULTS.md).</sub>`;
  writeFileSync(file, `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const rows = await nodeRows();
  if (!nodeOnly) {
    const denoDir = mkdtempSync(join(tmpdir(), "wasmkms-bench-deno-"));
    try {
      rows.push(...(await runtimeRows("deno", denoDir)), ...(await runtimeRows("bun", denoDir)));
    } finally {
      rmSync(denoDir, { recursive: true, force: true });
    }
  }
  const env = await environment();
  if (noWrite) {
    console.log(renderResults(rows, env));
    console.log(`--no-write: nothing written (${((performance.now() - started) / 1000).toFixed(0)} s, checksum ${sink})`);
    return;
  }
  writeResultsSection("engine", renderResults(rows, env));
  writeFileSync(join(root, "bench/chart.svg"), renderChart(rows, `${env.cpu.split(";")[0]}; Node ${env.versions.Node}${nodeOnly ? "" : `, Deno ${env.versions.Deno}, Bun ${env.versions.Bun}`}; ${env.date}`));
  updateReadme(rows, env);
  console.log(`wrote bench/RESULTS.md, bench/chart.svg and README.md's table in ${((performance.now() - started) / 1000).toFixed(0)} s (checksum ${sink})`);
}

await main();
