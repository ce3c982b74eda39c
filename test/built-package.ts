// Shared by the tests that exercise the BUILT package (dist/) rather than src/:
// where the repository is, and a guard against testing a missing or stale build.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Throws unless dist/ exists and none of the sources bundled into it
 * (listed by rollup.config.mjs in build/dist-inputs.json) changed since.
 */
export function assertFreshBuild(): void {
  const marker = join(root, "dist/esm/engine.js");
  const inputsFile = join(root, "build/dist-inputs.json");
  if (!existsSync(marker) || !existsSync(inputsFile)) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
  const built = statSync(marker).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, "utf8")) as string[];
  const changed = inputs.filter((file) => !existsSync(join(root, file)) || statSync(join(root, file)).mtimeMs > built);
  if (changed.length) {
    throw new Error(`dist/ is older than ${changed.join(", ")}: run \`npm run build\` first (npm test does)`);
  }
}
