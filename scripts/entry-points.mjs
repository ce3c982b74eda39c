// The package's public entry points, read from package.json "exports":
// "." is src/index.ts and "./name" is src/name/index.ts, except where
// SOURCES names the file (Node-only modules that live beside portable ones). Shared by
// rollup.config.mjs (one bundle per entry) and scripts/build-types.mjs
// (declarations for what the entries reach), so adding a subpath export
// to package.json is all it takes to build one.
import { readFileSync } from "node:fs";

export const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/** Subpaths whose source does not follow the src/name/index.ts convention. */
const SOURCES = { "./store/sqlite": "src/store/sqlite-store.ts", "./sdk/node": "src/sdk/index.node.ts" };

/** Output file name (without extension) → source file, relative to the repository root. */
export const entryPoints = Object.fromEntries(
  Object.keys(pkg.exports)
    .filter((subpath) => !subpath.endsWith(".json"))
    .map((subpath) =>
      subpath === "." ? ["index", "src/index.ts"] : [subpath.slice(2), SOURCES[subpath] ?? `src/${subpath.slice(2)}/index.ts`],
    ),
);
