// GHASH kernels (assembly/ghash.ts, assembly/ghash_ctmul64.ts) against an oracle
// written straight from NIST SP 800-38D §6.3 Algorithm 1 and §6.4 Algorithm 2.
// Needs build/engine.wasm embedded first: `node scripts/build-wasm.mjs`.
import { describe, expect, it } from "vitest";
import { engine } from "../../src/engine/wasm.js";

// ---------------------------------------------------------------------------
// Oracle: blocks are 128-bit big-endian integers, so bit x_0 (the leftmost bit
// of the block, coefficient of x^0) is integer bit 127.

const R = 0xe1n << 120n; // SP 800-38D §6.3: R = 11100001 || 0^120

/** X·Y in GF(2^128), SP 800-38D Algorithm 1, one bit at a time. */
function gfMul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 0; i < 128; i++) {
    if ((x >> BigInt(127 - i)) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

/** SP 800-38D Algorithm 2 continued from `y` over the whole 16-byte blocks of `data`. */
function ghashOracle(h: Uint8Array, y: Uint8Array, data: Uint8Array): Uint8Array {
  const hv = toBig(h);
  let acc = toBig(y);
  for (let off = 0; off < data.length; off += 16) acc = gfMul(acc ^ toBig(data.subarray(off, off + 16)), hv);
  return fromBig(acc);
}

function toBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

function fromBig(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Deterministic generator (xorshift32) so a failing case can be replayed. */
function rng(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s >>> 24;
    }
    return out;
  };
}

// ---------------------------------------------------------------------------
// Calling the kernels. Data, H and Y sit in the I/O window; the table in the
// first (test-only) key slot at the GCM table offset.

const e = engine();
const TABLE_OFFSET = 1920; // GHASH table area inside a slot: 1920..2432
const TABLE_AREA = 512;
const TABLE = e.SLOTS + TABLE_OFFSET;
const H = e.WINDOW;
const Y = e.WINDOW + 32;
const DATA = e.WINDOW + 64;
e.ensure(e.SLOTS + e.SLOT_SIZE);

function put(addr: number, bytes: Uint8Array): void {
  e.mem().set(bytes, addr);
}

function get(addr: number, n = 16): Uint8Array {
  return e.mem().slice(addr, addr + n);
}

function ghashSimd(h: Uint8Array, y: Uint8Array, data: Uint8Array): Uint8Array {
  put(H, h);
  e.x.ghash_setup(TABLE, H);
  put(Y, y);
  put(DATA, data);
  e.x.ghash_update(TABLE, Y, DATA, data.length / 16);
  return get(Y);
}

function ghashCtmul64(h: Uint8Array, y: Uint8Array, data: Uint8Array): Uint8Array {
  put(H, h);
  put(Y, y);
  put(DATA, data);
  e.x.ghash_ctmul64_update(H, Y, DATA, data.length / 16);
  return get(Y);
}

/** All three implementations agree; returns the common value. */
function agree(h: Uint8Array, y: Uint8Array, data: Uint8Array, what: string): string {
  const want = hex(ghashOracle(h, y, data));
  expect(hex(ghashCtmul64(h, y, data)), `ctmul64 ${what}`).toBe(want);
  expect(hex(ghashSimd(h, y, data)), `simd ${what}`).toBe(want);
  return want;
}

const ZERO16 = new Uint8Array(16);

// ---------------------------------------------------------------------------

describe("GHASH oracle", () => {
  it("multiplies by 1 (the block 0x80 00…) as the identity, and x·x = x^2", () => {
    const one = unhex("80000000000000000000000000000000");
    const v = toBig(unhex("0123456789abcdeffedcba9876543210"));
    expect(gfMul(toBig(one), v)).toBe(v);
    expect(gfMul(v, toBig(one))).toBe(v);
    const x = toBig(unhex("40000000000000000000000000000000"));
    expect(hex(fromBig(gfMul(x, x)))).toBe("20000000000000000000000000000000");
    // x^127 · x = x^128 = 1 + x + x^2 + x^7
    expect(hex(fromBig(gfMul(1n, x)))).toBe("e1000000000000000000000000000000");
  });
});

describe("GHASH kernels: known GCM values", () => {
  // NIST GCM test case 14 (McGrew & Viega, "The Galois/Counter Mode of Operation",
  // AES-256, K = 0^256, IV = 0^96, P = 0^128): H = E(K, 0^128), C, tag; E(K, J0)
  // recomputed with node:crypto's AES-256-ECB. The tag is GHASH(H, C ‖ len) xor E(K, J0).
  const h = unhex("dc95c078a2408989ad48a21492842087");
  const c = unhex("cea7403d4d606b6e074ec5d3baf39d18");
  const lenBlock = unhex("00000000000000000000000000000080"); // len(A) = 0, len(C) = 128 bits
  const tag = unhex("d0d1c8a799996bf0265b98b5d48ab919");
  const ej0 = unhex("530f8afbc74536b9a963b4f1c4cb738b");
  const s = hex(tag.map((b, i) => b ^ ej0[i]));

  it("test case 14: GHASH(H, C ‖ len) = tag xor E(K, J0)", () => {
    const data = new Uint8Array(32);
    data.set(c, 0);
    data.set(lenBlock, 16);
    expect(agree(h, ZERO16, data, "TC14")).toBe(s);
  });

  it("test case 13 (empty message): GHASH(H, len) is zero", () => {
    expect(agree(h, ZERO16, new Uint8Array(16), "TC13")).toBe("00000000000000000000000000000000");
  });

  it("the result does not depend on how the blocks are split across calls", () => {
    const data = new Uint8Array(32);
    data.set(c, 0);
    data.set(lenBlock, 16);
    const first = ghashSimd(h, ZERO16, data.subarray(0, 16));
    expect(hex(ghashSimd(h, first, data.subarray(16)))).toBe(s);
    const first64 = ghashCtmul64(h, ZERO16, data.subarray(0, 16));
    expect(hex(ghashCtmul64(h, first64, data.subarray(16)))).toBe(s);
  });
});

describe("GHASH kernels agree with the oracle", () => {
  it("random H, Y and data, nblocks 0..40 (several hundred cases)", () => {
    const rand = rng(0x9e3779b9);
    let cases = 0;
    for (let round = 0; round < 8; round++) {
      for (let n = 0; n <= 40; n++) {
        agree(rand(16), rand(16), rand(16 * n), `round ${round} nblocks ${n}`);
        cases++;
      }
    }
    expect(cases).toBe(328);
  });

  it("H = 0, H = 1 (0x80 00…), H = all ones", () => {
    const rand = rng(7);
    const hs = [ZERO16, unhex("80000000000000000000000000000000"), new Uint8Array(16).fill(0xff)];
    for (const h of hs) {
      for (const n of [0, 1, 2, 3, 17]) agree(h, rand(16), rand(16 * n), `H=${hex(h)} nblocks ${n}`);
    }
    // Multiplying by 1 leaves Y xor X unchanged; by 0 gives 0.
    const y = rand(16);
    expect(hex(ghashSimd(hs[1], y, ZERO16))).toBe(hex(y));
    expect(hex(ghashSimd(hs[0], y, rand(16)))).toBe("00000000000000000000000000000000");
  });

  it("Y with a single bit set at each of the 128 positions, and the same for X and H", () => {
    const rand = rng(12345);
    const hRand = rand(16);
    const ones = new Uint8Array(16).fill(0xff);
    for (let bit = 0; bit < 128; bit++) {
      const single = new Uint8Array(16);
      single[bit >> 3] = 0x80 >> (bit & 7);
      agree(hRand, single, ZERO16, `Y bit ${bit}`); // Y·H
      agree(ones, single, ZERO16, `Y bit ${bit}, H all ones`);
      agree(hRand, ZERO16, single, `X bit ${bit}`);
      agree(single, ones, ZERO16, `H bit ${bit}`);
    }
  });

  it("Y and X all ones, long runs", () => {
    const rand = rng(99);
    agree(rand(16), new Uint8Array(16).fill(0xff), new Uint8Array(16 * 64).fill(0xff), "all ones");
    agree(rand(16), rand(16), rand(16 * 256), "256 blocks");
  });
});

describe("GHASH kernels touch only their own memory", () => {
  it("ghash_setup writes only its 512-byte table and wipes its scratch", () => {
    const m = e.mem();
    const before = TABLE - 64;
    m.fill(0xa5, before, TABLE + TABLE_AREA + 64);
    put(H, unhex("dc95c078a2408989ad48a21492842087"));
    e.x.ghash_setup(TABLE, H);
    const after = e.mem();
    for (let i = before; i < TABLE; i++) expect(after[i]).toBe(0xa5);
    for (let i = TABLE + TABLE_AREA; i < TABLE + TABLE_AREA + 64; i++) expect(after[i]).toBe(0xa5);
    const scratch = (e.x.GHASH_SCRATCH as WebAssembly.Global).value as number;
    expect(after.subarray(scratch, scratch + 4096).every((b) => b === 0)).toBe(true);
  });

  it("ghash_update writes only Y", () => {
    const rand = rng(4242);
    const h = rand(16);
    const data = rand(16 * 5);
    put(H, h);
    e.x.ghash_setup(TABLE, H);
    const table = get(TABLE, TABLE_AREA);
    put(Y - 16, new Uint8Array(16).fill(0x5a));
    put(Y, ZERO16);
    put(Y + 16, h);
    put(DATA, data);
    e.x.ghash_update(TABLE, Y, DATA, 5);
    expect(hex(get(Y))).toBe(hex(ghashOracle(h, ZERO16, data)));
    expect(hex(get(Y - 16))).toBe("5a".repeat(16));
    expect(hex(get(Y + 16))).toBe(hex(h));
    expect(hex(get(DATA, data.length))).toBe(hex(data));
    expect(hex(get(TABLE, TABLE_AREA))).toBe(hex(table));
  });
});
