import { createHash, randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hkdf } from "../../src/engine/hkdf.js";
import { hmac } from "../../src/engine/hmac.js";
import { type HashFunction, sha224, sha256, sha384, sha512 } from "../../src/engine/sha2.js";
import { engine } from "../../src/engine/wasm.js";
import { hex, readRsp, toHex } from "../helpers/rsp.js";
import { ALGS, NOBLE } from "../helpers/sha2-oracles.js";

const VECTORS = new URL("../vectors/sha/", import.meta.url);
const OURS: Record<string, HashFunction> = { sha224, sha256, sha384, sha512 };

/** Splits `data` at random points into chunks and feeds them to a streaming hash. */
function streamed(h: HashFunction, data: Uint8Array): Uint8Array {
  const s = h.create();
  for (let off = 0; off < data.length; ) {
    const n = Math.min(data.length - off, randomInt(0, 200) === 0 ? data.length : randomInt(0, 150));
    s.update(data.subarray(off, off + n));
    off += n;
  }
  return s.digest();
}

/** The hash scratch the kernels use, and the start of the window, must be all zero between calls. */
function expectScratchWiped(): void {
  const e = engine();
  const base = e.x.HASH_SCRATCH.value as number;
  const mem = e.mem();
  expect(mem.subarray(base, base + 0x1000).some((b) => b !== 0)).toBe(false);
  expect(mem.subarray(e.WINDOW, e.WINDOW + 0x8000).some((b) => b !== 0)).toBe(false);
}

describe.each([
  ["sha256", sha256, 32],
  ["sha512", sha512, 64],
] as const)("NIST CAVP %s", (name, h, mdLen) => {
  const prefix = name.toUpperCase();

  it.each([
    ["ShortMsg", name === "sha256" ? 65 : 129],
    ["LongMsg", name === "sha256" ? 64 : 128],
  ])(`${prefix}%s: every case, one-shot and streamed`, (file, count) => {
    const cases = readRsp(new URL(`${prefix}${file}.rsp`, VECTORS));
    expect(cases).toHaveLength(count);
    const failures: string[] = [];
    for (const { section, fields } of cases) {
      expect(Number(section.L)).toBe(mdLen);
      const msg = hex(fields.Msg).subarray(0, Number(fields.Len) / 8);
      if (toHex(h(msg)) !== fields.MD) failures.push(`one-shot Len=${fields.Len}`);
      if (toHex(streamed(h, msg)) !== fields.MD) failures.push(`streamed Len=${fields.Len}`);
    }
    expect(failures).toEqual([]);
  });

  it(`${prefix}Monte: 100 checkpoints of 1000 iterations (SHAVS §6.4)`, () => {
    const cases = readRsp(new URL(`${prefix}Monte.rsp`, VECTORS));
    let seed = hex(cases[0].fields.Seed);
    const checkpoints = cases.slice(1);
    expect(checkpoints).toHaveLength(100);
    const m = new Uint8Array(3 * mdLen);
    for (const [j, { fields }] of checkpoints.entries()) {
      expect(Number(fields.COUNT)).toBe(j);
      // m holds MD(i-3) || MD(i-2) || MD(i-1).
      m.set(seed, 0);
      m.set(seed, mdLen);
      m.set(seed, 2 * mdLen);
      let md = seed;
      for (let i = 3; i < 1003; i++) {
        md = h(m);
        m.copyWithin(0, mdLen);
        m.set(md, 2 * mdLen);
      }
      expect(toHex(md), `COUNT = ${j}`).toBe(fields.MD);
      seed = md;
    }
  });
});

// test/vectors/sha has no SHA-224 files: its known answers are NIST's one- and two-block examples for
// FIPS 180-4 (CSRC "Examples with Intermediate Values", SHA224.pdf); node:crypto checks the rest below.
describe("SHA-224 FIPS 180-4 examples", () => {
  it.each([
    ["abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525",
    ],
  ])("SHA-224(%j), one-shot and streamed", (text, md) => {
    const msg = new TextEncoder().encode(text);
    expect(toHex(sha224(msg))).toBe(md);
    expect(toHex(streamed(sha224, msg))).toBe(md);
    expect([sha224.outputLen, sha224.blockLen]).toEqual([28, 64]);
    expectScratchWiped();
  });
});

