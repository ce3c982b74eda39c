// Runs a benchmark script and records what it printed as its section of
// bench/RESULTS.md (see results-file.ts), with the date, machine and Node version.
//   tsx bench/record.ts <section> "<title>" <script.ts> [args…]
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { writeResultsSection } from "./results-file.js";

const [section, title, script, ...args] = process.argv.slice(2);
if (!section || !title || !script) {
  console.error('usage: tsx bench/record.ts <section> "<title>" <script.ts> [args…]');
  process.exit(2);
}
const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
let output = "";
child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
  process.stdout.write(chunk);
  output += chunk;
});
const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
if (code !== 0) process.exit(code);
const date = new Date().toISOString().slice(0, 16).replace("T", " ");
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}`;
writeResultsSection(
  section,
  `## ${title}\n\n\`${["tsx", script, ...args].join(" ")}\` on ${date} UTC, ${machine}, Node ${process.version}. ` +
    "Printed output as measured (the machine is a shared 2-core VM: figures move by several percent between runs).\n\n" +
    "```text\n" + output.replace(/\x1b\[[0-9;]*m/g, "").trim() + "\n```",
);
console.log(`recorded the ${section} section of bench/RESULTS.md`);
