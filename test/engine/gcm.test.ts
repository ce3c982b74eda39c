import { createCipheriv, createDecipheriv, randomBytes as nodeRandom } from "node:crypto";
import { gcm as nobleGcm } from "@noble/ciphers/aes.js";
import { describe, expect, it } from "vitest";
import { Aes256Gcm, AuthenticationError } from "../../src/engine/aes256gcm.js";
import { engine } from "../../src/engine/wasm.js";
import { slotsInUse } from "../../src/engine/slots.js";
import { hex, readRsp, toHex } from "../helpers/rsp.js";

const vectors = (name: string) => new URL(`../vectors/${name}`, import.meta.url);

function nodeSeal(key: Uint8Array, iv: Uint8Array, pt: Uint8Array, aad: Uint8Array, tagLength = 16): Uint8Array {
  const c = createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagLength });
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}

/** Splits `data` into random-length pieces (including empty ones). */
function randomChunks(data: Uint8Array, max = 200): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; ) {
    const n = Math.floor(Math.random() * max);
    out.push(data.subarray(off, off + n));
    off += n;
  }
  if (Math.random() < 0.5) out.push(new Uint8Array(0));
  return out;
}

function streamSeal(gcm: Aes256Gcm, iv: Uint8Array, pt: Uint8Array, aad: Uint8Array, chunkMax?: number): Uint8Array {
  const enc = gcm.encryptor(iv, aad);
  const parts = randomChunks(pt, chunkMax).map((c) => enc.update(c));
  const tag = enc.final();
  return new Uint8Array(Buffer.concat([...parts, tag]));
}

function streamOpen(gcm: Aes256Gcm, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array, tagLength = 16): Uint8Array {
  const dec = gcm.decryptor(iv, aad);
  const body = sealed.subarray(0, sealed.length - tagLength);
  const parts = randomChunks(body).map((c) => dec.update(c));
  dec.final(sealed.subarray(body.length));
  return new Uint8Array(Buffer.concat(parts));
}

describe("NIST CAVP AES-256 ECB known answers (through the bitsliced core)", () => {
  for (const file of ["ECBGFSbox256", "ECBKeySbox256", "ECBVarKey256", "ECBVarTxt256"]) {
    it(file, () => {
      const cases = readRsp(vectors(`aes-ecb/${file}.rsp`));
      expect(cases.length).toBeGreaterThan(0);
      const gcm = new Aes256Gcm(new Uint8Array(32));
      const e = engine();
      let count = 0;
      for (const { section, fields } of cases) {
        const key = hex(fields.KEY);
        const [input, expected] = "ENCRYPT" in section
          ? [hex(fields.PLAINTEXT), fields.CIPHERTEXT]
          : [hex(fields.CIPHERTEXT), fields.PLAINTEXT];
        if (!("ENCRYPT" in section)) {
          // Decryption cases: check the encryption direction of the same pair.
          e.mem().set(key, e.GCM_STAGE);
          e.x.gcm_setup(gcm.slot, e.GCM_STAGE);
          e.mem().set(hex(expected), e.WINDOW);
          e.x.aes256_encrypt_blocks(gcm.slot, e.WINDOW, 1);
          expect(toHex(e.mem().slice(e.WINDOW, e.WINDOW + 16))).toBe(toHex(input));
        } else {
          e.mem().set(key, e.GCM_STAGE);
          e.x.gcm_setup(gcm.slot, e.GCM_STAGE);
          e.mem().set(input, e.WINDOW);
          e.x.aes256_encrypt_blocks(gcm.slot, e.WINDOW, 1);
          expect(toHex(e.mem().slice(e.WINDOW, e.WINDOW + 16))).toBe(expected);
        }
        count++;
      }
      e.mem().fill(0, e.GCM_STAGE, e.GCM_STAGE + 32);
      gcm.destroy();
      expect(count).toBe(cases.length);
    });
  }

  it("encrypts many blocks at once exactly as one at a time (batch boundaries)", () => {
    const e = engine();
    const key = nodeRandom(32);
    const gcm = new Aes256Gcm(key);
    const blocks = nodeRandom(16 * 27);
    e.mem().set(blocks, e.WINDOW);
    e.x.aes256_encrypt_blocks(gcm.slot, e.WINDOW, 27);
    const c = createCipheriv("aes-256-ecb", key, null).setAutoPadding(false);
    expect(toHex(e.mem().slice(e.WINDOW, e.WINDOW + blocks.length))).toBe(toHex(c.update(blocks)));
    gcm.destroy();
  });
});