describe.each(ALGS)("%s against node:crypto and @noble/hashes", (name) => {
  const h = OURS[name];

  it("every length 0..300 and random lengths up to 4 KiB", () => {
    const lengths = [...Array(301).keys(), ...Array.from({ length: 40 }, () => randomInt(301, 4097))];
    for (const len of lengths) {
      const data = randomBytes(len);
      const want = createHash(name).update(data).digest("hex");
      expect(toHex(h(data)), `length ${len}`).toBe(want);
      expect(toHex(NOBLE[name](data)), `noble, length ${len}`).toBe(want);
    }
  });

  it("streaming with random chunk splits equals one-shot", () => {
    for (let trial = 0; trial < 60; trial++) {
      const data = randomBytes(randomInt(0, 3000));
      expect(toHex(streamed(h, data)), `length ${data.length}`).toBe(toHex(h(data)));
    }
  });

  it("a message larger than the I/O window (1 MiB + 3), one-shot and in uneven chunks", () => {
    const data = randomBytes(1024 * 1024 + 3);
    expect(data.length).toBeGreaterThan(engine().WINDOW_SIZE);
    const want = createHash(name).update(data).digest("hex");
    expect(toHex(h(data))).toBe(want);
    const s = h.create();
    for (const [from, to] of [
      [0, 5],
      [5, 300_001],
      [300_001, 300_001],
      [300_001, data.length],
    ]) {
      s.update(data.subarray(from, to));
    }
    expect(toHex(s.digest())).toBe(want);
    expectScratchWiped();
  });

  it("clone() forks the state; digest() finishes the object", () => {
    const a = randomBytes(100);
    const b = randomBytes(77);
    const s = h.create().update(a);
    const fork = s.clone();
    s.update(b);
    expect(toHex(fork.digest())).toBe(createHash(name).update(a).digest("hex"));
    expect(toHex(s.digest())).toBe(createHash(name).update(a).update(b).digest("hex"));
    expect(() => s.update(a)).toThrow(Error);
    expect(() => s.update(a)).toThrow(`${name}: update() called after digest(); create a new hash`);
    expect(() => s.digest()).toThrow(/digest\(\) called after digest\(\)/);
    expect(() => s.clone()).toThrow(/clone\(\) called after digest\(\)/);
    expectScratchWiped();
  });

  it("has noble's outputLen and blockLen, on the function and on its hashes", () => {
    expect([h.outputLen, h.blockLen]).toEqual([NOBLE[name].outputLen, NOBLE[name].blockLen]);
    const s = h.create();
    expect([s.outputLen, s.blockLen]).toEqual([NOBLE[name].outputLen, NOBLE[name].blockLen]);
  });

  it("rejects non-bytes with a TypeError", () => {
    expect(() => h("abc" as never)).toThrow(new TypeError(`${name}: data must be a Uint8Array, got string`));
    expect(() => h([1, 2] as never)).toThrow(`${name}: data must be a Uint8Array, got an array`);
    expect(() => h(null as never)).toThrow(TypeError);
    expect(() => h.create().update(undefined as never)).toThrow(TypeError);
    expect(() => h(new Uint16Array(2) as never)).toThrow(TypeError);
  });
});

describe("engine ABI", () => {
  it("state sizes in the glue match the kernels' exported constants", () => {
    const { x } = engine();
    expect(x.SHA256_STATE_SIZE.value).toBe(104);
    expect(x.SHA512_STATE_SIZE.value).toBe(200);
    expect([224, 256, 384, 512].map((alg) => x.hmac_state_size(alg))).toEqual([208, 208, 400, 400]);
  });

  it("hashes, HMAC and HKDF leave the hash scratch and the window wiped", () => {
    for (const name of ALGS) {
      OURS[name](randomBytes(1000));
      OURS[name].create().update(randomBytes(10)).digest();
      hmac(name, randomBytes(200), randomBytes(300));
      hmac.create(name, randomBytes(20)).update(randomBytes(30)).clone().digest();
      hkdf(name, randomBytes(32), randomBytes(300), randomBytes(10), 255 * OURS[name].outputLen);
      hkdf.expand(name, hkdf.extract(name, randomBytes(32)), undefined, 100);
      expectScratchWiped();
    }
  });
});
