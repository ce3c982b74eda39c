// Writes the AssemblyScript for the vpaes experiment (see README.md):
//   vpaes.ts   AES-256 encryption after Hamburg (CHES 2009) / OpenSSL's vpaes-x86_64.pl
//              (_vpaes_encrypt_core), fully unrolled, N blocks interleaved op by op:
//              vp_ctrN(rk, iv, p, nblocks) and vp_ecbN(rk, p, nblocks) for each N.
//   driver.ts  the build's entry: our bitsliced encrypt8 (assembly/aes.ts) in CTR mode,
//              ours_ctr(rk, iv, p, nblocks), plus expandKey and the vpaes exports.
// Both CTR kernels use counter blocks iv[0..12] || BE32(c0 + i), c0 = BE32(iv[12..16]),
// as gcm.ts does, and XOR the keystream into p in place.
//
// SubBytes: x = 16i + k is inverted in GF(2^4) with five secret-indexed lookups
// (i8x16.swizzle on the 16-byte .Lk_inv tables; an index with bit 7 set reads 0, as
// pshufb does), and four more give the S-box output and its double (.Lk_sb1, .Lk_sb2).
// MixColumns and ShiftRows are constant permutations (.Lk_mc_forward/backward rotate
// the columns, the rows' offsets advance one step a round; .Lk_sr undoes that at the
// end), written as swizzles with constant masks (i8x16.shuffle measured slower: V8
// rebuilds each mask; docs/engine-performance.md).
import { K, row } from "./vpaes.mjs";

const list = (a) => Array.from(a).join(", ");
const TABLES = ["inv", "inva", "iptlo", "ipthi", "sb1u", "sb1t", "sb2u", "sb2t", "sbou", "sbot"];
const at = (name) => 16 * TABLES.indexOf(name);
const perm = (x, mask) => `i8x16.swizzle(${x}, i8x16(${list(mask)}))`;
const load = (name) => `v128.load(VT, ${at(name)})`;

/** SubBytes up to the inversion: io and jo index the output tables. */
const invert = (b) => [
  `const i${b} = v128.and(i32x4.shr_u(x${b}, 4), M), k${b} = v128.and(x${b}, M);`,
  `const ak${b} = i8x16.swizzle(INVA, k${b}), j${b} = v128.xor(k${b}, i${b});`,
  `const iak${b} = v128.xor(i8x16.swizzle(INV, i${b}), ak${b});`,
  `const jak${b} = v128.xor(i8x16.swizzle(INV, j${b}), ak${b});`,
  `const io${b} = v128.xor(i8x16.swizzle(INV, iak${b}), j${b});`,
  `const jo${b} = v128.xor(i8x16.swizzle(INV, jak${b}), i${b});`,
];

/** Round r (1..13): A = S(x) + key, x = MixColumns(A) as in _vpaes_encrypt_core. */
const round = (r) => (b) => {
  const f = row(K.mcf, r % 4), bk = row(K.mcb, r % 4);
  return [...invert(b),
    `const A${b} = v128.xor(v128.xor(i8x16.swizzle(SB1U, io${b}), i8x16.swizzle(SB1T, jo${b})), kr);`,
    `const B${b} = v128.xor(v128.xor(i8x16.swizzle(SB2U, io${b}), i8x16.swizzle(SB2T, jo${b})), ${perm(`A${b}`, f)});`,
    `const D${b} = v128.xor(B${b}, ${perm(`A${b}`, bk)});`,
    `x${b} = v128.xor(${perm(`B${b}`, f)}, D${b});`];
};
const first = (b) => [`x${b} = v128.xor(v128.xor(i8x16.swizzle(IPTL, v128.and(x${b}, M)), i8x16.swizzle(IPTH, v128.and(i32x4.shr_u(x${b}, 4), M))), kr);`];
const last = (b) => [...invert(b),
  `x${b} = ${perm(`v128.xor(v128.xor(i8x16.swizzle(SBOU, io${b}), i8x16.swizzle(SBOT, jo${b})), kr)`, row(K.sr, 14 % 4))};`];

