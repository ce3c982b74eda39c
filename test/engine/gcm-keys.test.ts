// Key setup paths of Aes256Gcm: prepared IVs (E(K, J0) computed in the key-setup
// AES batch), rekey() / clear() reuse of one object, sealInto() / openInto(), and
// the key expansion itself against node:crypto over many random keys.
import { createCipheriv, randomBytes as nodeRandom } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Aes256Gcm, AuthenticationError } from "../../src/engine/aes256gcm.js";
import { slotsInUse } from "../../src/engine/slots.js";
import { engine } from "../../src/engine/wasm.js";
import { hex, readRsp, toHex } from "../helpers/rsp.js";

const vectors = (name: string) => new URL(`../vectors/${name}`, import.meta.url);

function nodeSeal(key: Uint8Array, iv: Uint8Array, pt: Uint8Array, aad: Uint8Array, tagLength = 16): string {
  const c = createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagLength });
  c.setAAD(aad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]).toString("hex");
}

function frameIv(seq: number): Uint8Array {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, seq);
  return iv;
}

/** Slot offset of the prepared IVs (round keys 1,920 + GHASH table 512) and their size (7 × 32). */
const PRESETS = 1920 + 512;
const PRESETS_SIZE = 7 * 32;

describe("key expansion", () => {
  it("4,096 random keys encrypt blocks exactly as node:crypto's AES-256-ECB", () => {
    const e = engine();
    const gcm = new Aes256Gcm(new Uint8Array(32));
    const blocks = nodeRandom(16 * 9);
    for (let i = 0; i < 4096; i++) {
      const key = nodeRandom(32);
      gcm.rekey(key);
      e.mem().set(blocks, e.WINDOW);
      e.x.aes256_encrypt_blocks(gcm.slot, e.WINDOW, 9);
      const c = createCipheriv("aes-256-ecb", key, null).setAutoPadding(false);
      expect(toHex(e.mem().slice(e.WINDOW, e.WINDOW + blocks.length)), `key ${toHex(key)}`).toBe(toHex(c.update(blocks)));
    }
    gcm.destroy();
  });
});

