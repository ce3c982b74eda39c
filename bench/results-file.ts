// bench/RESULTS.md holds one section per benchmark (engine, kms, sdk, server),
// each between <!-- name:start --> and <!-- name:end --> markers, so every
// benchmark rewrites its own section and leaves the others as they were.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULTS_FILE = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
const HEADER = "# wasmkms benchmark results\n\nEach section is written by its benchmark (`npm run bench`, `bench:kms`, `bench:sdk`, `bench:server`); regenerate rather than edit.\n";

/** Replaces (or appends) section `name` of bench/RESULTS.md with `markdown`. */
export function writeResultsSection(name: string, markdown: string): void {
  const text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, "utf8") : HEADER;
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS_FILE, next.startsWith("# ") ? next : HEADER + next);
}
