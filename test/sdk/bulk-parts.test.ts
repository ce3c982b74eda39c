/**
 * The parts bulk (worker) encryption is built from: prepareMessage, one
 * FrameSealer per worker, messageFooter; and for decryption parseHeader,
 * openHeader, readFramePrefix, FrameOpener. Frames sealed out of order by
 * separate sealers must still form a message the ESDK reads.
 */
import { describe, expect, it } from "vitest";
import { sha384 } from "../../src/engine/index.js";
import { FrameOpener, readFramePrefix } from "../../src/sdk/frame-opener.js";
import { FrameSealer, frameSize } from "../../src/sdk/frame-sealer.js";
import { parseHeader } from "../../src/sdk/header.js";
import { messageFooter, prepareMessage } from "../../src/sdk/message-encryptor.js";
import { openHeader } from "../../src/sdk/open-header.js";
import { decryptSettings, encryptSettings } from "../../src/sdk/options.js";
import { decrypt, encrypt, FrameAuthenticationError } from "../../src/sdk/index.js";
import { bytesEqual, concat, keyringPair, random, requireClient } from "./helpers.js";

describe("bulk encryption parts", () => {
  for (const suite of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suite.toString(16)}: two sealers, frames sealed in reverse order, read by client-node and by us`, async () => {
      const { ours, theirs } = keyringPair();
      const F = 1000;
      const plaintext = random(7 * F + 123);
      const prepared = await prepareMessage(encryptSettings(ours, { suite, frameLength: F }));
      const workers = [0, 1].map(() => new FrameSealer(prepared.contentKey, prepared.header.messageId, F));
      prepared.contentKey.fill(0);
      const count = Math.floor(plaintext.length / F) + 1;
      const frames: Uint8Array[] = new Array(count);
      for (let i = count - 1; i >= 0; i--) {
        const final = i === count - 1;
        const chunk = plaintext.subarray(i * F, final ? plaintext.length : (i + 1) * F);
        const out = new Uint8Array(frameSize(chunk.length, final));
        workers[i % 2].writeFrame(i + 1, chunk, final, out, 0);
        frames[i] = out;
      }
      workers.forEach((w) => w.destroy());
      const body = concat([prepared.headerBytes, ...frames]);
      const message = prepared.signingKey ? concat([body, messageFooter(prepared.suite, prepared.signingKey, sha384(body))]) : body;
      expect(bytesEqual((await requireClient.decrypt(theirs, message)).plaintext, plaintext)).toBe(true);
      expect(bytesEqual((await decrypt(ours, message)).plaintext, plaintext)).toBe(true);
    });
  }

  it("decryption parts: header opened once, frames opened independently and out of order", async () => {
    const { ours } = keyringPair();
    const plaintext = random(5 * 4096 + 1);
    const { result } = await encrypt(ours, plaintext);
    const parsed = parseHeader(result, 10);
    if ("needed" in parsed) throw new Error("short");
    const { contentKey } = await openHeader(decryptSettings(ours), parsed);
    // Cut the body into frames without decrypting.
    const cuts: { at: number; p: Exclude<ReturnType<typeof readFramePrefix>, { needed: number }> }[] = [];
    for (let at = parsed.length; at < result.length; ) {
      const p = readFramePrefix(result.subarray(at), parsed.header);
      if ("needed" in p) throw new Error("short");
      cuts.push({ at, p });
      at += p.total;
    }
    expect(cuts.map((c) => c.p.kind)).toEqual(["regular", "regular", "regular", "regular", "regular", "final"]);
    const opener = await FrameOpener.create(contentKey, parsed.header.messageId);
    const parts = [...cuts].reverse().map(({ at, p }) => opener.open(result.subarray(at, at + p.total), p) as Uint8Array).reverse();
    expect(bytesEqual(concat(parts), plaintext)).toBe(true);
    const bad = result.slice(cuts[0].at, cuts[0].at + cuts[0].p.total);
    bad[30] ^= 1;
    expect(() => opener.open(bad, cuts[0].p)).toThrow(FrameAuthenticationError);
    opener.destroy();
  });
});