describe("prepared IVs", () => {
  it("NIST gcmEncryptExtIV256 (96-bit IVs): the same results with the IV prepared, on one rekeyed object", () => {
    const cases = readRsp(vectors("gcm/gcmEncryptExtIV256.rsp")).filter(({ fields: f }) => f.IV.length === 24);
    expect(cases.length).toBeGreaterThan(1000);
    const gcm = new Aes256Gcm(new Uint8Array(32));
    for (const { fields: f } of cases) {
      const [key, iv, pt, aad] = [hex(f.Key), hex(f.IV), hex(f.PT), hex(f.AAD)];
      const tagLength = f.Tag.length / 2;
      gcm.rekey(key, { ivs: [frameIv(7), iv] });
      const sealed = gcm.seal(iv, pt, aad, tagLength);
      expect(toHex(sealed)).toBe(f.CT + f.Tag);
      gcm.rekey(key, { ivs: [iv] });
      expect(toHex(gcm.open(iv, sealed, aad, tagLength))).toBe(f.PT);
    }
    gcm.destroy();
  });

  it("agrees with node:crypto at every length around the 8-block batches, first and repeated use, streamed too", () => {
    const key = nodeRandom(32);
    const aad = nodeRandom(37);
    const ivs = [new Uint8Array(12), ...[1, 2, 3, 4, 5, 6].map(frameIv)];
    for (const n of [0, 1, 15, 16, 17, 112, 127, 128, 129, 255, 256, 1000, 1024, 4096, 4097]) {
      const pt = nodeRandom(n);
      const gcm = new Aes256Gcm(key, { ivs });
      for (const iv of ivs) {
        const want = nodeSeal(key, iv, pt, aad);
        expect(toHex(gcm.seal(iv, pt, aad)), `${n} bytes`).toBe(want); // prepared
        expect(toHex(gcm.seal(iv, pt, aad)), `${n} bytes again`).toBe(want); // used up: computed as usual
      }
      gcm.rekey(key, { ivs });
      for (const iv of ivs) {
        const enc = gcm.encryptor(iv, aad);
        const parts = [enc.update(pt.subarray(0, n >> 1)), enc.update(pt.subarray(n >> 1)), enc.final()];
        expect(toHex(Buffer.concat(parts))).toBe(nodeSeal(key, iv, pt, aad));
      }
      gcm.rekey(key, { ivs });
      for (const iv of ivs) expect(toHex(gcm.open(iv, Buffer.from(nodeSeal(key, iv, pt, aad), "hex"), aad))).toBe(toHex(pt));
      gcm.destroy();
    }
  });

  it("a prepared entry is wiped when used; other IVs, non-96-bit IVs and failed opens behave as before", () => {
    const e = engine();
    const key = nodeRandom(32);
    const a = frameIv(1);
    const b = frameIv(2);
    const gcm = new Aes256Gcm(key, { ivs: [a, b] });
    const presets = () => e.mem().slice(gcm.slot + PRESETS, gcm.slot + PRESETS + PRESETS_SIZE);
    expect(presets().subarray(0, 64).some((x) => x !== 0)).toBe(true);
    expect(presets().subarray(64).every((x) => x === 0)).toBe(true);
    const forged = Buffer.from(nodeSeal(key, a, nodeRandom(40), new Uint8Array(0)), "hex");
    forged[3] ^= 1;
    expect(() => gcm.open(a, forged)).toThrow(AuthenticationError);
    expect(presets().subarray(0, 32).every((x) => x === 0)).toBe(true); // used (by the failed open)
    expect(presets().subarray(32, 64).some((x) => x !== 0)).toBe(true);
    const pt = nodeRandom(64);
    for (const iv of [frameIv(3), nodeRandom(1), nodeRandom(16), nodeRandom(60)]) {
      expect(toHex(gcm.seal(iv, pt))).toBe(nodeSeal(key, iv, pt, new Uint8Array(0)));
    }
    expect(toHex(gcm.seal(b, pt))).toBe(nodeSeal(key, b, pt, new Uint8Array(0)));
    expect(presets().every((x) => x === 0)).toBe(true);
    gcm.destroy();
  });

  it("checks the options", () => {
    const key = new Uint8Array(32);
    expect(() => new Aes256Gcm(key, { ivs: Array.from({ length: 8 }, () => new Uint8Array(12)) })).toThrow(/at most 7 ivs/);
    expect(() => new Aes256Gcm(key, { ivs: [new Uint8Array(16)] })).toThrow(/each of ivs must be 12 bytes, got 16/);
    expect(() => new Aes256Gcm(key, { ivs: "iv" as never })).toThrow(TypeError);
    expect(() => new Aes256Gcm(key, { ivs: [[0]] as never })).toThrow(TypeError);
    expect(() => new Aes256Gcm(key, 5 as never)).toThrow(TypeError);
    const gcm = new Aes256Gcm(key, {});
    expect(() => gcm.rekey(new Uint8Array(31))).toThrow("Aes256Gcm.rekey: key must be 32 bytes, got 31");
    gcm.destroy();
  });
});

