// The built package as a user installs it: every "exports" target exists,
// ESM and CommonJS builds expose the same API, and TypeScript resolves the
// right declarations for both `import` and `require` (test/package/*).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { assertFreshBuild, root } from "./built-package.ts";

beforeAll(assertFreshBuild);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const require = createRequire(join(root, "package.json"));

/** Every file path named anywhere in the "exports" map. */
function exportTargets(node: unknown): string[] {
  if (typeof node === "string") return [node];
  return Object.values(node as Record<string, unknown>).flatMap(exportTargets);
}

const ENGINE_API = ["Aes256Gcm", "AuthenticationError", "hkdf", "hmac", "init", "randomBytes", "sha224", "sha256", "sha384", "sha512"];

describe("package layout", () => {
  it("has every file that package.json exports, main, module and types name", () => {
    const targets = [...exportTargets(pkg.exports), pkg.main, pkg.module, pkg.types];
    const missing = targets.filter((target) => !existsSync(join(root, target)));
    expect(missing).toEqual([]);
  });

  it("is side-effect free and ships only dist/ and the README", () => {
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.files).toEqual(["dist", "README.md"]);
  });

  it("ESM and CommonJS builds export the same engine API, at the root and at wasmkms/engine", async () => {
    for (const specifier of ["wasmkms", "wasmkms/engine"]) {
      const esm = await import(specifier);
      const cjs = require(specifier);
      for (const name of ENGINE_API) {
        expect(typeof esm[name], `${specifier} (ESM) ${name}`).toBe("function");
        expect(typeof cjs[name], `${specifier} (CJS) ${name}`).toBe("function");
      }
    }
  });

  it("gives TypeScript consumers declarations for import and require", async () => {
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const project = join(root, "test/package/tsconfig.json");
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", project], { cwd: root }).catch(
      (e: { stdout?: string; stderr?: string }) => ({ failed: true, stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
    );
    expect(result.stdout + result.stderr).toBe("");
    expect("failed" in result).toBe(false);
  });
});
