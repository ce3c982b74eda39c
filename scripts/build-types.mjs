// Emits type declarations under dist/types/ for what the package's entry points
// reach (scripts/entry-points.mjs), type-checking those files on the way, and
// gives CommonJS consumers their own copy: each .d.ts gets a .d.cts twin whose
// relative imports point at .cjs, so `require("wasmkms/engine")` is typed as
// CommonJS rather than as an ES module (which TypeScript's node16 mode rejects).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { entryPoints } from "./entry-points.mjs";

const out = "dist/types";
rmSync(out, { recursive: true, force: true });

// A tsconfig scoped to the entry points: files they do not import are neither checked nor emitted here.
mkdirSync("build", { recursive: true });
const project = "build/tsconfig.types.json";
writeFileSync(
  project,
  JSON.stringify({
    extends: "../tsconfig.build.json",
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, rootDir: "../src", outDir: `../${out}` },
    files: Object.values(entryPoints).map((source) => `../${source}`),
    include: [],
  }),
);
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { stdio: "inherit" });

let count = 0;
for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const file = join(entry.parentPath, entry.name);
  const cts = readFileSync(file, "utf8").replace(/(["'])(\.{1,2}\/[^"']*?)\.js\1/g, "$1$2.cjs$1");
  writeFileSync(file.replace(/\.d\.ts$/, ".d.cts"), cts);
  count++;
}
console.log(`types: ${count} declaration files in ${out} (+ .d.cts twins)`);
