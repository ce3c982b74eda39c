/**
 * The process the crash test kills. Usage:
 *   node --import tsx test/store/durability-child.ts <dbPath> <workload> <seed>
 * Opens the workload (see durability-workload.ts), prints "READY", then runs
 * steps forever, printing each step's acknowledgement line only after the
 * step returned, i.e. after its transaction committed. Lines go out with a
 * synchronous write each, so nothing acknowledged sits in a buffer.
 */
import { writeSync } from "node:fs";
import { seededRandom, workloads } from "./durability-workload.js";

const [dbPath, name, seed] = process.argv.slice(2);
const factory = workloads[name];
if (!dbPath || !factory || !seed) {
  process.stderr.write(`usage: durability-child.ts <dbPath> <${Object.keys(workloads).join("|")}> <seed>\n`);
  process.exit(2);
}
const workload = await factory(dbPath, seededRandom(Number(seed)));
/** Writes a whole line to stdout, waiting out EAGAIN when the parent reads slower than we write. */
function writeLine(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  for (let off = 0; off < bytes.length; ) {
    try {
      off += writeSync(1, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
    }
  }
}
writeLine("READY");
for (;;) writeLine(await workload.step());
