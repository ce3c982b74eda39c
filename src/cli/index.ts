#!/usr/bin/env node
/**
 * wasmkms/cli (Node) — the `wasmkms` command (package.json "bin"):
 *
 *   wasmkms serve [options]   the AWS KMS endpoint (see serve.ts; `npm start`)
 *   wasmkms demo              the engine on a 256 MiB buffer (`npm run demo`)
 *
 * `main(argv)` runs a command and resolves with its exit code; the module
 * runs it by itself only when it is the program being executed.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { demoCommand } from "./demo.js";
import { decryptCommand } from "./decrypt-command.js";
import { encryptCommand } from "./encrypt-command.js";
import { type Output, serveCommand } from "./serve.js";

export { demoCommand } from "./demo.js";
export { DEFAULT_DATA_DIR, SERVE_USAGE, parseServeArgs, serveCommand, startServing } from "./serve.js";
export type { Output, QuotaChoice, RunningEndpoint, ServeOptions } from "./serve.js";
export { ROOT_KEY_ENV, resolveRootKey } from "./root-key.js";

export const USAGE = `Usage: wasmkms <command> [options]

Commands:
  serve    serve the AWS KMS API over HTTP (wasmkms serve --help for its options)
  encrypt  encrypt a file under KMS keys (wasmkms encrypt --help)
  decrypt  decrypt a file made by encrypt or an AWS Encryption SDK (wasmkms decrypt --help)
  demo     seal and open a large buffer with the AES-256-GCM engine (WASMKMS_DEMO_MIB, default 256)
`;

const stdio: Output = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export async function main(argv: string[], env: Record<string, string | undefined> = process.env, output: Output = stdio): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "serve":
      return serveCommand(args, env, output);
    case "encrypt": return encryptCommand(args, env, output);
    case "decrypt": return decryptCommand(args, env, output);
    case "demo":
      return demoCommand(env, output, process.stdout.isTTY === true);
    case "help":
    case "--help":
    case "-h":
      output.out(USAGE);
      return 0;
    default:
      output.err(`${command === undefined ? "wasmkms: no command given" : `wasmkms: unknown command ${JSON.stringify(command)}`}\n\n${USAGE}`);
      return 2;
  }
}

function isProgram(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isProgram()) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
