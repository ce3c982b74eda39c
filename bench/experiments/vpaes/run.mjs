// Vector-permute AES (Hamburg, CHES 2009) against our bitsliced AES, in the same
// wasm and the same process: builds, checks, times. See README.md.
//
//   node bench/experiments/vpaes/run.mjs [--keys N] [--dump]
//
// 1. gen.mjs writes vpaes.ts and driver.ts into a temporary directory beside a copy of
//    assembly/, and asc builds them with the engine's release options (asconfig.json).
// 2. Known answers: for random AES-256 keys, ours_ctr and vp_ecbN against node:crypto,
//    vp_ctrN against ours_ctr on the same counter blocks. Exits 1 on any mismatch.
// 3. CTR over 64 KiB: median of 11 rounds of ~150 ms, the kernels alternating.
// --dump also prints the instruction mix of V8's code for the hot loops.
import { execFileSync } from "node:child_process";
import { createCipheriv, randomBytes, randomInt } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./gen.mjs";
import { vpaesKeySchedule } from "./vpaes.mjs";

const started = performance.now();
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const NS = [1, 2, 4];
const KEYS = Number(process.argv[process.argv.indexOf("--keys") + 1]) || 64;

// 1. Build
const dir = mkdtempSync(join(tmpdir(), "vpaes-experiment-"));
let wasm;
try {
  cpSync(join(ROOT, "assembly"), join(dir, "assembly"), { recursive: true });
  for (const [name, text] of Object.entries(generate(NS))) writeFileSync(join(dir, name), text);
  // The options of asconfig.json's release target (runtime stub, simd, 16 pages, -O3, no asserts).
  const asc = join(ROOT, "node_modules/assemblyscript/bin/asc.js");
  const flags = ["-O3", "--runtime", "stub", "--enable", "simd", "--noAssert", "--initialMemory", "16"];
  execFileSync(process.execPath, [asc, "driver.ts", ...flags, "-o", "vpaes.wasm"], { cwd: dir, stdio: "inherit" });
  wasm = readFileSync(join(dir, "vpaes.wasm"));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const e = (await WebAssembly.instantiate(wasm, {})).instance.exports;
const mem = () => new Uint8Array(e.memory.buffer);
// Addresses in the engine's layout (assembly/layout.ts): data in WINDOW, round keys in SLOTS.
const P = 0x20000, KEY = 0x40000, IV = 0x40040, OURS = 0x60000, VP = 0x61000;
const setKey = (key) => (mem().set(key, KEY), e.expandKey(OURS, KEY), mem().set(vpaesKeySchedule(key), VP));

// 2. Known answers
const nodeCipher = (mode, key, iv, data) => {
  const c = createCipheriv(mode, key, iv).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};
const run = (kernel, args, data) => {
  mem().set(data, P);
  kernel(...args, P, data.length / 16);
  return Buffer.from(mem().slice(P, P + data.length));
};
let checks = 0;
const check = (ok, what) => { if (!ok) { console.error(`KAT FAILED: ${what}`); process.exit(1); } checks++; };
for (let t = 0; t < KEYS; t++) {
  const key = randomBytes(32);
  setKey(key);
  // node:crypto's CTR increments all 128 bits, ours the low 32 (inc32): keep them from wrapping.
  const nb = 8 * randomInt(1, 9), iv = randomBytes(16), msg = randomBytes(16 * nb);
  iv.writeUInt32BE(randomInt(0, 2 ** 32 - nb), 12);
  mem().set(iv, IV);
  const ours = run(e.ours_ctr, [OURS, IV], msg);
  check(ours.equals(nodeCipher("aes-256-ctr", key, iv, msg)), `ours_ctr vs node:crypto, key ${key.toString("hex")}`);
  for (const N of NS) {
    check(run(e[`vp_ctr${N}`], [VP, IV], msg).equals(ours), `vp_ctr${N} vs ours_ctr, key ${key.toString("hex")}`);
    const pt = randomBytes(16 * N * randomInt(1, 40));
    check(run(e[`vp_ecb${N}`], [VP], pt).equals(nodeCipher("aes-256-ecb", key, null, pt)), `vp_ecb${N} vs node:crypto, key ${key.toString("hex")}`);
  }
}
console.log(`KAT ok: ${KEYS} random AES-256 keys, ${checks} comparisons (ours CTR and vpaes ECB vs node:crypto, vpaes CTR x${NS.join("/x")} vs ours)`);

// --dump: V8's optimized code (TurboFan, every function compiled up front), the largest loop of each function.
if (process.argv.includes("--dump")) {
  const code = execFileSync(process.execPath, ["--no-liftoff", "--no-wasm-lazy-compilation", "--print-wasm-code", "-e",
    "new WebAssembly.Module(require('fs').readFileSync(0))"], { input: wasm, maxBuffer: 1 << 28 }).toString();
  const loops = new Map(); // function index -> instructions of its largest loop (a backward jump's range)
  for (const f of code.split("name: wasm-function[").slice(1)) {
    const ins = [...f.matchAll(/^0x\w+ +(\w+) +\w+ +(.*)$/gm)].map(([, off, text]) => ({ off: parseInt(off, 16), text }));
    const ranges = ins.map(({ off, text }) => [parseInt(/^j\w* .*<\+0x(\w+)>/.exec(text)?.[1], 16), off]).filter(([t, off]) => t < off);
    const sizes = ranges.map(([t, off]) => ins.filter((i) => i.off >= t && i.off <= off));
    loops.set(parseInt(f), sizes.reduce((a, b) => (b.length > a.length ? b : a), []));
  }
  let i = 8; // wasm sections: id, size, contents; the export section (id 7) gives each export's function index
  const leb = () => { let v = 0; for (let s = 0; ; s += 7) { const b = wasm[i++]; v |= (b & 127) << s; if (b < 128) return v; } };
  for (let id = wasm[i++]; id !== 7; id = wasm[i++]) { const size = leb(); i += size; }
  const exported = {}, fn = new Set();
  for (let n = (leb(), leb()); n > 0; n--) {
    const len = leb(), name = wasm.toString("latin1", i, (i += len)), kind = wasm[i++], index = leb();
    if (kind === 0) fn.add((exported[name] = index));
  }
  const rounds = [...loops].filter(([f]) => !fn.has(f)).sort((a, b) => b[1].length - a[1].length)[0][1];
  const rows = [["ours: rounds(), 8 blocks", rounds, 8], ...NS.map((N) => [`vpaes x${N}: 14 rounds`, loops.get(exported[`vp_ctr${N}`]), 14 * N])];
  console.log("\nV8's code for the hot loops, instructions per block per round");
  console.log("loop                          all  pshufb paddusb  [rip]    pxor   stack  per byte");
  for (const [name, loop, per] of rows) {
    const count = (re) => (loop.filter((x) => re.test(x.text)).length / per).toFixed(1).padStart(7);
    console.log(`${name.padEnd(26)}${count(/./)} ${count(/^vpshufb/)} ${count(/^vpaddusb/)} ${count(/\[rip/)} ${count(/^vpxor/)} ${count(/\[rbp/)} ${(loop.length / per / 16).toFixed(2).padStart(9)}`);
  }
}

// 3. Timing: CTR over 64 KiB
const BYTES = 65536, ROUNDS = 11, ROUND_MS = 150;
setKey(randomBytes(32));
mem().set(randomBytes(12), IV);
mem().set(randomBytes(BYTES), P);
const kernels = { "ours (bitsliced, 8 blocks)": () => e.ours_ctr(OURS, IV, P, BYTES / 16) };
for (const N of NS) kernels[`vpaes x${N}`] = () => e[`vp_ctr${N}`](VP, IV, P, BYTES / 16);
for (const f of Object.values(kernels)) for (let i = 0; i < 300; i++) f();
const mbps = Object.fromEntries(Object.keys(kernels).map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of Object.entries(kernels)) {
    let calls = 0, t = 0;
    for (const t0 = performance.now(); t < ROUND_MS; t = performance.now() - t0, calls++) f();
    mbps[name].push((calls * BYTES) / 1e3 / t);
  }
}
const median = (v) => v.sort((a, b) => a - b)[v.length >> 1];
const ours = median(mbps[Object.keys(kernels)[0]]);
console.log(`\nCTR over 64 KiB, median of ${ROUNDS} rounds of ${ROUND_MS} ms (Node ${process.version}, ${process.arch})`);
console.log("kernel                        MB/s   ns/byte   time vs ours");
for (const [name, v] of Object.entries(mbps)) {
  const m = median(v);
  console.log(`${name.padEnd(26)} ${m.toFixed(0).padStart(7)} ${(1e3 / m).toFixed(2).padStart(9)} ${(ours / m).toFixed(2).padStart(13)}x`);
}
console.log(`\n(${((performance.now() - started) / 1e3).toFixed(1)} s)`);