describe("NIST CAVP AES-256-GCM", () => {
  it("gcmEncryptExtIV256.rsp: every case, one-shot and streamed", () => {
    const cases = readRsp(vectors("gcm/gcmEncryptExtIV256.rsp"));
    expect(cases.length).toBe(7875);
    for (const { fields: f } of cases) {
      const gcm = new Aes256Gcm(hex(f.Key));
      const [iv, pt, aad, ct, tag] = [hex(f.IV), hex(f.PT), hex(f.AAD), f.CT, f.Tag];
      const tagLength = tag.length / 2;
      const sealed = gcm.seal(iv, pt, aad, tagLength);
      expect(toHex(sealed)).toBe(ct + tag);
      expect(toHex(streamSeal(gcm, iv, pt, aad, 20).subarray(0, pt.length + tagLength))).toBe(ct + tag);
      expect(toHex(gcm.open(iv, sealed, aad, tagLength))).toBe(toHex(pt));
      gcm.destroy();
    }
  });

  it("gcmDecrypt256.rsp: every case; the FAIL cases are rejected with nothing released", () => {
    const cases = readRsp(vectors("gcm/gcmDecrypt256.rsp"));
    expect(cases.length).toBe(7875);
    let rejected = 0;
    for (const { fields: f } of cases) {
      const gcm = new Aes256Gcm(hex(f.Key));
      const [iv, aad, ct, tag] = [hex(f.IV), hex(f.AAD), hex(f.CT), hex(f.Tag)];
      const sealed = new Uint8Array([...ct, ...tag]);
      if ("FAIL" in f) {
        expect(() => gcm.open(iv, sealed, aad, tag.length)).toThrow(AuthenticationError);
        expect(() => streamOpen(gcm, iv, sealed, aad, tag.length)).toThrow(AuthenticationError);
        rejected++;
      } else {
        expect(toHex(gcm.open(iv, sealed, aad, tag.length))).toBe(f.PT);
        expect(toHex(streamOpen(gcm, iv, sealed, aad, tag.length))).toBe(f.PT);
      }
      gcm.destroy();
    }
    expect(rejected).toBe(3919);
  });
});

describe("differential against node:crypto", () => {
  // Lengths 0..64, both sides of every multiple of 16 up to 1,100, and random ones.
  const lengths: number[] = [];
  for (let n = 0; n <= 64; n++) lengths.push(n);
  for (let m = 80; m <= 1100; m += 16) lengths.push(m - 1, m, m + 1);
  for (let i = 0; i < 40; i++) lengths.push(Math.floor(Math.random() * 1101));

  it("≥ 20,000 random cases: keys, 12-byte and odd IVs, AAD and plaintext lengths 0..1,100", () => {
    let cases = 0;
    const ivLengths = [12, 12, 12, 1, 8, 13, 16, 17, 31, 64];
    while (cases < 20_000) {
      const key = nodeRandom(32);
      const gcm = new Aes256Gcm(key);
      for (let k = 0; k < 50; k++, cases++) {
        const ptLen = lengths[(cases * 7 + k) % lengths.length];
        const aadLen = lengths[(cases * 13 + 5) % lengths.length];
        const iv = nodeRandom(ivLengths[cases % ivLengths.length]);
        const pt = nodeRandom(ptLen);
        const aad = nodeRandom(aadLen);
        const tagLength = cases % 11 === 0 ? [4, 8, 12, 13, 14, 15][cases % 6] : 16;
        const expected = toHex(nodeSeal(key, iv, pt, aad, tagLength));
        const sealed = gcm.seal(iv, pt, aad, tagLength);
        expect(toHex(sealed)).toBe(expected);
        expect(toHex(gcm.open(iv, sealed, aad, tagLength))).toBe(toHex(pt));
        if (k % 5 === 0) {
          expect(toHex(streamSeal(gcm, iv, pt, aad).subarray(0, ptLen) )).toBe(expected.slice(0, ptLen * 2));
          expect(toHex(streamOpen(gcm, iv, sealed, aad, tagLength))).toBe(toHex(pt));
        }
      }
      gcm.destroy();
    }
    expect(cases).toBeGreaterThanOrEqual(20_000);
  });

  it("1 MiB and larger-than-window messages, one-shot and streamed in random chunks", () => {
    const e = engine();
    for (const size of [1 << 20, e.WINDOW_SIZE - 45, e.WINDOW_SIZE + 17, 3 * e.WINDOW_SIZE + 5]) {
      const key = nodeRandom(32);
      const iv = nodeRandom(size % 2 ? 12 : 60);
      const pt = nodeRandom(size);
      const aad = nodeRandom(size === 1 << 20 ? 33 : e.WINDOW_SIZE + 3);
      const gcm = new Aes256Gcm(key);
      const expected = nodeSeal(key, iv, pt, aad);
      const sealed = gcm.seal(iv, pt, aad);
      expect(Buffer.compare(sealed, expected)).toBe(0);
      expect(Buffer.compare(gcm.open(iv, sealed, aad), pt)).toBe(0);
      expect(Buffer.compare(streamSeal(gcm, iv, pt, aad, 70_000), expected)).toBe(0);
      const d = createDecipheriv("aes-256-gcm", key, iv);
      d.setAAD(aad);
      d.setAuthTag(sealed.subarray(size));
      expect(Buffer.compare(Buffer.concat([d.update(sealed.subarray(0, size)), d.final()]), pt)).toBe(0);
      gcm.destroy();
    }
  });

  it("a very long IV goes through the window in pieces", () => {
    const e = engine();
    const key = nodeRandom(32);
    const iv = nodeRandom(e.WINDOW_SIZE * 2 + 9);
    const pt = nodeRandom(100);
    const gcm = new Aes256Gcm(key);
    // node:crypto refuses IVs this long; @noble/ciphers takes any length.
    expect(toHex(gcm.seal(iv, pt))).toBe(toHex(nobleGcm(key, iv).encrypt(pt)));
    gcm.destroy();
  });
});

