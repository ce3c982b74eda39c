import { createHmac, randomBytes, randomInt } from "node:crypto";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { describe, expect, it } from "vitest";
import { hmac } from "../../src/engine/hmac.js";
import { engine } from "../../src/engine/wasm.js";
import { hex, readRsp, toHex } from "../helpers/rsp.js";
import { ALGS, NOBLE } from "../helpers/sha2-oracles.js";

const BLOCK = { sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

describe("NIST CAVP HMAC.rsp", () => {
  const cases = readRsp(new URL("../vectors/hmac/HMAC.rsp", import.meta.url));

  it.each([
    ["sha224", "28", 375],
    ["sha256", "32", 225],
    ["sha384", "48", 300],
    ["sha512", "64", 375],
  ] as const)("%s ([L=%s]): every case, Tlen-truncated, one-shot and streamed", (alg, l, count) => {
    const section = cases.filter((c) => c.section.L === l);
    expect(section).toHaveLength(count);
    const failures: string[] = [];
    for (const { fields } of section) {
      const key = hex(fields.Key);
      const msg = hex(fields.Msg);
      expect(key.length).toBe(Number(fields.Klen));
      const want = fields.Mac;
      expect(want.length).toBe(2 * Number(fields.Tlen));
      if (!toHex(hmac(alg, key, msg)).startsWith(want)) failures.push(`one-shot Count=${fields.Count}`);
      const s = hmac.create(alg, key).update(msg.subarray(0, 7)).update(msg.subarray(7));
      if (!toHex(s.digest()).startsWith(want)) failures.push(`streamed Count=${fields.Count}`);
    }
    expect(failures).toEqual([]);
  });
});

describe.each(ALGS)("HMAC-%s against node:crypto and @noble/hashes", (alg) => {
  const b = BLOCK[alg];
  const keyLengths = [0, 1, NOBLE[alg].outputLen, b - 1, b, b + 1, 2 * b + 5, 200, 1000];

  it("key lengths 0, 1, HashLen, block-1, block, block+1 and long × every message length 0..300", () => {
    for (const kl of keyLengths) {
      const key = randomBytes(kl);
      for (let ml = 0; ml <= 300; ml++) {
        const msg = randomBytes(ml);
        const want = createHmac(alg, key).update(msg).digest("hex");
        expect(toHex(hmac(alg, key, msg)), `key ${kl}, message ${ml}`).toBe(want);
        if (ml % 10 === 0) expect(toHex(nobleHmac(NOBLE[alg], key, msg))).toBe(want);
      }
    }
  });

  it("random key and message lengths up to 4 KiB, one-shot and in random chunks", () => {
    for (let trial = 0; trial < 40; trial++) {
      const key = randomBytes(randomInt(0, 4097));
      const msg = randomBytes(randomInt(0, 4097));
      const want = createHmac(alg, key).update(msg).digest("hex");
      expect(toHex(hmac(alg, key, msg))).toBe(want);
      expect(toHex(nobleHmac(NOBLE[alg], key, msg))).toBe(want);
      const s = hmac.create(alg, key);
      for (let off = 0; off < msg.length; ) {
        const n = randomInt(0, 300);
        s.update(msg.subarray(off, off + n));
        off += n;
      }
      expect(toHex(s.digest()), `key ${key.length}, message ${msg.length}`).toBe(want);
    }
  });

  it("key and message larger than the I/O window", () => {
    const window = engine().WINDOW_SIZE;
    const bigKey = randomBytes(window + 17);
    const bigMsg = randomBytes(1024 * 1024 + 3);
    const small = randomBytes(33);
    for (const [key, msg] of [
      [bigKey, small],
      [small, bigMsg],
      [bigKey, bigMsg],
      [randomBytes(window - 10), randomBytes(20)], // fits separately, not together
    ]) {
      const want = createHmac(alg, key).update(msg).digest("hex");
      expect(toHex(hmac(alg, key, msg)), `key ${key.length}, message ${msg.length}`).toBe(want);
      expect(toHex(hmac.create(alg, key).update(msg).digest())).toBe(want);
    }
  });

  it("clone() forks a keyed HMAC; digest() finishes it", () => {
    const key = randomBytes(b + 1);
    const s = hmac.create(alg, key).update(randomBytes(0));
    const fork = s.clone().update(Uint8Array.of(1));
    s.update(Uint8Array.of(2));
    expect(toHex(fork.digest())).toBe(createHmac(alg, key).update(Uint8Array.of(1)).digest("hex"));
    expect(toHex(s.digest())).toBe(createHmac(alg, key).update(Uint8Array.of(2)).digest("hex"));
    expect(() => s.digest()).toThrow("hmac: digest() called after digest(); create a new hash");
    expect(() => fork.update(key)).toThrow(Error);
    expect([s.outputLen, s.blockLen]).toEqual([NOBLE[alg].outputLen, b]);
  });
});

describe("HMAC argument checks", () => {
  const key = new Uint8Array(16);
  const data = new Uint8Array(3);

  it("rejects unknown algorithms with a TypeError naming the accepted ones", () => {
    const accepted = 'hmac: alg must be one of "sha224", "sha256", "sha384", "sha512"';
    expect(() => hmac("md5" as never, key, data)).toThrow(new TypeError(`${accepted}, got "md5"`));
    expect(() => hmac("SHA256" as never, key, data)).toThrow(`${accepted}, got "SHA256"`);
    expect(() => hmac(undefined as never, key, data)).toThrow(`${accepted}, got undefined`);
    expect(() => hmac("toString" as never, key, data)).toThrow(TypeError);
    expect(() => hmac.create(256 as never, key)).toThrow(`${accepted}, got number`);
  });

  it("rejects keys and data that are not Uint8Arrays", () => {
    expect(() => hmac("sha256", "secret" as never, data)).toThrow(
      new TypeError("hmac: key must be a Uint8Array, got string"),
    );
    expect(() => hmac("sha256", key, [1, 2, 3] as never)).toThrow("hmac: data must be a Uint8Array, got an array");
    expect(() => hmac("sha512", key, null as never)).toThrow("hmac: data must be a Uint8Array, got null");
    expect(() => hmac.create("sha384", undefined as never)).toThrow(TypeError);
    expect(() => hmac.create("sha384", key).update("x" as never)).toThrow(TypeError);
  });
});
