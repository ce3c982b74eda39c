/**
 * Per-message keys: engine keys recycled between messages (wiped on destroy,
 * rekeyed by the next message, no slot growth), and the IVs a message key
 * prepares (header IV and first frames).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Aes256Gcm } from "../../src/engine/aes256gcm.js";
import { slotsInUse } from "../../src/engine/slots.js";
import { engine } from "../../src/engine/wasm.js";
import { EngineKey } from "../../src/sdk/aes-gcm-key.js";
import { HEADER_IV, messageIvs } from "../../src/sdk/frame.js";
import { CachingMaterialsManager, decrypt, encrypt } from "../../src/sdk/index.js";
import { bytesEqual, keyringPair, random, requireClient } from "./helpers.js";

afterEach(() => vi.restoreAllMocks());

const seqOf = (iv: Uint8Array) => new DataView(iv.buffer, iv.byteOffset, 12).getUint32(8);

describe("EngineKey", () => {
  it("destroy() wipes the engine key (clear) and the next key rekeys that same object", () => {
    const cleared: Aes256Gcm[] = [];
    const rekeyed: Aes256Gcm[] = [];
    const clear = Aes256Gcm.prototype.clear;
    const rekey = Aes256Gcm.prototype.rekey;
    vi.spyOn(Aes256Gcm.prototype, "clear").mockImplementation(function (this: Aes256Gcm) {
      cleared.push(this);
      const slot = this.slot;
      clear.call(this);
      const e = engine();
      expect(e.mem().subarray(slot, slot + e.SLOT_SIZE).every((b) => b === 0)).toBe(true);
    });
    vi.spyOn(Aes256Gcm.prototype, "rekey").mockImplementation(function (this: Aes256Gcm, ...args) {
      rekeyed.push(this);
      rekey.apply(this, args);
    });
    const a = new EngineKey(random(32));
    const sealed = a.seal(new Uint8Array(12), random(10), new Uint8Array(0));
    a.destroy();
    a.destroy(); // idempotent
    expect(cleared.length).toBe(1);
    expect(() => a.seal(new Uint8Array(12), random(1), new Uint8Array(0))).toThrow(/after destroy/);
    const key = random(32);
    const b = new EngineKey(key, [new Uint8Array(12)]);
    expect(rekeyed.length).toBe(1);
    expect(rekeyed[0]).toBe(cleared[0]);
    const c = new EngineKey(key);
    expect(b.open(new Uint8Array(12), c.seal(new Uint8Array(12), sealed, new Uint8Array(0)), new Uint8Array(0))).toEqual(sealed);
    b.destroy();
    c.destroy();
  });

  it("a bad key leaves the recycled object available", () => {
    new EngineKey(random(32)).destroy();
    expect(() => new EngineKey(random(31))).toThrow(/key must be 32 bytes/);
    const k = new EngineKey(random(32));
    expect(k.destroyed).toBe(false);
    k.destroy();
  });

  it("thousands of messages, encrypted and decrypted, do not grow the engine's slots", async () => {
    const { ours } = keyringPair();
    const cmm = new CachingMaterialsManager({ keyring: ours, maxAge: 60_000 });
    const plaintext = random(1024);
    const message = (await encrypt(cmm, plaintext)).result.slice();
    const before = slotsInUse();
    for (let i = 0; i < 2000; i++) {
      await encrypt(cmm, plaintext);
      expect(bytesEqual((await decrypt(cmm, message)).plaintext, plaintext)).toBe(true);
    }
    expect(slotsInUse() - before).toBeLessThanOrEqual(2);
  });
});

describe("messageIvs", () => {
  it("the header IV, then as many frame IVs as the body can hold (at most 6)", () => {
    const F = 4096;
    const frames = (body?: number) => messageIvs(HEADER_IV, F, body).slice(1).map(seqOf);
    expect(messageIvs(HEADER_IV, F)[0]).toBe(HEADER_IV);
    expect(frames()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(frames(0)).toEqual([1]);
    expect(frames(1024 + 40)).toEqual([1]);
    expect(frames(F + 32 + 40)).toEqual([1, 2]);
    expect(frames(3 * (F + 32) + 40)).toEqual([1, 2, 3, 4]);
    expect(frames(100 * F)).toEqual([1, 2, 3, 4, 5, 6]);
    const v1Iv = random(12);
    const ivs = messageIvs(v1Iv, F, 0);
    expect(ivs[0]).toBe(v1Iv);
    expect(ivs.slice(1).map(seqOf)).toEqual([1]);
    expect(messageIvs(new Uint8Array(12), F, 0)[0]).toBe(HEADER_IV);
  });

  it("messages of 0 … 8 frames, sizes on and off the 128-byte AES batches, round-trip and open in client-node", async () => {
    const { ours, theirs } = keyringPair();
    const F = 1024;
    for (const size of [0, 128, 1000, 1024, 2048, 3 * F + 128, 5 * F, 6 * F - 1, 6 * F, 7 * F + 16, 8 * F]) {
      const plaintext = random(size);
      const { result } = await encrypt(ours, plaintext, { frameLength: F });
      expect(bytesEqual((await decrypt(ours, result)).plaintext, plaintext), `${size}`).toBe(true);
      expect(bytesEqual(new Uint8Array((await requireClient.decrypt(theirs, result)).plaintext), plaintext), `${size} there`).toBe(true);
      const theirMessage = (await requireClient.encrypt(theirs, plaintext, { frameLength: F })).result;
      expect(bytesEqual((await decrypt(ours, theirMessage)).plaintext, plaintext), `${size} theirs`).toBe(true);
    }
  });
});