describe("tampering", () => {
  for (const ivLength of [12, 7]) {
    it(`flipping any single bit of ciphertext, tag, IV or AAD fails (IV ${ivLength} bytes)`, () => {
      const gcm = new Aes256Gcm(nodeRandom(32));
      const iv = nodeRandom(ivLength);
      const aad = nodeRandom(21);
      const pt = nodeRandom(37);
      const sealed = gcm.seal(iv, pt, aad);
      const e = engine();
      let flips = 0;
      const flip = (buf: Uint8Array, bit: number) => {
        const c = new Uint8Array(buf); // a copy (Buffer#slice would alias)
        c[bit >> 3] ^= 1 << (bit & 7);
        return c;
      };
      const expectRejected = (f: () => Uint8Array) => {
        let result: Uint8Array | undefined;
        expect(() => {
          result = f();
        }).toThrow(AuthenticationError);
        expect(result).toBeUndefined();
        // Nothing of the plaintext remains in the I/O window.
        expect(e.mem().subarray(e.WINDOW, e.WINDOW + 256).every((b) => b === 0)).toBe(true);
        flips++;
      };
      for (let bit = 0; bit < sealed.length * 8; bit++) expectRejected(() => gcm.open(iv, flip(sealed, bit), aad));
      for (let bit = 0; bit < iv.length * 8; bit++) expectRejected(() => gcm.open(flip(iv, bit), sealed, aad));
      for (let bit = 0; bit < aad.length * 8; bit++) expectRejected(() => gcm.open(iv, sealed, flip(aad, bit)));
      expect(flips).toBe((sealed.length + iv.length + aad.length) * 8);
      // Truncated or extended messages, a wrong tag length and a wrong key fail too.
      expectRejected(() => gcm.open(iv, sealed.subarray(1), aad));
      expectRejected(() => gcm.open(iv, new Uint8Array([...sealed, 0]), aad));
      expectRejected(() => gcm.open(iv, sealed, aad, 12));
      expectRejected(() => new Aes256Gcm(nodeRandom(32)).open(iv, sealed, aad));
      expect(toHex(gcm.open(iv, sealed, aad))).toBe(toHex(pt));
      gcm.destroy();
    });
  }

  it("a failed large open wipes its output and the window", () => {
    const e = engine();
    const gcm = new Aes256Gcm(nodeRandom(32));
    const iv = nodeRandom(12);
    const sealed = gcm.seal(iv, nodeRandom(e.WINDOW_SIZE + 100));
    sealed[5] ^= 1;
    expect(() => gcm.open(iv, sealed)).toThrow(AuthenticationError);
    expect(e.mem().subarray(e.WINDOW, e.WINDOW + e.WINDOW_SIZE).every((b) => b === 0)).toBe(true);
    gcm.destroy();
  });
});