/** The 14 rounds on x0..x{N-1}, statement k of every block before statement k + 1. */
function encrypt(N) {
  const blocks = [...Array(N).keys()];
  const emit = (title, r, per, extra = "") => {
    const lines = blocks.map(per);
    return `    { // ${title}\n      const kr = v128.load(rk, ${16 * r});${extra}\n` +
      lines[0].map((_, k) => "      " + blocks.map((b) => lines[b][k]).join(" ") + "\n").join("") + "    }\n";
  };
  let s = emit("round 0: input transform", 0, first, ` const IPTL = ${load("iptlo")}, IPTH = ${load("ipthi")};`);
  for (let r = 1; r <= 13; r++) s += emit(`round ${r}`, r, round(r));
  return s + emit("round 14: S-box output and ShiftRows", 14, last, ` const SBOU = ${load("sbou")}, SBOT = ${load("sbot")};`);
}

function kernels(N) {
  const blocks = [...Array(N).keys()], each = (f) => blocks.map(f).join(" ");
  const tables = `  const M = i8x16.splat(0x0f), INV = ${load("inv")}, INVA = ${load("inva")};
  const SB1U = ${load("sb1u")}, SB1T = ${load("sb1t")}, SB2U = ${load("sb2u")}, SB2T = ${load("sb2t")};\n`;
  return `
/** CTR over nblocks (a multiple of ${N}) blocks at p, ${N} at a time. */
export function vp_ctr${N}(rk: usize, iv: usize, p: usize, nblocks: u32): void {
${tables}  const base = v128.load(iv);
  let c = bswap<u32>(i32x4.extract_lane(base, 3));
  for (let n: u32 = 0; n < nblocks; n += ${N}, p += ${16 * N}, c += ${N}) {
    ${each((b) => `let x${b} = i32x4.replace_lane(base, 3, bswap<u32>(c + ${b}));`)}
${encrypt(N)}    ${each((b) => `v128.store(p, v128.xor(v128.load(p, ${16 * b}), x${b}), ${16 * b});`)}
  }
}

/** ECB encryption in place of nblocks (a multiple of ${N}) blocks at p. */
export function vp_ecb${N}(rk: usize, p: usize, nblocks: u32): void {
${tables}  for (let n: u32 = 0; n < nblocks; n += ${N}, p += ${16 * N}) {
    ${each((b) => `let x${b} = v128.load(p, ${16 * b});`)}
${encrypt(N)}    ${each((b) => `v128.store(p, x${b}, ${16 * b});`)}
  }
}
`;
}

/** Source files (name -> text) for interleaving factors ns. */
export function generate(ns) {
  const vpaes = `// GENERATED by bench/experiments/vpaes/gen.mjs: vpaes AES-256 encryption (Hamburg, CHES 2009).
const VT: usize = memory.data<u8>([${list(TABLES.flatMap((t) => [...K[t]]))}], 16);
${ns.map(kernels).join("")}`;
  const eight = [...Array(8).keys()];
  const driver = `// GENERATED by bench/experiments/vpaes/gen.mjs: entry point of the experiment's wasm.
import { encrypt8 } from "./assembly/aes";
import { AES_SCRATCH } from "./assembly/layout";
export { expandKey } from "./assembly/aes_key";
export * from "./vpaes";

const S: usize = AES_SCRATCH + 1024; // 128 bytes, as gcm.ts's BATCH

/** Our bitsliced AES-256 in CTR over nblocks (a multiple of 8) blocks at p, as gcm.ts's batch() makes keystream. */
export function ours_ctr(rk: usize, iv: usize, p: usize, nblocks: u32): void {
  const base = v128.load(iv);
  let c = bswap<u32>(i32x4.extract_lane(base, 3));
  for (let n: u32 = 0; n < nblocks; n += 8, p += 128, c += 8) {
${eight.map((i) => `    v128.store(S, i32x4.replace_lane(base, 3, bswap<u32>(c + ${i})), ${16 * i});\n`).join("")}    encrypt8(rk, S);
${eight.map((i) => `    v128.store(p, v128.xor(v128.load(p, ${16 * i}), v128.load(S, ${16 * i})), ${16 * i});\n`).join("")}  }
}
`;
  return { "vpaes.ts": vpaes, "driver.ts": driver };
}
