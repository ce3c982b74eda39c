// The part of the benchmark that runs under Deno and Bun (started by
// engine.bench.ts through node_modules/.bin/deno and node_modules/.bin/bun):
// AES-256-GCM at 64 B and 1 MiB and SHA-256 at 1 MiB, wasmkms against that
// runtime's own node:crypto and WebCrypto. Prints its rows as one JSON line
// after RESULT_MARKER. Usage: <runtime> bench/runtime.bench.ts [timeMs]
// (each task runs as DENO_BUN_ROUNDS in measure.ts says).
import process from "node:process";
import { DENO_BUN_ROUNDS, RESULT_MARKER, suiteFor } from "./measure.ts";
import { addGcm, addSha, type Lib } from "./tasks.ts";

const timeMs = Number(process.argv[2] ?? 500);
const libs: Lib[] = ["wasmkms", "node:crypto", "WebCrypto"];
const suite = suiteFor(DENO_BUN_ROUNDS, timeMs);
for (const size of [64, 1 << 20]) await addGcm(suite, size, libs);
await addSha(suite, "sha256", 1 << 20, libs);
const rows = await suite.run((row) => process.stderr.write(`  ${row.runtime}: ${row.group}, ${row.size} B, ${row.lib}\n`));
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(rows)}\n`);
