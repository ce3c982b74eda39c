// The operations benchmarked, for wasmkms and each peer library. Shared by the
// Node benchmark and the Deno/Bun one, which pick the libraries they run.
// Before a peer is timed, its output is checked against wasmkms's: a
// benchmark of two functions that compute different things means nothing.
import * as nodeCrypto from "node:crypto";
import { gcm as nobleGcm } from "@noble/ciphers/aes.js";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256, sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import { createSHA256, createSHA512 } from "hash-wasm";
import { Aes256Gcm, hkdf, randomBytes, sha256, sha512 } from "wasmkms/engine";
import type { Suite } from "./measure.ts";

export type Lib = "wasmkms" | "node:crypto" | "WebCrypto" | "@noble/ciphers" | "@noble/hashes" | "hash-wasm";

export const GROUPS = {
  seal: "AES-256-GCM seal",
  open: "AES-256-GCM open",
  sealInto: "AES-256-GCM sealInto",
  openInto: "AES-256-GCM openInto",
  sha256: "SHA-256",
  sha512: "SHA-512",
  hkdf: "HKDF-SHA512, 32-byte output",
  keySetup: "AES-256 key setup + teardown",
} as const;

/** Results are folded into this so no engine can drop the work as dead code. */
export let sink = 0;
const consume = (bytes: Uint8Array | ArrayBuffer) => {
  sink = (sink + bytes.byteLength) | 0;
};

/** Random bytes typed as backed by a plain ArrayBuffer, as WebCrypto's BufferSource wants. */
const random = (length: number) => new Uint8Array(randomBytes(length));

function sameBytes(a: Uint8Array | ArrayBuffer, b: Uint8Array | ArrayBuffer, what: string): void {
  const x = new Uint8Array(a instanceof ArrayBuffer ? a : a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  const y = new Uint8Array(b instanceof ArrayBuffer ? b : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  if (x.length !== y.length || x.some((v, i) => v !== y[i])) throw new Error(`bench: ${what} disagrees with wasmkms`);
}

/** AES-256-GCM seal and open of `size`-byte messages: one reused key, a fresh cipher object per message where the API needs one. */
export async function addGcm(suite: Suite, size: number, libs: readonly Lib[]): Promise<void> {
  const key = random(32);
  const iv = random(12);
  const data = random(size);
  const gcm = new Aes256Gcm(key);
  const sealed = new Uint8Array(gcm.seal(iv, data));
  const ct = sealed.subarray(0, size);
  const tag = sealed.subarray(size);
  const seal = { group: GROUPS.seal, size };
  const open = { group: GROUPS.open, size };

  if (libs.includes("wasmkms")) {
    suite.add({ ...seal, lib: "wasmkms" }, () => consume(gcm.seal(iv, data)));
    suite.add({ ...open, lib: "wasmkms" }, () => consume(gcm.open(iv, sealed)));
    // The same work without a fresh result array each time (see docs/engine-performance.md): no peer has this form.
    const out = new Uint8Array(size + 16);
    sameBytes(out.subarray(0, gcm.sealInto(iv, data, undefined, out)), sealed, "wasmkms sealInto");
    sameBytes(out.subarray(0, gcm.openInto(iv, sealed, undefined, out)), data, "wasmkms openInto");
    suite.add({ group: GROUPS.sealInto, size, lib: "wasmkms" }, () => consume(out.subarray(0, gcm.sealInto(iv, data, undefined, out))));
    suite.add({ group: GROUPS.openInto, size, lib: "wasmkms" }, () => consume(out.subarray(0, gcm.openInto(iv, sealed, undefined, out))));
  }
  if (libs.includes("node:crypto")) {
    const nodeSeal = () => {
      const c = nodeCrypto.createCipheriv("aes-256-gcm", key, iv);
      const out = new Uint8Array(size + 16);
      out.set(c.update(data));
      c.final();
      out.set(c.getAuthTag(), size);
      return out;
    };
    const nodeOpen = () => {
      const d = nodeCrypto.createDecipheriv("aes-256-gcm", key, iv);
      d.setAuthTag(tag);
      const out = d.update(ct);
      d.final();
      return out;
    };
    sameBytes(nodeSeal(), sealed, "node:crypto seal");
    sameBytes(nodeOpen(), data, "node:crypto open");
    suite.add({ ...seal, lib: "node:crypto" }, () => consume(nodeSeal()));
    suite.add({ ...open, lib: "node:crypto" }, () => consume(nodeOpen()));
  }
  if (libs.includes("WebCrypto")) {
    const webKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]);
    const params = { name: "AES-GCM", iv };
    sameBytes(await crypto.subtle.encrypt(params, webKey, data), sealed, "WebCrypto seal");
    suite.addAsync({ ...seal, lib: "WebCrypto" }, async () => consume(await crypto.subtle.encrypt(params, webKey, data)));
    suite.addAsync({ ...open, lib: "WebCrypto" }, async () => consume(await crypto.subtle.decrypt(params, webKey, sealed)));
  }
  if (libs.includes("@noble/ciphers")) {
    // noble refuses to encrypt twice with one cipher object, so each message makes one, like createCipheriv.
    sameBytes(nobleGcm(key, iv).encrypt(data), sealed, "@noble/ciphers seal");
    suite.add({ ...seal, lib: "@noble/ciphers" }, () => consume(nobleGcm(key, iv).encrypt(data)));
    suite.add({ ...open, lib: "@noble/ciphers" }, () => consume(nobleGcm(key, iv).decrypt(sealed)));
  }
}

