/**
 * Runs `wasmkms serve` (the CLI from source, through tsx) as a child process,
 * on a free port, and reads the endpoint URL from what it prints.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const cli = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  /** The endpoint URL, once it is listening. */
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children still running: whatever a failed test leaves behind is killed by `killLeftovers` (call it in afterAll). */
const running = new Set<ChildProcess>();
export function killLeftovers(): void {
  for (const child of running) child.kill("SIGKILL");
}
process.once("exit", killLeftovers);

/** Starts `wasmkms <args>` (`nodeArgs`, e.g. --cpu-prof, go to node itself). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): { child: ChildProcess; exited: ServeProcess["exited"]; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", cli, ...args], {
    cwd: repoRoot,
    env: { ...process.env, WASMKMS_ROOT_KEY: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Starts `wasmkms serve` on a free port; resolves when it prints its endpoint, rejects if it exits first. */
export async function startServe(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServeProcess> {
  const run = runCli(["serve", "--port", "0", ...args], env, nodeArgs);
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /endpoint on (http:\/\/\S+)/.exec(run.output().stdout);
      if (match) {
        clearInterval(poll);
        resolve(match[1]);
      }
    }, 20);
    void run.exited.then(({ code, signal }) => {
      clearInterval(poll);
      reject(new Error(`wasmkms serve exited (code ${code}, signal ${signal}) before listening:\n${run.output().stderr}`));
    });
  });
  return { child: run.child, url, exited: run.exited, stdout: () => run.output().stdout, stderr: () => run.output().stderr };
}