describe("argument checking", () => {
  const gcm = new Aes256Gcm(new Uint8Array(32));
  const iv = new Uint8Array(12);
  it("wrong types are TypeErrors", () => {
    expect(() => new Aes256Gcm("k".repeat(32) as never)).toThrow(TypeError);
    expect(() => new Aes256Gcm(Array(32).fill(0) as never)).toThrow(/key must be a Uint8Array, got an array/);
    expect(() => gcm.seal("iv" as never, new Uint8Array(1))).toThrow(TypeError);
    expect(() => gcm.seal(iv, "hello" as never)).toThrow(TypeError);
    expect(() => gcm.seal(iv, new Uint8Array(1), [1] as never)).toThrow(TypeError);
    expect(() => gcm.open(iv, null as never)).toThrow(TypeError);
    expect(() => gcm.seal(iv, new Uint8Array(1), undefined, "16" as never)).toThrow(TypeError);
  });
  it("wrong sizes are RangeErrors naming the argument", () => {
    expect(() => new Aes256Gcm(new Uint8Array(16))).toThrow("Aes256Gcm: key must be 32 bytes, got 16");
    expect(() => gcm.seal(new Uint8Array(0), new Uint8Array(1))).toThrow(/iv must be at least 1 byte/);
    expect(() => gcm.seal(iv, new Uint8Array(1), undefined, 11)).toThrow(/tagLength must be one of 16, 15, 14, 13, 12, 8, 4, got 11/);
    expect(() => gcm.open(iv, new Uint8Array(15))).toThrow(/sealed must be at least 16 bytes/);
    const dec = gcm.decryptor(iv);
    expect(() => dec.final(new Uint8Array(5))).toThrow(RangeError);
  });
  it("AuthenticationError has its name", () => {
    expect(new AuthenticationError().name).toBe("AuthenticationError");
    expect(new AuthenticationError()).toBeInstanceOf(Error);
  });
});

describe("key slots", () => {
  it("100,000 live instances work; destroyed slots are reused; memory growth keeps views valid", () => {
    const e = engine();
    const before = slotsInUse();
    const keys: Uint8Array[] = [];
    const gcms: Aes256Gcm[] = [];
    const iv = new Uint8Array(12);
    const pt = new TextEncoder().encode("one hundred thousand keys");
    for (let i = 0; i < 100_000; i++) {
      const key = nodeRandom(32);
      keys.push(key);
      gcms.push(new Aes256Gcm(key));
    }
    expect(slotsInUse() - before).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) {
      expect(toHex(gcms[i].seal(iv, pt))).toBe(toHex(nodeSeal(keys[i], iv, pt, new Uint8Array(0))));
    }
    const grown = e.memory.buffer.byteLength;
    for (const g of gcms) g.destroy();
    expect(slotsInUse()).toBe(before);
    for (let i = 0; i < 1000; i++) gcms[i] = new Aes256Gcm(keys[i]);
    expect(e.memory.buffer.byteLength).toBe(grown); // reused, not grown
    expect(toHex(gcms[999].seal(iv, pt))).toBe(toHex(nodeSeal(keys[999], iv, pt, new Uint8Array(0))));
    for (let i = 0; i < 1000; i++) gcms[i].destroy();
  });

  it("destroy wipes the slot; use after destroy throws", () => {
    const e = engine();
    const gcm = new Aes256Gcm(nodeRandom(32));
    const slot = gcm.slot;
    const enc = gcm.encryptor(new Uint8Array(12));
    gcm.destroy();
    gcm.destroy(); // idempotent
    expect(e.mem().subarray(slot, slot + e.SLOT_SIZE).every((b) => b === 0)).toBe(true);
    expect(() => gcm.seal(new Uint8Array(12), new Uint8Array(1))).toThrow(/used after destroy/);
    expect(() => gcm.open(new Uint8Array(12), new Uint8Array(16))).toThrow(/used after destroy/);
    expect(() => gcm.encryptor(new Uint8Array(12))).toThrow(/used after destroy/);
    expect(() => enc.update(new Uint8Array(3))).toThrow(/destroyed/);
  });

  it("a finished stream cannot be reused", () => {
    const gcm = new Aes256Gcm(nodeRandom(32));
    const enc = gcm.encryptor(new Uint8Array(12));
    enc.final();
    expect(() => enc.update(new Uint8Array(1))).toThrow(/already finished/);
    expect(() => enc.final()).toThrow(/already finished/);
    gcm.destroy();
  });
});