/** SHA-256 or SHA-512 of a `size`-byte message. */
export async function addSha(suite: Suite, alg: "sha256" | "sha512", size: number, libs: readonly Lib[]): Promise<void> {
  const data = random(size);
  const ours = alg === "sha256" ? sha256 : sha512;
  const expected = ours(data);
  const label = { group: GROUPS[alg], size };
  if (libs.includes("wasmkms")) suite.add({ ...label, lib: "wasmkms" }, () => consume(ours(data)));
  if (libs.includes("node:crypto")) {
    const run = () => nodeCrypto.createHash(alg).update(data).digest();
    sameBytes(run(), expected, `node:crypto ${alg}`);
    suite.add({ ...label, lib: "node:crypto" }, () => consume(run()));
  }
  if (libs.includes("@noble/hashes")) {
    const noble = alg === "sha256" ? nobleSha256 : nobleSha512;
    sameBytes(noble(data), expected, `@noble/hashes ${alg}`);
    suite.add({ ...label, lib: "@noble/hashes" }, () => consume(noble(data)));
  }
  if (libs.includes("hash-wasm")) {
    const hasher = await (alg === "sha256" ? createSHA256() : createSHA512());
    const run = () => hasher.init().update(data).digest("binary");
    sameBytes(run(), expected, `hash-wasm ${alg}`);
    suite.add({ ...label, lib: "hash-wasm" }, () => consume(run()));
  }
}

/** HKDF-SHA512 (extract and expand) from a 32-byte key to 32 bytes of output. */
export async function addHkdf(suite: Suite, libs: readonly Lib[]): Promise<void> {
  const ikm = random(32);
  const salt = random(32);
  const info = new TextEncoder().encode("wasmkms bench info");
  const expected = hkdf("sha512", ikm, salt, info, 32);
  const label = { group: GROUPS.hkdf, size: 0 };
  if (libs.includes("wasmkms")) suite.add({ ...label, lib: "wasmkms" }, () => consume(hkdf("sha512", ikm, salt, info, 32)));
  if (libs.includes("node:crypto")) {
    sameBytes(nodeCrypto.hkdfSync("sha512", ikm, salt, info, 32), expected, "node:crypto hkdfSync");
    suite.add({ ...label, lib: "node:crypto" }, () => consume(nodeCrypto.hkdfSync("sha512", ikm, salt, info, 32)));
  }
  if (libs.includes("WebCrypto")) {
    const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
    const params = { name: "HKDF", hash: "SHA-512", salt, info };
    sameBytes(await crypto.subtle.deriveBits(params, base, 256), expected, "WebCrypto HKDF");
    suite.addAsync({ ...label, lib: "WebCrypto" }, async () => consume(await crypto.subtle.deriveBits(params, base, 256)));
  }
  if (libs.includes("@noble/hashes")) {
    sameBytes(nobleHkdf(nobleSha512, ikm, salt, info, 32), expected, "@noble/hashes hkdf");
    suite.add({ ...label, lib: "@noble/hashes" }, () => consume(nobleHkdf(nobleSha512, ikm, salt, info, 32)));
  }
}

/** Making a cipher object from a raw 32-byte key and releasing it (no data processed). */
export async function addKeySetup(suite: Suite, libs: readonly Lib[]): Promise<void> {
  const key = random(32);
  const label = { group: GROUPS.keySetup, size: 0 };
  if (libs.includes("wasmkms")) {
    suite.add({ ...label, lib: "wasmkms" }, () => {
      const gcm = new Aes256Gcm(key);
      gcm.destroy();
    });
  }
  if (libs.includes("WebCrypto")) {
    suite.addAsync({ ...label, lib: "WebCrypto" }, () => crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]));
  }
}
