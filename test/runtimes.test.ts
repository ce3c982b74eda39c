// Runs test/runtimes/check.mjs against the BUILT package (dist/) under Node,
// Deno and Bun, the three runtimes wasmkms supports. Deno and Bun come from
// their npm packages (node_modules/.bin), so no system install is needed.
// `npm test` builds dist/ before vitest starts.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshBuild, root } from "./built-package.ts";

const run = promisify(execFile);
const script = join(root, "test/runtimes/check.mjs");
const bin = (name: string) => join(root, "node_modules/.bin", name);

/** Ways of loading the package that check.mjs knows (see its header). */
const MODES = ["esm-path", "esm-package", "cjs-package"];

/** Each runtime and how to start a script under it. */
const runtimes = [
  { name: "node", command: process.execPath, args: [] as string[] },
  {
    name: "deno",
    command: bin("deno"),
    // Plain JavaScript, so nothing to type-check; no remote modules, no prompts, no cache downloads.
    args: ["run", "--allow-read", "--no-remote", "--no-prompt", "--cached-only"],
  },
  { name: "bun", command: bin("bun"), args: [] as string[] },
];

let denoDir = "";
const env = () => ({
  ...process.env,
  DENO_DIR: denoDir,
  DENO_NO_UPDATE_CHECK: "1",
  DO_NOT_TRACK: "1",
  NO_COLOR: "1",
});

beforeAll(() => {
  assertFreshBuild();
  denoDir = mkdtempSync(join(tmpdir(), "wasmkms-deno-"));
});

afterAll(() => {
  if (denoDir) rmSync(denoDir, { recursive: true, force: true });
});

async function start(command: string, args: string[]) {
  try {
    return await run(command, args, { cwd: root, env: env(), timeout: 90_000, maxBuffer: 1 << 20 });
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(" ")} failed (${String(e.code)}): ${e.message}\n--- stdout\n${e.stdout ?? ""}\n--- stderr\n${e.stderr ?? ""}`,
    );
  }
}

for (const runtime of runtimes) {
  describe(`built package under ${runtime.name}`, () => {
    it("the runtime binary starts", async () => {
      if (runtime.name !== "node" && !existsSync(runtime.command)) {
        throw new Error(`${runtime.command} not found: ${runtime.name} is an npm devDependency, run \`npm ci\``);
      }
      const { stdout } = await start(runtime.command, ["--version"]);
      expect(stdout).toMatch(/\d+\.\d+\.\d+/);
    });

    for (const mode of MODES) {
      it(`passes the GCM, SHA-256, HKDF and 1 MiB round-trip checks (${mode})`, async () => {
        const { stdout } = await start(runtime.command, [...runtime.args, script, mode]);
        expect(stdout).toMatch(new RegExp(`^OK ${runtime.name} \\S+ ${mode}$`, "m"));
      });
    }
  });
}
