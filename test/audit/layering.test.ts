/** src/audit and src/quota are portable and sit below src/kms (DESIGN.md §1). */
import { readFile, readdir } from "node:fs/promises";
import { expect, it } from "vitest";

it.each(["audit", "quota"])("src/%s uses no Node-only API and does not import src/kms", async (dir) => {
  const root = new URL(`../../src/${dir}/`, import.meta.url);
  const files = (await readdir(root)).filter((f) => f.endsWith(".ts"));
  expect(files.length).toBeGreaterThan(2);
  for (const file of files) {
    const source = await readFile(new URL(file, root), "utf8");
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    expect(code, file).not.toMatch(/from "node:|\bBuffer\b|\bprocess\.|require\(/);
    expect(code, file).not.toMatch(/from "\.\.\/(kms|policy|sdk|server|cli)\//);
  }
});
