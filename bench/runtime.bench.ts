// The part of the benchmark that runs under Deno and Bun (started by
// engine.bench.ts through node_modules/.bin/deno and node_modules/.bin/bun):
// AES-256-GCM at 64 B and 1 MiB and SHA-256 at 1 MiB, wasmkms against that
// runtime's own node:crypto and WebCrypto. Prints its rows as one JSON line
// after RESULT_MARKER. Usage: <runtime> bench/runtime.bench.ts [timeMs]
// (each task runs 5 rounds of 3/5 × timeMs, libraries in turn; its median round is reported).
import process from "node:process";
import { RESULT_MARKER, runtimeName, Suite } from "./measure.ts";
import { addGcm, addSha, type Lib } from "./tasks.ts";

const timeMs = Number(process.argv[2] ?? 500);
const libs: Lib[] = ["wasmkms", "node:crypto", "WebCrypto"];
// Five rounds, the median kept: Deno optimises WebAssembly later than Node, and the machine may be shared.
const suite = new Suite(runtimeName(), timeMs * 3, 5);
for (const size of [64, 1 << 20]) await addGcm(suite, size, libs);
await addSha(suite, "sha256", 1 << 20, libs);
const rows = await suite.run((row) => process.stderr.write(`  ${row.runtime}: ${row.group}, ${row.size} B, ${row.lib}\n`));
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(rows)}\n`);