describe("rekey and clear", () => {
  it("clear() wipes the slot and blocks use until rekey(); rekey() replaces the key in the same slot", () => {
    const e = engine();
    const before = slotsInUse();
    const [k1, k2] = [nodeRandom(32), nodeRandom(32)];
    const iv = nodeRandom(12);
    const pt = nodeRandom(100);
    const gcm = new Aes256Gcm(k1, { ivs: [iv] });
    const slot = gcm.slot;
    gcm.clear();
    gcm.clear(); // idempotent
    expect(e.mem().subarray(slot, slot + e.SLOT_SIZE).every((b) => b === 0)).toBe(true);
    expect(() => gcm.seal(iv, pt)).toThrow(/used after clear\(\)/);
    expect(() => gcm.encryptor(iv)).toThrow(/used after clear\(\)/);
    expect(gcm.destroyed).toBe(false);
    gcm.rekey(k2);
    expect(gcm.slot).toBe(slot);
    expect(slotsInUse()).toBe(before + 1);
    expect(toHex(gcm.seal(iv, pt))).toBe(nodeSeal(k2, iv, pt, new Uint8Array(0)));
    gcm.rekey(k1);
    expect(toHex(gcm.seal(iv, pt))).toBe(nodeSeal(k1, iv, pt, new Uint8Array(0)));
    gcm.destroy();
    expect(() => gcm.rekey(k1)).toThrow(/used after destroy/);
    gcm.clear(); // a no-op after destroy
    expect(slotsInUse()).toBe(before);
  });

  it("rekey() wipes the old key state first: nothing of it is left in the slot", () => {
    const e = engine();
    const gcm = new Aes256Gcm(nodeRandom(32), { ivs: [new Uint8Array(12), frameIv(1), frameIv(2)] });
    const slot = gcm.slot;
    gcm.rekey(nodeRandom(32)); // no prepared IVs this time
    const after = e.mem().slice(slot, slot + e.SLOT_SIZE);
    expect(after.subarray(PRESETS).every((b) => b === 0)).toBe(true);
    // The same key with a fresh object gives the same slot contents: nothing else survives.
    const key = nodeRandom(32);
    gcm.rekey(key);
    const fresh = new Aes256Gcm(key);
    expect(toHex(e.mem().slice(slot, slot + e.SLOT_SIZE))).toBe(toHex(e.mem().slice(fresh.slot, fresh.slot + e.SLOT_SIZE)));
    fresh.destroy();
    gcm.destroy();
  });

  it("streams started under the old key refuse to go on after clear() or rekey()", () => {
    const gcm = new Aes256Gcm(nodeRandom(32));
    const enc = gcm.encryptor(new Uint8Array(12));
    const dec = gcm.decryptor(new Uint8Array(12));
    gcm.rekey(nodeRandom(32));
    expect(() => enc.update(new Uint8Array(3))).toThrow(/cleared or rekeyed/);
    expect(() => dec.final(new Uint8Array(16))).toThrow(/cleared or rekeyed/);
    const enc2 = gcm.encryptor(new Uint8Array(12));
    gcm.clear();
    expect(() => enc2.final()).toThrow(/cleared or rekeyed/);
    gcm.destroy();
  });
});

describe("sealInto", () => {
  it("writes exactly what seal returns, at an offset, for short and window-sized messages", () => {
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    const e = engine();
    for (const n of [0, 1, 1024, e.WINDOW_SIZE + 1000]) {
      const iv = nodeRandom(12);
      const pt = nodeRandom(n);
      const aad = nodeRandom(20);
      const out = new Uint8Array(n + 16 + 10).fill(0xee);
      expect(gcm.sealInto(iv, pt, aad, out, 7)).toBe(n + 16);
      expect(toHex(out.subarray(7, 7 + n + 16))).toBe(nodeSeal(key, iv, pt, aad));
      expect(toHex(out.subarray(0, 7))).toBe("ee".repeat(7));
      expect(toHex(out.subarray(7 + n + 16))).toBe("ee".repeat(3));
    }
    gcm.destroy();
  });

  it("encrypts in place, with the AAD in the same array; refuses other overlaps it cannot handle, and short outputs", () => {
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    const e = engine();
    for (const n of [100, e.WINDOW_SIZE + 100]) {
      const iv = nodeRandom(12);
      const buf = new Uint8Array(32 + n + 16);
      buf.set(nodeRandom(32 + n));
      const aad = buf.slice(0, 32);
      const pt = buf.slice(32, 32 + n);
      gcm.sealInto(iv, buf.subarray(32, 32 + n), buf.subarray(0, 32), buf, 32);
      expect(toHex(buf.subarray(32))).toBe(nodeSeal(key, iv, pt, aad));
    }
    const big = new Uint8Array(e.WINDOW_SIZE + 200);
    expect(() => gcm.sealInto(new Uint8Array(12), big.subarray(0, e.WINDOW_SIZE + 100), undefined, big, 50)).toThrow(/overlaps the plaintext/);
    expect(() => gcm.sealInto(new Uint8Array(12), new Uint8Array(10), undefined, new Uint8Array(30), 5)).toThrow(/output needs 26 bytes from offset 5, has 25/);
    expect(() => gcm.sealInto(new Uint8Array(12), new Uint8Array(10), undefined, new Uint8Array(30), 31)).toThrow(RangeError);
    expect(() => gcm.sealInto(new Uint8Array(12), new Uint8Array(10), undefined, [] as never)).toThrow(TypeError);
    gcm.destroy();
  });
});

