/**
 * Runs durability-child.ts against one database file and SIGKILLs it at a
 * random moment, again and again; after each kill the caller checks the file.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const childScript = fileURLToPath(new URL("./durability-child.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface KilledRun {
  /** Acknowledgement lines the child printed (complete lines only), in order. */
  acks: string[];
  /** How long after READY the kill was sent, in ms (-1: sent before READY). */
  killedAfterMs: number;
}

/**
 * Starts the child and kills it `delayMs` after it printed READY (or, if
 * `beforeReady`, `delayMs` after it started, which may land while it opens
 * the store and replays the WAL). Rejects if the child died of anything but
 * the SIGKILL, with its stderr.
 */
export function runAndKill(
  dbPath: string,
  workload: string,
  seed: number,
  delayMs: number,
  beforeReady = false,
): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript, dbPath, workload, String(seed)], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acks: string[] = [];
    let pending = "";
    let stderr = "";
    let killedAfterMs = -1;
    let readyAt: number | undefined;
    const kill = () => {
      killedAfterMs = readyAt === undefined ? -1 : performance.now() - readyAt;
      child.kill("SIGKILL");
    };
    if (beforeReady) setTimeout(kill, delayMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === "READY") {
          readyAt = performance.now();
          if (!beforeReady) setTimeout(kill, delayMs);
        } else {
          acks.push(line);
        }
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (signal === "SIGKILL") resolve({ acks, killedAfterMs });
      else reject(new Error(`child exited with code ${code}, signal ${signal}, seed ${seed}:\n${stderr}`));
    });
  });
}
