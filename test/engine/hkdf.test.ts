import { hkdfSync, randomBytes, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { expand as nobleExpand, hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { describe, expect, it } from "vitest";
import { hkdf } from "../../src/engine/hkdf.js";
import { engine } from "../../src/engine/wasm.js";
import { hex, toHex } from "../helpers/rsp.js";
import { ALGS, NOBLE } from "../helpers/sha2-oracles.js";


interface Rfc5869Case {
  tcId: number;
  hash: string;
  ikm: string;
  salt: string;
  info: string;
  length: number;
  prk: string;
  okm: string;
}

function nodeHkdf(alg: string, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): string {
  return Buffer.from(hkdfSync(alg, ikm, salt, info, length)).toString("hex");
}

describe("RFC 5869 vectors (rfc5869_hkdf.json)", () => {
  const file = JSON.parse(readFileSync(new URL("../vectors/hkdf/rfc5869_hkdf.json", import.meta.url), "utf8"));
  const cases = file.tests as Rfc5869Case[];

  it("has the eight cases (A.1-A.3 SHA-256, five SHA-512)", () => {
    expect(cases.map((c) => c.tcId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.each(cases.map((c) => [c.tcId, c.hash, c] as const))("tcId %i (%s): extract, expand, combined", (_, hash, c) => {
    const alg = ALGS.find((a) => a === hash.replace("-", "").toLowerCase());
    if (alg === undefined) throw new Error(`unexpected hash ${hash}`);
    const ikm = hex(c.ikm);
    const salts = c.salt === "" ? [undefined, new Uint8Array(0), new Uint8Array(NOBLE[alg].outputLen)] : [hex(c.salt)];
    for (const salt of salts) {
      const prk = hkdf.extract(alg, ikm, salt);
      expect(toHex(prk)).toBe(c.prk);
      expect(toHex(hkdf(alg, ikm, salt, hex(c.info), c.length))).toBe(c.okm);
    }
    expect(toHex(hkdf.expand(alg, hex(c.prk), hex(c.info), c.length))).toBe(c.okm);
    if (c.info === "") expect(toHex(hkdf.expand(alg, hex(c.prk), undefined, c.length))).toBe(c.okm);
  });
});

describe.each(ALGS)("HKDF-%s against node:crypto and @noble/hashes", (alg) => {
  const h = NOBLE[alg].outputLen;
  const max = 255 * h;

  it("output lengths 1..3·HashLen+1 and the edges up to 255·HashLen", () => {
    const edges = [...Array(3 * h + 2).keys()].slice(1).concat([max - h - 1, max - h, max - 1, max]);
    for (const length of edges) {
      const ikm = randomBytes(randomInt(0, 100));
      const salt = randomBytes(randomInt(0, 200));
      const info = randomBytes(randomInt(0, 100));
      const want = nodeHkdf(alg, ikm, salt, info, length);
      expect(toHex(hkdf(alg, ikm, salt, info, length)), `length ${length}`).toBe(want);
      const prk = hkdf.extract(alg, ikm, salt);
      expect(toHex(hkdf.expand(alg, prk, info, length))).toBe(want);
      if (length % 16 === 1) expect(toHex(nobleHkdf(NOBLE[alg], ikm, salt, info, length))).toBe(want);
    }
  });

  it("info, salt and IKM lengths around the hash block boundaries × outputs of 1..3 blocks, against hkdfSync", () => {
    const block = NOBLE[alg].blockLen;
    const lenField = block / 8; // 64-bit length field in 64-byte blocks, 128-bit in 128-byte ones
    // T(1) hashes info ‖ 1 and T(i) hashes T(i-1) ‖ info ‖ i after the key block: padding needs a second
    // block once the message leaves fewer than lenField + 1 bytes free.
    const last1 = block - lenField - 1 - 1; // the longest info whose T(1) fits one block
    const lastN = last1 - h; // likewise for T(i), i > 1
    const near = (n: number) => [n - 1, n, n + 1].filter((x) => x >= 0);
    const infoLens = [...new Set([0, 1, ...near(lastN), ...near(last1), ...near(block), ...near(2 * block), 1024])];
    const keyLens = [0, 1, h, ...near(block), 2 * block + 3];
    const lengths = [1, h - 1, h, h + 1, 2 * h, 2 * h + 1, 3 * h - 1, 3 * h, 3 * h + 1];
    for (const infoLen of infoLens) {
      for (const keyLen of keyLens) {
        const info = randomBytes(infoLen);
        const salt = randomBytes(keyLen);
        const ikm = randomBytes((keyLen * 7 + infoLen) % 300);
        for (const length of lengths) {
          const want = nodeHkdf(alg, ikm, salt, info, length);
          expect(toHex(hkdf(alg, ikm, salt, info, length)), `info ${infoLen}, salt ${keyLen}, L ${length}`).toBe(want);
        }
        // IKM lengths at the block boundaries too (it is the extract message), and expand alone with a long PRK.
        const length = lengths[keyLen % lengths.length];
        const ikm2 = randomBytes(keyLen);
        expect(toHex(hkdf(alg, ikm2, info, salt, length))).toBe(nodeHkdf(alg, ikm2, info, salt, length));
        const prk = randomBytes(Math.max(h, keyLen));
        expect(toHex(hkdf.expand(alg, prk, info, length))).toBe(toHex(nobleExpand(NOBLE[alg], prk, info, length)));
      }
    }
  });

  it("random input lengths (every salt length 0..300, long PRKs for expand)", () => {
    for (let saltLen = 0; saltLen <= 300; saltLen++) {
      const ikm = randomBytes(randomInt(0, 600));
      const salt = randomBytes(saltLen);
      const info = randomBytes(randomInt(0, 1025)); // node:crypto caps info at 1024 bytes
      const length = randomInt(1, 4 * h);
      const want = nodeHkdf(alg, ikm, salt, info, length);
      expect(toHex(hkdf(alg, ikm, salt, info, length)), `salt ${saltLen}`).toBe(want);
      const prk = randomBytes(randomInt(h, 400));
      expect(toHex(hkdf.expand(alg, prk, info, length))).toBe(
        toHex(nobleExpand(NOBLE[alg], prk, info, length)),
      );
    }
  });

  it("inputs larger than the I/O window take the streaming path", () => {
    const window = engine().WINDOW_SIZE;
    const big = randomBytes(window + 5);
    const small = randomBytes(20);
    for (const [ikm, salt, info, length] of [
      [big, small, small, 42],
      [small, big, small, 42],
      [small, small, big, 3 * h + 5],
      [small, small, randomBytes(window - 2000), 2000 + h], // each fits, not all together
    ] as const) {
      const want = toHex(nobleHkdf(NOBLE[alg], ikm, salt, info, length));
      expect(toHex(hkdf(alg, ikm, salt, info, length))).toBe(want);
      expect(toHex(hkdf.expand(alg, hkdf.extract(alg, ikm, salt), info, length))).toBe(want);
    }
    const prk = randomBytes(window + 1);
    expect(toHex(hkdf.expand(alg, prk, small, 100))).toBe(toHex(nobleExpand(NOBLE[alg], prk, small, 100)));
  });

  it("rejects lengths outside 1..255·HashLen with a RangeError naming the argument", () => {
    const ikm = new Uint8Array(16);
    for (const length of [0, -1, max + 1, max === 8160 ? 9000 : 20_000]) {
      expect(() => hkdf(alg, ikm, undefined, undefined, length)).toThrow(
        new RangeError(`hkdf: length must be between 1 and ${max}, got ${length}`),
      );
      expect(() => hkdf.expand(alg, new Uint8Array(h), undefined, length)).toThrow(
        `hkdf.expand: length must be between 1 and ${max}, got ${length}`,
      );
    }
    expect(() => hkdf(alg, ikm, undefined, undefined, 1.5)).toThrow(TypeError);
    expect(() => hkdf(alg, ikm, undefined, undefined, "32" as never)).toThrow(TypeError);
  });

  it("rejects a PRK shorter than HashLen (RFC 5869 §2.3)", () => {
    expect(() => hkdf.expand(alg, new Uint8Array(h - 1), undefined, 32)).toThrow(
      new RangeError(`hkdf.expand: prk must be at least ${h} bytes, got ${h - 1}`),
    );
  });
});

describe("HKDF argument checks", () => {
  const b = new Uint8Array(32);
  const accepted = 'alg must be one of "sha224", "sha256", "sha384", "sha512"';

  it("TypeErrors for unknown algorithms and non-bytes", () => {
    expect(() => hkdf("sha1" as never, b, b, b, 32)).toThrow(new TypeError(`hkdf: ${accepted}, got "sha1"`));
    expect(() => hkdf.extract("sha3-256" as never, b)).toThrow(`hkdf.extract: ${accepted}, got "sha3-256"`);
    expect(() => hkdf.expand(null as never, b, b, 32)).toThrow(`hkdf.expand: ${accepted}, got null`);
    expect(() => hkdf("sha256", "ikm" as never, b, b, 32)).toThrow("hkdf: ikm must be a Uint8Array, got string");
    expect(() => hkdf("sha256", b, null as never, b, 32)).toThrow("hkdf: salt must be a Uint8Array, got null");
    expect(() => hkdf("sha256", b, b, [1] as never, 32)).toThrow("hkdf: info must be a Uint8Array, got an array");
    expect(() => hkdf.extract("sha256", b, "salt" as never)).toThrow(TypeError);
    expect(() => hkdf.expand("sha256", undefined as never, b, 32)).toThrow(TypeError);
  });
});

describe.each(ALGS)("hkdf.pair (one extract, two expands) with %s against node:crypto hkdfSync", (alg) => {
  const h = NOBLE[alg].outputLen;

  it("each output equals a separate HKDF, at output lengths across block boundaries", () => {
    const lengths = [1, 16, 32, h - 1, h, h + 1, 2 * h + 3];
    for (const lengthA of lengths) {
      for (const lengthB of lengths) {
        const ikm = randomBytes(randomInt(0, 200));
        const salt = randomBytes(randomInt(0, 200));
        const infoA = randomBytes(randomInt(0, 150));
        const infoB = randomBytes(randomInt(0, 150));
        const [a, b] = hkdf.pair(alg, ikm, salt, infoA, lengthA, infoB, lengthB);
        expect(toHex(a), `A ${lengthA}`).toBe(nodeHkdf(alg, ikm, salt, infoA, lengthA));
        expect(toHex(b), `B ${lengthB}`).toBe(nodeHkdf(alg, ikm, salt, infoB, lengthB));
      }
    }
  });

  it("absent salt and infos; inputs larger than the window take the streaming path", () => {
    const ikm = randomBytes(32);
    const [a, b] = hkdf.pair(alg, ikm, undefined, undefined, 20, new Uint8Array(0), 40);
    expect(toHex(a)).toBe(nodeHkdf(alg, ikm, new Uint8Array(0), new Uint8Array(0), 20));
    expect(toHex(b)).toBe(nodeHkdf(alg, ikm, new Uint8Array(0), new Uint8Array(0), 40));
    const big = randomBytes(engine().WINDOW_SIZE + 3);
    const info = randomBytes(30);
    const [c, d] = hkdf.pair(alg, big, info, info, 33, undefined, h);
    expect(toHex(c)).toBe(toHex(nobleHkdf(NOBLE[alg], big, info, info, 33)));
    expect(toHex(d)).toBe(toHex(nobleHkdf(NOBLE[alg], big, info, new Uint8Array(0), h)));
  });

  it("wipes its window and scratch", () => {
    const e = engine();
    hkdf.pair(alg, randomBytes(32), randomBytes(32), randomBytes(11), 32, randomBytes(9), 32);
    expect(e.mem().subarray(e.WINDOW, e.WINDOW + 1024).every((x) => x === 0)).toBe(true);
    expect(e.mem().subarray(e.SCRATCH, e.SCRATCH + 0x10000).every((x) => x === 0)).toBe(true);
  });

  it("checks both lengths", () => {
    const max = 255 * h;
    expect(() => hkdf.pair(alg, randomBytes(8), undefined, undefined, 0, undefined, 32)).toThrow(
      new RangeError(`hkdf.pair: lengthA must be between 1 and ${max}, got 0`),
    );
    expect(() => hkdf.pair(alg, randomBytes(8), undefined, undefined, 32, undefined, max + 1)).toThrow(
      `hkdf.pair: lengthB must be between 1 and ${max}, got ${max + 1}`,
    );
    expect(() => hkdf.pair(alg, "ikm" as never, undefined, undefined, 32, undefined, 32)).toThrow(TypeError);
  });
});
