// Bundles src/ into dist/: ESM (dist/esm/*.js) and CommonJS (dist/cjs/*.cjs),
// one file per entry point of package.json "exports" (scripts/entry-points.mjs).
//
// TypeScript is only transpiled here, file by file (the sources are written for
// isolatedModules); type errors are reported by `npm run typecheck` and by
// scripts/build-types.mjs, which emits the declarations.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import ts from "typescript";
import { entryPoints, pkg } from "./scripts/entry-points.mjs";

const configFile = ts.readConfigFile("tsconfig.build.json", ts.sys.readFile);
const compilerOptions = {
  ...ts.parseJsonConfigFileContent(configFile.config, ts.sys, ".").options,
  module: ts.ModuleKind.ESNext,
  noEmit: false,
  declaration: false,
  sourceMap: false,
};

/** Resolves the sources' "./x.js" imports to ./x.ts and strips the types. */
const transpileTypeScript = {
  name: "transpile-typescript",
  resolveId(source, importer) {
    if (!importer?.endsWith(".ts") || !source.startsWith(".") || !source.endsWith(".js")) return null;
    const candidate = resolve(dirname(importer), `${source.slice(0, -3)}.ts`);
    return existsSync(candidate) ? candidate : null;
  },
  transform(code, id) {
    if (!id.endsWith(".ts")) return null;
    const out = ts.transpileModule(code, { compilerOptions, fileName: id, reportDiagnostics: true });
    if (out.diagnostics?.length) {
      this.error(out.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"));
    }
    return { code: out.outputText, map: null };
  },
};

/** Records which source files went into dist/, so tests can tell whether the build is stale (test/built-package.ts). */
const recordInputs = {
  name: "record-inputs",
  writeBundle(options, bundle) {
    if (options.format !== "es") return;
    const inputs = Object.values(bundle).flatMap((chunk) => (chunk.type === "chunk" ? chunk.moduleIds : []));
    mkdirSync("build", { recursive: true });
    writeFileSync("build/dist-inputs.json", JSON.stringify([...new Set(inputs)].map((id) => relative(".", id)).sort(), null, 1));
  },
};

/** Left to the user's runtime: Node built-ins (only Node-only files use them) and declared dependencies. */
const runtimeDependencies = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
const packageName = (id) => id.split("/").slice(0, id.startsWith("@") ? 2 : 1).join("/");
const external = (id) => id.startsWith("node:") || runtimeDependencies.has(packageName(id));

// Chunk names carry a content hash, so clear old builds instead of piling them up.
for (const dir of ["dist/esm", "dist/cjs"]) rmSync(dir, { recursive: true, force: true });

export default {
  input: entryPoints,
  external,
  plugins: [transpileTypeScript, recordInputs],
  // Anything else rollup cannot resolve would reach users as a broken import: fail the build.
  onwarn(warning, warn) {
    if (warning.code === "UNRESOLVED_IMPORT") throw new Error(`rollup: ${warning.message} (not a declared dependency)`);
    warn(warning);
  },
  output: [
    {
      dir: "dist/esm",
      format: "es",
      entryFileNames: "[name].js",
      chunkFileNames: "chunks/[name]-[hash].js",
    },
    {
      dir: "dist/cjs",
      format: "cjs",
      exports: "named",
      entryFileNames: "[name].cjs",
      chunkFileNames: "chunks/[name]-[hash].cjs",
    },
  ],
};