describe("openInto", () => {
  const e = engine();
  /** Sizes on both sides of the one-call limit (IV 12 + AAD 20 + n + tag 16 ≤ WINDOW_SIZE) and streamed ones. */
  const oneCallMax = e.WINDOW_SIZE - 12 - 20 - 16;
  const windowSizes = [oneCallMax - 1, oneCallMax, oneCallMax + 1, e.WINDOW_SIZE + 1000, 2 * e.WINDOW_SIZE + 5];
  const isOneCall = (n: number) => n <= oneCallMax;
  const wiped = () => e.mem().subarray(e.WINDOW, e.WINDOW + e.WINDOW_SIZE).every((b) => b === 0);

  it("decrypts what node:crypto sealed, at offsets 0 and 7, lengths 0..80 and around the window size, every tag length", () => {
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    const lengths = [...Array.from({ length: 81 }, (_, n) => n), 1023, 1024, 1025, ...windowSizes];
    for (const n of lengths) {
      for (const offset of [0, 7]) {
        const tagLength = [16, 15, 14, 13, 12, 8, 4][(n + offset) % 7];
        const iv = nodeRandom(12);
        const pt = nodeRandom(n);
        const aad = nodeRandom(20);
        const sealed = hex(nodeSeal(key, iv, pt, aad, tagLength));
        const out = new Uint8Array(offset + n + 3).fill(0xee);
        expect(gcm.openInto(iv, sealed, aad, out, offset, tagLength)).toBe(n);
        expect(Buffer.compare(out.subarray(offset, offset + n), pt)).toBe(0);
        expect(toHex(out.subarray(0, offset))).toBe("ee".repeat(offset));
        expect(toHex(out.subarray(offset + n))).toBe("ee".repeat(3));
      }
    }
    // The default offset, into an array of exactly the plaintext's size.
    const iv = nodeRandom(12);
    const pt = nodeRandom(100);
    const out = new Uint8Array(100);
    expect(gcm.openInto(iv, hex(nodeSeal(key, iv, pt, new Uint8Array(0))), undefined, out)).toBe(100);
    expect(toHex(out)).toBe(toHex(pt));
    gcm.destroy();
  });

  it("decrypts in place (output over the ciphertext, AAD in the same array); refuses other overlaps and short outputs", () => {
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    for (const n of [0, 100, ...windowSizes]) {
      const iv = nodeRandom(12);
      const aad = nodeRandom(32);
      const pt = nodeRandom(n);
      const buf = new Uint8Array(32 + n + 16);
      buf.set(aad);
      buf.set(hex(nodeSeal(key, iv, pt, aad)), 32);
      expect(gcm.openInto(iv, buf.subarray(32), buf.subarray(0, 32), buf, 32)).toBe(n);
      expect(toHex(buf.subarray(32, 32 + n))).toBe(toHex(pt));
    }
    const big = new Uint8Array(e.WINDOW_SIZE + 200);
    const iv = new Uint8Array(12);
    expect(() => gcm.openInto(iv, big.subarray(0, e.WINDOW_SIZE + 100), undefined, big, 50)).toThrow(/output overlaps the sealed message/);
    expect(() => gcm.openInto(iv, big.subarray(50, e.WINDOW_SIZE + 150), undefined, big, 0)).toThrow(RangeError);
    expect(() => gcm.openInto(iv, new Uint8Array(26), undefined, new Uint8Array(14), 5)).toThrow("Aes256Gcm.openInto: output needs 10 bytes from offset 5, has 9");
    expect(() => gcm.openInto(iv, new Uint8Array(26), undefined, new Uint8Array(30), 31)).toThrow(RangeError);
    expect(() => gcm.openInto(iv, new Uint8Array(15), undefined, new Uint8Array(30))).toThrow(/sealed must be at least 16 bytes/);
    expect(() => gcm.openInto(iv, new Uint8Array(26), undefined, [] as never)).toThrow(TypeError);
    expect(() => gcm.openInto(iv, new Uint8Array(26), undefined, new Uint8Array(30), 0, 11)).toThrow(/tagLength must be one of/);
    gcm.destroy();
  });

  it("a failed tag leaves the output untouched (one call) or zeroed (streamed), and the window wiped", () => {
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    for (const n of [0, 1, 100, ...windowSizes]) {
      const iv = nodeRandom(12);
      const aad = nodeRandom(20);
      const sealed = hex(nodeSeal(key, iv, nodeRandom(n), aad));
      sealed[sealed.length - 1] ^= 1;
      const out = new Uint8Array(n + 10).fill(0xee);
      let result: number | undefined;
      expect(() => {
        result = gcm.openInto(iv, sealed, aad, out, 5);
      }).toThrow(AuthenticationError);
      expect(result).toBeUndefined();
      expect(toHex(out.subarray(5, 5 + n))).toBe((isOneCall(n) ? "ee" : "00").repeat(n));
      expect(toHex(out.subarray(0, 5)) + toHex(out.subarray(5 + n))).toBe("ee".repeat(10));
      expect(wiped()).toBe(true);
    }
    gcm.destroy();
  });

  it("into a SharedArrayBuffer: works, and a failure leaves nothing there (streamed plaintext goes through a private array)", () => {
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    for (const n of [100, ...windowSizes]) {
      const iv = nodeRandom(12);
      const pt = nodeRandom(n);
      const sealed = hex(nodeSeal(key, iv, pt, new Uint8Array(0)));
      const out = new Uint8Array(new SharedArrayBuffer(n + 8)).fill(0xee);
      expect(gcm.openInto(iv, sealed, undefined, out, 4)).toBe(n);
      expect(Buffer.compare(out.subarray(4, 4 + n), pt)).toBe(0);
      expect(toHex(out.subarray(0, 4)) + toHex(out.subarray(4 + n))).toBe("ee".repeat(8));
      out.fill(0xee);
      sealed[0] ^= 1;
      expect(() => gcm.openInto(iv, sealed, undefined, out, 4)).toThrow(AuthenticationError);
      expect(out.every((b) => b === 0xee)).toBe(true);
      expect(wiped()).toBe(true);
    }
    gcm.destroy();
  });

  it("open gives exactly what openInto writes, and shares its checks", () => {
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    for (const n of [0, 33, e.WINDOW_SIZE + 1000]) {
      const iv = nodeRandom(12);
      const pt = nodeRandom(n);
      const sealed = hex(nodeSeal(key, iv, pt, new Uint8Array(0), 12));
      const opened = gcm.open(iv, sealed, undefined, 12);
      expect(opened.length).toBe(n);
      expect(opened.buffer.byteLength).toBe(n);
      expect(toHex(opened)).toBe(toHex(pt));
    }
    expect(() => gcm.open(new Uint8Array(12), new Uint8Array(15))).toThrow("Aes256Gcm.open: sealed must be at least 16 bytes (the tag), got 15");
    gcm.destroy();
  });
});
